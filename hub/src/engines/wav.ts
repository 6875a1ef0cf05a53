import { HughError } from '@hugh/protocol';

/** PCM s16 samples of one channel (or interleaved) at a rate. */
export interface PcmAudio {
  sampleRateHz: number;
  channels: 1 | 2;
  samples: Int16Array;
}

/** A 44-byte-header PCM WAV file: what whisper-server and OpenAI-style servers take as `file`. */
export function wavBytes(audio: PcmAudio): Buffer {
  const data = Buffer.from(audio.samples.buffer, audio.samples.byteOffset, audio.samples.byteLength);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(audio.channels, 22);
  header.writeUInt32LE(audio.sampleRateHz, 24);
  header.writeUInt32LE(audio.sampleRateHz * audio.channels * 2, 28);
  header.writeUInt16LE(audio.channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * Reads a 16-bit PCM WAV. Streamed WAVs (espeak-ng --stdout) carry placeholder sizes, so the data
 * chunk is taken to run to the end of the bytes when its declared size does not fit.
 */
export function parseWav(bytes: Uint8Array): PcmAudio {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < 12 || buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') {
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'engine answered with something that is not a WAV file');
  }
  let offset = 12;
  let format: { channels: number; sampleRateHz: number; bits: number; tag: number } | undefined;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { tag: buffer.readUInt16LE(body), channels: buffer.readUInt16LE(body + 2), sampleRateHz: buffer.readUInt32LE(body + 4), bits: buffer.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format || format.tag !== 1 || format.bits !== 16 || (format.channels !== 1 && format.channels !== 2)) {
        throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'engine answered with a WAV that is not 16-bit PCM mono or stereo');
      }
      const end = body + size <= buffer.length ? body + size : buffer.length;
      const data = Buffer.from(buffer.subarray(body, end - ((end - body) % 2)));
      return { sampleRateHz: format.sampleRateHz, channels: format.channels as 1 | 2, samples: new Int16Array(data.buffer, data.byteOffset, data.length / 2) };
    }
    offset = body + size + (size % 2);
  }
  throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'engine answered with a WAV without a data chunk');
}

/** Mixes to mono and resamples by linear interpolation: replies only, where the TTS rate and the satellite's differ. */
export function toFormat(audio: PcmAudio, sampleRateHz: number): Int16Array {
  let mono = audio.samples;
  if (audio.channels === 2) {
    mono = new Int16Array(audio.samples.length / 2);
    for (let i = 0; i < mono.length; i++) mono[i] = ((audio.samples[2 * i] as number) + (audio.samples[2 * i + 1] as number)) >> 1;
  }
  if (audio.sampleRateHz === sampleRateHz) return mono;
  const ratio = audio.sampleRateHz / sampleRateHz;
  const out = new Int16Array(Math.floor(mono.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const position = i * ratio;
    const index = Math.floor(position);
    const fraction = position - index;
    const a = mono[index] as number;
    const b = mono[Math.min(index + 1, mono.length - 1)] as number;
    out[i] = Math.round(a + (b - a) * fraction);
  }
  return out;
}
