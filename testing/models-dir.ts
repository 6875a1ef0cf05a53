import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedPath } from './shared.js';

/** A fresh models folder with openWakeWord's feature models (and hey_jarvis) linked from ../shared, for keywords a test makes. */
export function scratchModelsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hugh-models-'));
  for (const file of ['melspectrogram.onnx', 'embedding_model.onnx', 'hey_jarvis_v0.1.onnx']) symlinkSync(sharedPath(`models/openwakeword/${file}`), join(dir, file));
  return dir;
}

/** The recordings in ../shared/audio (real speech without any wake word). */
export const SHARED_RECORDINGS = ['audio/jfk.wav', 'audio/welcome-3s.wav', 'audio/willow-10s.wav', 'audio/hello-world-22k.wav', 'audio/speech-60s.wav'];
