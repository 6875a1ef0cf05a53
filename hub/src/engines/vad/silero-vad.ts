import ort from 'onnxruntime-node';
import { HughError } from '@hugh/protocol';

/** Speech probability per fixed frame of 16 kHz mono audio. */
export interface VoiceActivityDetector {
  readonly frameSamples: number;
  probability(frame: Int16Array): Promise<number>;
  reset(): void;
}

const FRAME_SAMPLES = 512; // 32 ms at 16 kHz
const CONTEXT_SAMPLES = 64;
const STATE_SIZE = 2 * 1 * 128;

/** The loaded model, shared by every turn; each turn gets its own state with `create()`. */
export class SileroVadModel {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(path: string): Promise<SileroVadModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (error) {
      throw new HughError('HUGH_ERR_CONFIG_INVALID', `vad.modelPath: ${path} cannot be loaded: ${(error as Error).message}`);
    }
    if (!session.inputNames.includes('state')) {
      throw new HughError('HUGH_ERR_CONFIG_INVALID', `vad.modelPath: ${path} is not a Silero VAD v5/v6 model (inputs: ${session.inputNames.join(', ')})`);
    }
    return new SileroVadModel(session);
  }

  create(): VoiceActivityDetector {
    return new SileroVad(this.session);
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Silero VAD v5/v6 through onnxruntime-node. Each call feeds 512 new samples with the previous 64
 * prepended (576 in all), as upstream's wrapper does: without that context the model silently
 * returns probabilities near zero. Audio is scaled to ±1.
 */
export class SileroVad implements VoiceActivityDetector {
  readonly frameSamples = FRAME_SAMPLES;
  private state = new Float32Array(STATE_SIZE);
  private context = new Float32Array(CONTEXT_SAMPLES);
  private readonly sampleRate = new ort.Tensor('int64', BigInt64Array.from([16_000n]), []);

  constructor(private readonly session: ort.InferenceSession) {}

  async probability(frame: Int16Array): Promise<number> {
    if (frame.length !== FRAME_SAMPLES) throw new HughError('HUGH_ERR_INTERNAL', `Silero VAD takes ${FRAME_SAMPLES}-sample frames, got ${frame.length}`);
    const input = new Float32Array(CONTEXT_SAMPLES + FRAME_SAMPLES);
    input.set(this.context, 0);
    for (let i = 0; i < FRAME_SAMPLES; i++) input[CONTEXT_SAMPLES + i] = (frame[i] as number) / 32_768;
    this.context = input.slice(input.length - CONTEXT_SAMPLES);
    const out = await this.session.run({
      input: new ort.Tensor('float32', input, [1, input.length]),
      state: new ort.Tensor('float32', this.state, [2, 1, 128]),
      sr: this.sampleRate,
    });
    // Copy: the runtime may reuse its output buffers.
    this.state = Float32Array.from(out.stateN!.data as Float32Array);
    return (out.output!.data as Float32Array)[0] ?? 0;
  }

  reset(): void {
    this.state = new Float32Array(STATE_SIZE);
    this.context = new Float32Array(CONTEXT_SAMPLES);
  }
}
