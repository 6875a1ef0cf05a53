import { HughError } from '@hugh/protocol';
import type { EngineCallOptions } from '../stt/speech-to-text.js';
import type { PcmAudio } from '../wav.js';
import { WyomingConnection } from '../wyoming/connection.js';
import type { TextToSpeech } from './text-to-speech.js';

/** Wyoming TTS (wyoming-piper, port 10200): synthesize{text} → audio-start, audio-chunk…, audio-stop; each chunk passed on as it arrives. */
export class WyomingTts implements TextToSpeech {
  readonly name: string;

  constructor(
    private readonly url: string,
    private readonly voice?: string,
  ) {
    this.name = `wyoming-tts ${url}`;
  }

  async *synthesize(text: string, options: EngineCallOptions): AsyncIterable<PcmAudio> {
    const connection = await WyomingConnection.open(this.url, this.name, options.signal);
    try {
      connection.send('synthesize', { text, ...(this.voice ? { voice: { name: this.voice } } : {}) });
      let rate = 0;
      let channels = 1;
      let carry = Buffer.alloc(0);
      for (;;) {
        const event = await connection.next();
        if (event.type === 'audio-start') {
          rate = Number(event.data.rate);
          channels = Number(event.data.channels ?? 1);
          if (Number(event.data.width ?? 2) !== 2 || (channels !== 1 && channels !== 2) || !(rate >= 8_000 && rate <= 48_000)) {
            throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: unsupported audio format ${JSON.stringify(event.data)}`);
          }
        } else if (event.type === 'audio-chunk' && event.payload) {
          if (rate === 0) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: audio-chunk before audio-start`);
          // Each chunk goes out as it comes; a sample split across chunks waits for its other byte.
          const data = carry.length ? Buffer.concat([carry, event.payload]) : event.payload;
          const whole = data.length - (data.length % (2 * channels));
          carry = Buffer.from(data.subarray(whole));
          if (whole > 0) {
            const pcm = Buffer.from(data.subarray(0, whole));
            yield { sampleRateHz: rate, channels: channels as 1 | 2, samples: new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length / 2) };
          }
        } else if (event.type === 'audio-stop') {
          if (rate === 0) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: audio-stop before audio-start`);
          return;
        } else if (event.type === 'error') {
          throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${String(event.data.text ?? 'error')}`);
        }
      }
    } finally {
      connection.close();
    }
  }
}
