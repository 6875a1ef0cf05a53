import { describe, expect, it } from 'vitest';
import {
  FRAME_HEADER_BYTES,
  HughError,
  MAX_FRAME_BYTES,
  decodeAudioFrame,
  encodeAudioFrame,
  frameDurationMs,
  type AudioFrame,
} from '@hugh/protocol';

function frame(overrides: Partial<AudioFrame> = {}): AudioFrame {
  const payload = new Uint8Array(1280);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
  return { turnId: 42, seq: 3, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: 1_732_000_000_123, payload, ...overrides };
}

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HughError);
    expect((error as HughError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('audio frame', () => {
  it('round-trips every header field and the payload byte for byte', () => {
    const original = frame({ last: true, channels: 2, sampleRateHz: 24_000 });
    const decoded = decodeAudioFrame(encodeAudioFrame(original));
    expect(decoded).toEqual({ ...original, payload: original.payload });
    expect(Buffer.from(decoded.payload).equals(Buffer.from(original.payload))).toBe(true);
  });

  it('decodes from a view into a larger buffer (as ws and mqtt.js hand us Buffers)', () => {
    const bytes = encodeAudioFrame(frame());
    const padded = Buffer.alloc(bytes.length + 10);
    padded.set(bytes, 5);
    expect(decodeAudioFrame(padded.subarray(5, 5 + bytes.length)).seq).toBe(3);
  });

  it('reports its duration', () => {
    expect(frameDurationMs(frame())).toBe(40);
  });

  it.each([
    ['empty input', new Uint8Array(0), 'HUGH_ERR_FRAME_TRUNCATED'],
    ['a header cut short', encodeAudioFrame(frame()).subarray(0, FRAME_HEADER_BYTES - 1), 'HUGH_ERR_FRAME_TRUNCATED'],
    ['a payload cut short', encodeAudioFrame(frame()).subarray(0, FRAME_HEADER_BYTES + 100), 'HUGH_ERR_FRAME_TRUNCATED'],
    ['1 MiB of zeros', new Uint8Array(1024 * 1024), 'HUGH_ERR_FRAME_TOO_LARGE'],
    ['random text', new TextEncoder().encode('hello, this is not a frame at all.....'), 'HUGH_ERR_FRAME_BAD_MAGIC'],
  ])('rejects %s', (_name, bytes, code) => {
    expectCode(() => decodeAudioFrame(bytes), code);
  });

  it('rejects a wrong protocol version', () => {
    const bytes = encodeAudioFrame(frame());
    bytes[2] = 9;
    expectCode(() => decodeAudioFrame(bytes), 'HUGH_ERR_UNSUPPORTED_VERSION');
  });

  it.each([
    ['unknown codec', 3, 7],
    ['zero channels', 4, 0],
    ['three channels', 4, 3],
    ['unknown flag', 5, 0x80],
    ['reserved byte set', 6, 1],
  ])('rejects a self-contradictory frame: %s', (_name, offset, value) => {
    const bytes = encodeAudioFrame(frame());
    bytes[offset] = value;
    expectCode(() => decodeAudioFrame(bytes), 'HUGH_ERR_FRAME_INVALID');
  });

  it('rejects a payload longer than declared, an odd byte count and an impossible sample rate', () => {
    const longer = new Uint8Array([...encodeAudioFrame(frame()), 0, 0]);
    expectCode(() => decodeAudioFrame(longer), 'HUGH_ERR_FRAME_INVALID');

    const stereoOdd = encodeAudioFrame(frame({ payload: new Uint8Array(6) }));
    stereoOdd[4] = 2; // 6 bytes is not a whole number of stereo s16 samples
    expectCode(() => decodeAudioFrame(stereoOdd), 'HUGH_ERR_FRAME_INVALID');

    const rate = encodeAudioFrame(frame());
    new DataView(rate.buffer).setUint32(16, 1_000_000, true);
    expectCode(() => decodeAudioFrame(rate), 'HUGH_ERR_FRAME_INVALID');
  });

  it('refuses to encode what it would refuse to decode', () => {
    expectCode(() => encodeAudioFrame(frame({ payload: new Uint8Array(MAX_FRAME_BYTES) })), 'HUGH_ERR_FRAME_TOO_LARGE');
    expectCode(() => encodeAudioFrame(frame({ payload: new Uint8Array(3) })), 'HUGH_ERR_FRAME_INVALID');
    expectCode(() => encodeAudioFrame(frame({ turnId: -1 })), 'HUGH_ERR_FRAME_INVALID');
  });
});
