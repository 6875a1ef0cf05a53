import { HughError } from './errors.js';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from './version.js';

/**
 * Binary audio frame, little-endian, 32-byte header then PCM payload:
 *
 * | offset | size | field                                              |
 * |-------:|-----:|----------------------------------------------------|
 * |      0 |    2 | magic "HV" (0x48 0x56)                             |
 * |      2 |    1 | protocol version                                   |
 * |      3 |    1 | codec (0 = PCM s16le)                              |
 * |      4 |    1 | channels (1 or 2)                                  |
 * |      5 |    1 | flags (bit 0 = last frame of the stream)           |
 * |      6 |    2 | reserved, must be 0                                |
 * |      8 |    4 | turn id (u32)                                      |
 * |     12 |    4 | sequence number (u32, 0 for the first frame)       |
 * |     16 |    4 | sample rate in Hz (u32)                            |
 * |     20 |    4 | payload length in bytes (u32)                      |
 * |     24 |    8 | timestamp: capture/synthesis time of the first sample, Unix epoch ms (f64) |
 */
export const FRAME_HEADER_BYTES = 32;
export const FRAME_MAGIC = 0x5648; // "HV" read as little-endian u16
export const FLAG_LAST = 0x01;
const KNOWN_FLAGS = FLAG_LAST;

export const CODECS = { pcm_s16le: 0 } as const;
export type Codec = keyof typeof CODECS;

/** Sample rates a frame may carry: capture at 16 kHz, TTS output at its own rate. */
export const MIN_SAMPLE_RATE_HZ = 8_000;
export const MAX_SAMPLE_RATE_HZ = 48_000;

export interface AudioFrame {
  turnId: number;
  seq: number;
  sampleRateHz: number;
  channels: 1 | 2;
  codec: Codec;
  /** Last frame of this turn's stream in this direction. */
  last: boolean;
  timestampMs: number;
  /** PCM s16le bytes; a view into the decoded buffer, not a copy. */
  payload: Uint8Array;
}

function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff;
}

function checkFields(frame: Omit<AudioFrame, 'payload'>, payloadBytes: number): void {
  if (!isU32(frame.turnId)) throw new HughError('HUGH_ERR_FRAME_INVALID', `turnId must be a u32, got ${frame.turnId}`);
  if (!isU32(frame.seq)) throw new HughError('HUGH_ERR_FRAME_INVALID', `seq must be a u32, got ${frame.seq}`);
  if (frame.channels !== 1 && frame.channels !== 2) {
    throw new HughError('HUGH_ERR_FRAME_INVALID', `channels must be 1 or 2, got ${frame.channels}`);
  }
  if (!Number.isInteger(frame.sampleRateHz) || frame.sampleRateHz < MIN_SAMPLE_RATE_HZ || frame.sampleRateHz > MAX_SAMPLE_RATE_HZ) {
    throw new HughError(
      'HUGH_ERR_FRAME_INVALID',
      `sampleRateHz must be an integer in ${MIN_SAMPLE_RATE_HZ}..${MAX_SAMPLE_RATE_HZ}, got ${frame.sampleRateHz}`,
    );
  }
  const bytesPerSampleFrame = 2 * frame.channels;
  if (payloadBytes % bytesPerSampleFrame !== 0) {
    throw new HughError(
      'HUGH_ERR_FRAME_INVALID',
      `payload of ${payloadBytes} bytes is not a whole number of ${frame.channels}-channel s16 samples`,
    );
  }
  if (!Number.isFinite(frame.timestampMs)) throw new HughError('HUGH_ERR_FRAME_INVALID', 'timestampMs must be finite');
}

/** Encodes one frame; throws HughError on values the decoder would refuse, so bad frames never leave. */
export function encodeAudioFrame(frame: AudioFrame): Uint8Array {
  checkFields(frame, frame.payload.byteLength);
  const total = FRAME_HEADER_BYTES + frame.payload.byteLength;
  if (total > MAX_FRAME_BYTES) {
    throw new HughError('HUGH_ERR_FRAME_TOO_LARGE', `frame of ${total} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, FRAME_MAGIC, true);
  view.setUint8(2, PROTOCOL_VERSION);
  view.setUint8(3, CODECS[frame.codec]);
  view.setUint8(4, frame.channels);
  view.setUint8(5, frame.last ? FLAG_LAST : 0);
  view.setUint16(6, 0, true);
  view.setUint32(8, frame.turnId, true);
  view.setUint32(12, frame.seq, true);
  view.setUint32(16, frame.sampleRateHz, true);
  view.setUint32(20, frame.payload.byteLength, true);
  view.setFloat64(24, frame.timestampMs, true);
  bytes.set(frame.payload, FRAME_HEADER_BYTES);
  return bytes;
}

/**
 * Decodes and validates one frame. Checks run cheapest first, and the size check comes before
 * anything is read, so a hostile input costs no more than its length.
 */
export function decodeAudioFrame(bytes: Uint8Array): AudioFrame {
  if (bytes.byteLength > MAX_FRAME_BYTES) {
    throw new HughError('HUGH_ERR_FRAME_TOO_LARGE', `frame of ${bytes.byteLength} bytes exceeds ${MAX_FRAME_BYTES}`);
  }
  if (bytes.byteLength < FRAME_HEADER_BYTES) {
    throw new HughError('HUGH_ERR_FRAME_TRUNCATED', `frame of ${bytes.byteLength} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0, true) !== FRAME_MAGIC) throw new HughError('HUGH_ERR_FRAME_BAD_MAGIC', 'not an audio frame (bad magic)');
  const version = view.getUint8(2);
  if (version !== PROTOCOL_VERSION) {
    throw new HughError('HUGH_ERR_UNSUPPORTED_VERSION', `frame version ${version}, this side speaks ${PROTOCOL_VERSION}`);
  }
  const codecId = view.getUint8(3);
  const codec = (Object.keys(CODECS) as Codec[]).find((name) => CODECS[name] === codecId);
  if (codec === undefined) throw new HughError('HUGH_ERR_FRAME_INVALID', `unknown codec ${codecId}`);
  const flags = view.getUint8(5);
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new HughError('HUGH_ERR_FRAME_INVALID', `unknown flags 0x${flags.toString(16)}`);
  if (view.getUint16(6, true) !== 0) throw new HughError('HUGH_ERR_FRAME_INVALID', 'reserved bytes are not zero');
  const payloadBytes = view.getUint32(20, true);
  const actual = bytes.byteLength - FRAME_HEADER_BYTES;
  if (payloadBytes > actual) {
    throw new HughError('HUGH_ERR_FRAME_TRUNCATED', `header declares ${payloadBytes} payload bytes, ${actual} present`);
  }
  if (payloadBytes < actual) {
    throw new HughError('HUGH_ERR_FRAME_INVALID', `header declares ${payloadBytes} payload bytes, ${actual} present`);
  }
  const frame = {
    turnId: view.getUint32(8, true),
    seq: view.getUint32(12, true),
    sampleRateHz: view.getUint32(16, true),
    channels: view.getUint8(4) as 1 | 2,
    codec,
    last: (flags & FLAG_LAST) !== 0,
    timestampMs: view.getFloat64(24, true),
  };
  checkFields(frame, payloadBytes);
  return { ...frame, payload: bytes.subarray(FRAME_HEADER_BYTES) };
}

/** Duration of a frame's payload in milliseconds. */
export function frameDurationMs(frame: Pick<AudioFrame, 'payload' | 'channels' | 'sampleRateHz'>): number {
  return (frame.payload.byteLength / (2 * frame.channels) / frame.sampleRateHz) * 1000;
}
