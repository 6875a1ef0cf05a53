import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { HughError } from '@hugh/protocol';
import { EMBEDDING_SIZE, KEYWORD_WINDOW, SAMPLE_RATE_HZ, STEP_MS } from './geometry.js';

/** Larger files are refused before they are read: a model is a few hundred KiB. */
export const MAX_MODEL_FILE_BYTES = 8 << 20;

/** The features every model file here is made on, written into each file and checked on load. */
export const FeaturesSchema = z.strictObject({
  extractor: z.literal('openwakeword-v0.1'),
  sampleRateHz: z.literal(SAMPLE_RATE_HZ),
  stepMs: z.literal(STEP_MS),
  embeddingSize: z.literal(EMBEDDING_SIZE),
  windowEmbeddings: z.literal(KEYWORD_WINDOW),
});

export const FEATURES: z.infer<typeof FeaturesSchema> = { extractor: 'openwakeword-v0.1', sampleRateHz: SAMPLE_RATE_HZ, stepMs: STEP_MS, embeddingSize: EMBEDDING_SIZE, windowEmbeddings: KEYWORD_WINDOW };

export const KeywordNameSchema = z.string().regex(/^[a-z0-9_]{1,64}$/, 'must be 1-64 characters of a-z, 0-9 and "_"');

/** Float32 values as little-endian bytes in base64: exact, and a third the size of decimal text. */
export function encodeFloats(values: Float32Array): string {
  const bytes = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i] as number, i * 4);
  return bytes.toString('base64');
}

export function decodeFloats(base64: string, expected: number, what: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== expected * 4) throw new Error(`${what}: expected ${expected} float32 values, got ${bytes.length / 4}`);
  const values = new Float32Array(expected);
  for (let i = 0; i < expected; i++) {
    const value = bytes.readFloatLE(i * 4);
    if (!Number.isFinite(value)) throw new Error(`${what}: value ${i} is not finite`);
    values[i] = value;
  }
  return values;
}

/** Reads and validates a model file (size limit first), with errors that name the file and the field. */
export async function readModelFile<T>(path: string, parse: (value: unknown) => T): Promise<T> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} is missing or unreadable (set wake.modelsDir or HUGH_MODELS_DIR)`);
  }
  if (size > MAX_MODEL_FILE_BYTES) throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} is ${size} bytes; a model file may have at most ${MAX_MODEL_FILE_BYTES}`);
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parse(value);
  } catch (error) {
    const message = error instanceof z.ZodError ? error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ') : (error as Error).message;
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake word model ${path} is not a valid model file: ${message}`);
  }
}
