import { encodeAudioFrame, satelliteMessage } from '@hugh/protocol';

/** A small seeded PRNG (mulberry32): fuzz runs are reproducible. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const validMessages = [
  satelliteMessage({ type: 'hello', satelliteId: 'fuzz', softwareVersion: '1', capabilities: { wakeEngines: ['x'], playback: true }, playbackFormats: [{ sampleRateHz: 16_000, channels: 1 }] }),
  satelliteMessage({ type: 'wake', turnId: 5, engine: 'e', keyword: 'k', score: 0.9, levelDbfs: -20, detectedAtMs: 1 }),
  satelliteMessage({ type: 'audio-start', turnId: 5, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', preRollMs: 0 }),
  satelliteMessage({ type: 'audio-stop', turnId: 5, reason: 'end-of-input', frameCount: 3 }),
  satelliteMessage({ type: 'state', state: 'idle' }),
  satelliteMessage({ type: 'ping', nonce: 'n' }),
].map((message) => JSON.stringify(message));

const validFrame = () => encodeAudioFrame({ turnId: 5, seq: 0, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: 0, payload: new Uint8Array(640) });

const JUNK_VALUES: unknown[] = [null, -1, 1e308, 'x'.repeat(300), [], {}, true, '💥', 0.5, 2 ** 32];

/** Mutated control messages (as text) and audio frames (as bytes), mostly invalid, sometimes valid. */
export function* fuzzInputs(count: number, seed: number): Iterable<{ kind: 'ctl'; data: string } | { kind: 'audio'; data: Uint8Array }> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  for (let i = 0; i < count; i++) {
    const mode = random();
    if (mode < 0.4) {
      const bytes = validFrame();
      const mutation = random();
      if (mutation < 0.4) for (let flips = 1 + Math.floor(random() * 8); flips > 0; flips--) bytes[Math.floor(random() * 32)]! ^= 1 << Math.floor(random() * 8);
      else if (mutation < 0.7) yield { kind: 'audio', data: bytes.subarray(0, Math.floor(random() * bytes.length)) };
      else if (mutation < 0.95) yield { kind: 'audio', data: Uint8Array.from({ length: Math.floor(random() * 2_000) }, () => Math.floor(random() * 256)) };
      else yield { kind: 'audio', data: new Uint8Array(65 * 1024) };
      if (mutation < 0.4) yield { kind: 'audio', data: bytes };
    } else {
      const base = JSON.parse(pick(validMessages)) as Record<string, unknown>;
      const mutation = random();
      if (mutation < 0.5) {
        base[pick(Object.keys(base))] = pick(JUNK_VALUES);
        yield { kind: 'ctl', data: JSON.stringify(base) };
      } else if (mutation < 0.7) {
        const text = JSON.stringify(base);
        yield { kind: 'ctl', data: text.slice(0, Math.floor(random() * text.length)) };
      } else if (mutation < 0.85) {
        yield { kind: 'ctl', data: JSON.stringify({ ...base, type: pick(['welcome', 'teleport', '', 7, null]) }) };
      } else {
        yield { kind: 'ctl', data: String.fromCharCode(...Array.from({ length: Math.floor(random() * 200) }, () => 32 + Math.floor(random() * 95))) };
      }
    }
  }
}
