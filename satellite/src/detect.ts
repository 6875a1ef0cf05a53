import { CAPTURE_SAMPLE_RATE_HZ } from '@hugh/protocol';
import { readWavAs16kMono } from './audio/wav.js';
import type { Detection, WakeWordDetector } from './wake/detector.js';

export interface FileDetection extends Detection {
  /** Time in the file, in seconds, at which the detection fired. */
  timeS: number;
}

/** Runs the detector over a whole recording as fast as it can: what `hugh-satellite detect` prints. */
export async function detectInFile(detector: WakeWordDetector, path: string): Promise<FileDetection[]> {
  const samples = readWavAs16kMono(path);
  const found: FileDetection[] = [];
  const chunk = 1280;
  for (let offset = 0; offset < samples.length; offset += chunk) {
    for (const detection of await detector.push(samples.subarray(offset, offset + chunk))) {
      found.push({ ...detection, timeS: detection.endSample / CAPTURE_SAMPLE_RATE_HZ });
    }
  }
  return found;
}
