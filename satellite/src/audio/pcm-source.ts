import { setTimeout as sleep } from 'node:timers/promises';
import { CAPTURE_SAMPLE_RATE_HZ } from '@hugh/protocol';
import { pcmBytes } from './wav.js';

/**
 * Yields samples as PCM chunks of `chunkMs`. With `realtime`, chunks come at the pace a
 * microphone would deliver them (scheduled against the start time, so no drift accumulates).
 */
export async function* pcmChunks(
  samples: Int16Array,
  options: { chunkMs?: number; realtime?: boolean; signal?: AbortSignal; sampleRateHz?: number } = {},
): AsyncIterable<Uint8Array> {
  const chunkMs = options.chunkMs ?? 40;
  const sampleRateHz = options.sampleRateHz ?? CAPTURE_SAMPLE_RATE_HZ;
  const perChunk = Math.round((sampleRateHz * chunkMs) / 1000);
  const startedMs = Date.now();
  for (let offset = 0, index = 0; offset < samples.length; offset += perChunk, index++) {
    if (options.signal?.aborted) return;
    if (options.realtime) {
      const dueMs = startedMs + index * chunkMs;
      const waitMs = dueMs - Date.now();
      if (waitMs > 0) await sleep(waitMs);
    }
    yield pcmBytes(samples.subarray(offset, Math.min(offset + perChunk, samples.length)));
  }
}
