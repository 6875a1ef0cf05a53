import { CAPTURE_SAMPLE_RATE_HZ, HughError } from '@hugh/protocol';
import type { AudioInput } from './audio/input.js';

const FRAME = CAPTURE_SAMPLE_RATE_HZ / 100;
/** The room's level is measured over this before each take starts. */
const CALIBRATION_S = 0.3;
/** Speech is this far above the room (15 dB) and above a floor (-50 dBFS). */
const ABOVE_ROOM = 10 ** 1.5;
const MIN_ENERGY = (32_768 * 10 ** (-50 / 20)) ** 2;
const QUIET_AFTER_S = 0.7;
const BEFORE_S = 0.5;
const MAX_TAKE_S = 4;
const WAIT_S = 10;

export interface RecordOptions {
  /** Called when take `n` (1-based) should be said. */
  prompt: (take: number) => void;
  signal?: AbortSignal;
}

/**
 * Records `count` takes from a live input: after each prompt it measures the room, waits for
 * speech to rise 15 dB above it, and keeps from half a second before that to when 0.7 s of quiet
 * follow (at most 4 s). Decisions count samples, not wall time, so a fast input works too.
 */
export async function recordTakes(input: AudioInput, count: number, options: RecordOptions): Promise<Int16Array[]> {
  const takes: Int16Array[] = [];
  const stopper = new AbortController();
  const stop = () => stopper.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  let pending: number[] = [];
  let room = 0;
  let roomFrames = 0;
  let heard = -1;
  let quietFrames = 0;
  let waited = 0;
  const startTake = () => {
    options.prompt(takes.length + 1);
    pending = [];
    room = 0;
    roomFrames = 0;
    heard = -1;
    quietFrames = 0;
    waited = 0;
  };
  try {
    startTake();
    let carry = new Int16Array(0);
    for await (const chunk of input.samples(stopper.signal)) {
      const all = new Int16Array(carry.length + chunk.length);
      all.set(carry);
      all.set(chunk, carry.length);
      let offset = 0;
      for (; offset + FRAME <= all.length; offset += FRAME) {
        const frame = all.subarray(offset, offset + FRAME);
        let energy = 0;
        for (const sample of frame) energy += sample * sample;
        energy /= FRAME;
        pending.push(...frame);
        waited++;
        if (roomFrames < CALIBRATION_S * 100) {
          room += energy;
          roomFrames++;
          continue;
        }
        const loud = energy > Math.max(MIN_ENERGY, (room / roomFrames) * ABOVE_ROOM);
        if (heard < 0) {
          if (loud) heard = pending.length - FRAME;
          else if (waited > WAIT_S * 100) throw new HughError('HUGH_ERR_TIMEOUT', `take ${takes.length + 1}: no speech heard within ${WAIT_S} s`);
          // Keep only what could be the half second before the speech.
          if (heard < 0 && pending.length > 2 * BEFORE_S * CAPTURE_SAMPLE_RATE_HZ) pending = pending.slice(-BEFORE_S * CAPTURE_SAMPLE_RATE_HZ);
          continue;
        }
        quietFrames = loud ? 0 : quietFrames + 1;
        const spoken = (pending.length - heard) / CAPTURE_SAMPLE_RATE_HZ;
        if (quietFrames >= QUIET_AFTER_S * 100 || spoken >= MAX_TAKE_S) {
          takes.push(Int16Array.from(pending.slice(Math.max(0, heard - BEFORE_S * CAPTURE_SAMPLE_RATE_HZ))));
          if (takes.length === count) return takes;
          startTake();
        }
      }
      carry = all.slice(offset);
    }
    throw new HughError('HUGH_ERR_CANCELLED', `recording stopped after ${takes.length} of ${count} takes`);
  } finally {
    options.signal?.removeEventListener('abort', stop);
    stopper.abort();
  }
}
