import { HughError } from '@hugh/protocol';
import type { PcmAudio } from './wav.js';

/**
 * Reads a 16-bit PCM WAV as it arrives, yielding its samples as soon as they come: what a TTS
 * engine streaming a WAV (espeak-ng --stdout, an OpenAI-compatible server) needs. Streamed WAVs carry
 * placeholder sizes, so the data chunk runs to the end of the stream; an odd byte waits for its pair.
 */
export async function* wavChunks(bytes: AsyncIterable<Uint8Array>, what: string): AsyncIterable<PcmAudio> {
  let buffer = Buffer.alloc(0);
  let format: { sampleRateHz: number; channels: 1 | 2 } | undefined;
  let inData = false;
  for await (const chunk of bytes) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : Buffer.from(chunk);
    if (!inData) {
      const header = readHeader(buffer, what);
      if (!header) {
        if (buffer.length > 64 * 1024) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${what}: no WAV data chunk in the first 64 KiB`);
        continue;
      }
      format = header.format;
      buffer = buffer.subarray(header.dataStart);
      inData = true;
    }
    const whole = buffer.length - (buffer.length % (2 * format!.channels));
    if (whole === 0) continue;
    const pcm = Buffer.from(buffer.subarray(0, whole));
    buffer = buffer.subarray(whole);
    yield { ...format!, samples: new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2) };
  }
  if (!inData) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${what}: answered with something that is not a WAV file`);
}

/** The format and where the samples start, once the header up to the data chunk has arrived. */
function readHeader(buffer: Buffer, what: string): { format: { sampleRateHz: number; channels: 1 | 2 }; dataStart: number } | undefined {
  if (buffer.length < 12) return undefined;
  if (buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${what}: answered with something that is not a WAV file`);
  let offset = 12;
  let format: { sampleRateHz: number; channels: 1 | 2 } | undefined;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'data') {
      if (!format) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${what}: WAV data before its format`);
      return { format, dataStart: body };
    }
    if (body + size > buffer.length) return undefined; // the chunk is still arriving
    if (id === 'fmt ') {
      const tag = buffer.readUInt16LE(body);
      const channels = buffer.readUInt16LE(body + 2);
      const bits = buffer.readUInt16LE(body + 14);
      if (tag !== 1 || bits !== 16 || (channels !== 1 && channels !== 2)) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${what}: a WAV that is not 16-bit PCM mono or stereo`);
      format = { sampleRateHz: buffer.readUInt32LE(body + 4), channels };
    }
    offset = body + size + (size % 2);
  }
  return undefined;
}

/** Raw s16le PCM as it arrives, in a known format (OpenAI's `response_format: pcm` is 24 kHz mono). */
export async function* pcmChunks(bytes: AsyncIterable<Uint8Array>, format: { sampleRateHz: number; channels: 1 | 2 }): AsyncIterable<PcmAudio> {
  let carry = Buffer.alloc(0);
  for await (const chunk of bytes) {
    const all = carry.length ? Buffer.concat([carry, chunk]) : Buffer.from(chunk);
    const whole = all.length - (all.length % (2 * format.channels));
    carry = Buffer.from(all.subarray(whole));
    if (whole === 0) continue;
    const pcm = Buffer.from(all.subarray(0, whole));
    yield { ...format, samples: new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2) };
  }
}

/** All of a stream's audio in one piece (tests, health checks, benchmarks). */
export async function collectAudio(chunks: AsyncIterable<PcmAudio>): Promise<PcmAudio> {
  const parts: PcmAudio[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  const first = parts[0] ?? { sampleRateHz: 16_000, channels: 1 as const, samples: new Int16Array(0) };
  const samples = new Int16Array(parts.reduce((total, part) => total + part.samples.length, 0));
  let offset = 0;
  for (const part of parts) {
    samples.set(part.samples, offset);
    offset += part.samples.length;
  }
  return { sampleRateHz: first.sampleRateHz, channels: first.channels, samples };
}
