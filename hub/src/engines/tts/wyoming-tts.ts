import { HughError } from '@hugh/protocol';
import type { EngineCallOptions } from '../stt/speech-to-text.js';
import type { PcmAudio } from '../wav.js';
import { WyomingConnection } from '../wyoming/connection.js';
import type { TextToSpeech } from './text-to-speech.js';

/** Wyoming TTS (wyoming-piper, port 10200): synthesize{text} → audio-start, audio-chunk…, audio-stop. */
export class WyomingTts implements TextToSpeech {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly voice?: string,
  ) {
    this.name = `wyoming-tts ${url}`;
  }

  async synthesize(text: string, options: EngineCallOptions): Promise<PcmAudio> {
    const connection = await WyomingConnection.open(this.url, this.name, options.signal);
    try {
      connection.send('synthesize', { text, ...(this.voice ? { voice: { name: this.voice } } : {}) });
      let rate = 0;
      let channels = 1;
      const chunks: Buffer[] = [];
      for (;;) {
        const event = await connection.next();
        if (event.type === 'audio-start') {
          rate = Number(event.data.rate);
          channels = Number(event.data.channels ?? 1);
          if (Number(event.data.width ?? 2) !== 2 || (channels !== 1 && channels !== 2) || !(rate >= 8_000 && rate <= 48_000)) {
            throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: unsupported audio format ${JSON.stringify(event.data)}`);
          }
        } else if (event.type === 'audio-chunk' && event.payload) {
          chunks.push(event.payload);
        } else if (event.type === 'audio-stop') {
          if (rate === 0) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: audio-stop before audio-start`);
          const data = Buffer.concat(chunks);
          const even = Buffer.from(data.subarray(0, data.length - (data.length % 2)));
          return { sampleRateHz: rate, channels: channels as 1 | 2, samples: new Int16Array(even.buffer, even.byteOffset, even.length / 2) };
        } else if (event.type === 'error') {
          throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${String(event.data.text ?? 'error')}`);
        }
      }
    } finally {
      connection.close();
    }
  }
}
