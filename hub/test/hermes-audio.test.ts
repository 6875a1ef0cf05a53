import { describe, expect, it } from 'vitest';
import { HermesAudioConverter, PreRollBuffer, levelDbfs, wavBytes } from '@hugh/hub';

/** A sine at `hz`, `seconds` long, at `rateHz` on `channels` (the same in each). */
function sine(hz: number, seconds: number, rateHz: number, channels: 1 | 2): Int16Array {
  const frames = Math.round(seconds * rateHz);
  const out = new Int16Array(frames * channels);
  for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[i * channels + c] = Math.round(10_000 * Math.sin((2 * Math.PI * hz * i) / rateHz));
  return out;
}

/** The WAV chunks a Rhasspy microphone would publish: `chunkFrames` frames each. */
function chunks(samples: Int16Array, rateHz: number, channels: 1 | 2, chunkFrames: number): Buffer[] {
  const out: Buffer[] = [];
  for (let start = 0; start < samples.length; start += chunkFrames * channels) out.push(wavBytes({ sampleRateHz: rateHz, channels, samples: samples.subarray(start, start + chunkFrames * channels) }));
  return out;
}

function concat(parts: Int16Array[]): Int16Array {
  const all = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

describe('Rhasspy audioFrame chunks to 16 kHz mono', () => {
  it('passes 16 kHz mono through untouched', () => {
    const samples = sine(440, 0.1, 16_000, 1);
    expect(new HermesAudioConverter().convert(wavBytes({ sampleRateHz: 16_000, channels: 1, samples }))).toEqual(samples);
  });

  it.each([
    [48_000, 2, 1024],
    [44_100, 1, 1000],
    [22_050, 2, 333],
    [8_000, 1, 256],
  ] as const)('converts %i Hz, %i channel(s), in chunks of %i frames, as one stream: the right length, the tone kept, no click at the joins', (rateHz, channels, chunkFrames) => {
    const seconds = 1;
    const converter = new HermesAudioConverter();
    const out = concat(chunks(sine(440, seconds, rateHz, channels), rateHz, channels, chunkFrames).map((chunk) => converter.convert(chunk)));
    expect(Math.abs(out.length - 16_000 * seconds)).toBeLessThanOrEqual(2);
    // Against the ideal 440 Hz at 16 kHz: a linear interpolation's error stays small everywhere, joins included.
    const ideal = sine(440, seconds, 16_000, 1);
    let worst = 0;
    for (let i = 0; i < out.length - 1; i++) worst = Math.max(worst, Math.abs((out[i] as number) - (ideal[i] as number)));
    expect(worst).toBeLessThan(rateHz === 8_000 ? 300 : 60);
  });

  it.each([
    ['not a WAV', Buffer.from('RIFX not a wav at all')],
    ['8-bit', (() => {
      const wav = wavBytes({ sampleRateHz: 16_000, channels: 1, samples: new Int16Array(16) });
      wav.writeUInt16LE(8, 34);
      return wav;
    })()],
    ['96 kHz', wavBytes({ sampleRateHz: 96_000, channels: 1, samples: new Int16Array(16) })],
  ])('refuses %s with HUGH_ERR_FRAME_INVALID', (_name, wav) => {
    expect(() => new HermesAudioConverter().convert(wav)).toThrow(expect.objectContaining({ code: 'HUGH_ERR_FRAME_INVALID' }));
  });
});

describe('the pre-roll a site keeps', () => {
  it('keeps the last N ms, oldest first, and empties when taken', () => {
    const buffer = new PreRollBuffer();
    buffer.resize(100); // 1600 samples
    for (let i = 0; i < 10; i++) buffer.push(new Int16Array(500).fill(i));
    const kept = buffer.take();
    expect(kept.length).toBe(1600);
    expect(kept[0]).toBe(6);
    expect(kept.at(-1)).toBe(9);
    expect(buffer.take().length).toBe(0);
  });

  it('measures the level in dBFS', () => {
    expect(levelDbfs(new Int16Array(100).fill(16_384))).toBeCloseTo(-6.02, 1);
    expect(levelDbfs(new Int16Array(100))).toBe(-200);
  });
});
