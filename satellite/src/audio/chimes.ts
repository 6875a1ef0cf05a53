import type { PlaybackFormat } from '@hugh/protocol';

export type Chime = 'wake' | 'done' | 'error';

/** Tone sequences in Hz and ms: rising for "listening", falling for "got it", low for errors. */
const TONES: Record<Chime, [number, number][]> = {
  wake: [
    [660, 70],
    [880, 90],
  ],
  done: [
    [880, 70],
    [660, 90],
  ],
  error: [
    [300, 120],
    [0, 60],
    [300, 120],
  ],
};

export const CHIME_FORMAT: PlaybackFormat = { sampleRateHz: 24_000, channels: 1 };

/** Generates a chime as s16 PCM: sine tones with 5 ms fades, so nothing clicks. */
export function chimePcm(chime: Chime, format: PlaybackFormat = CHIME_FORMAT): Uint8Array {
  const rate = format.sampleRateHz;
  const parts: Int16Array[] = [];
  for (const [frequencyHz, durationMs] of TONES[chime]) {
    const length = Math.round((rate * durationMs) / 1000);
    const fade = Math.round(rate * 0.005);
    const tone = new Int16Array(length);
    for (let i = 0; i < length && frequencyHz > 0; i++) {
      const envelope = Math.min(1, i / fade, (length - 1 - i) / fade);
      tone[i] = Math.round(Math.sin((2 * Math.PI * frequencyHz * i) / rate) * envelope * 0.3 * 32_767);
    }
    parts.push(tone);
  }
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Int16Array(total * format.channels);
  let offset = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i++) for (let c = 0; c < format.channels; c++) out[(offset + i) * format.channels + c] = part[i] as number;
    offset += part.length;
  }
  return new Uint8Array(out.buffer);
}

export function chimeDurationMs(chime: Chime): number {
  return TONES[chime].reduce((sum, [, durationMs]) => sum + durationMs, 0);
}
