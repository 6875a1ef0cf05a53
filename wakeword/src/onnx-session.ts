import { access, constants } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { HughError } from '@hugh/protocol';

/**
 * Opens an ONNX model with a clear error naming the file. One thread by default: a satellite runs
 * on a small board, and one 80 ms step costs about a millisecond; the trainer asks for more.
 */
export async function openOnnxModel(path: string, threads = 1): Promise<ort.InferenceSession> {
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} is missing or unreadable (set wake.modelsDir or HUGH_MODELS_DIR)`);
  }
  try {
    return await ort.InferenceSession.create(path, { intraOpNumThreads: threads, interOpNumThreads: 1 });
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} cannot be loaded: ${(error as Error).message}`);
  }
}

/** Runs a one-input, one-output model and copies the output (the runtime may reuse its buffer). */
export async function runOnnx(session: ort.InferenceSession, data: Float32Array, dims: number[]): Promise<Float32Array> {
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', data, dims) });
  return Float32Array.from(out[session.outputNames[0]!]!.data as Float32Array);
}
