import { HughError } from '@hugh/protocol';
import { WyomingConnection } from '../wyoming/connection.js';
import type { EngineCallOptions, SpeechToText } from './speech-to-text.js';

const CHUNK_SAMPLES = 1024;

/** Wyoming ASR (wyoming-faster-whisper, port 10300): transcribe, audio-start, audio-chunk…, audio-stop → transcript. */
export class WyomingStt implements SpeechToText {
  readonly name: string;

  constructor(private readonly url: string) {
    this.name = `wyoming-asr ${url}`;
  }

  async transcribe(samples: Int16Array, options: EngineCallOptions): Promise<string> {
    const connection = await WyomingConnection.open(this.url, this.name, options.signal);
    try {
      const format = { rate: 16_000, width: 2, channels: 1 };
      connection.send('transcribe', options.language ? { language: options.language } : {});
      connection.send('audio-start', format);
      for (let offset = 0; offset < samples.length; offset += CHUNK_SAMPLES) {
        const chunk = samples.subarray(offset, offset + CHUNK_SAMPLES);
        connection.send('audio-chunk', format, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      }
      connection.send('audio-stop');
      for (;;) {
        const event = await connection.next();
        if (event.type !== 'transcript') continue;
        if (typeof event.data.text !== 'string') throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: transcript without text`);
        return event.data.text.trim();
      }
    } finally {
      connection.close();
    }
  }
}
