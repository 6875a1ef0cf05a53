import { spawn } from 'node:child_process';
import { HughError } from '@hugh/protocol';
import { wavBytes } from '../wav.js';
import type { EngineCallOptions, SpeechToText } from './speech-to-text.js';

/** Where Debian's pocketsphinx-en-us package puts the US English model (`stt.engines[].modelDir` overrides it). */
export const DEBIAN_POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
/** 500 ms at 16 kHz. */
const TRAILING_SILENCE_SAMPLES = 8_000;

/**
 * The local CPU fallback: Debian's pocketsphinx with its US English model. Poor next to Whisper,
 * but it needs no download and no GPU. Audio goes through a pipe, never to disk.
 */
export class PocketsphinxStt implements SpeechToText {
  readonly name = 'pocketsphinx';

  constructor(private readonly modelDir = DEBIAN_POCKETSPHINX_MODEL_DIR) {}

  transcribe(samples: Int16Array, options: EngineCallOptions): Promise<string> {
    return new Promise((resolve, reject) => {
      // pocketsphinx fopen()s its -infile; Node's stdin pipe is a socket that fopen cannot read,
      // so `cat` turns it into a real pipe. The model folder is passed as $1, never interpolated.
      const child = spawn(
        'sh',
        ['-c', 'cat | exec pocketsphinx_continuous -infile /dev/stdin -hmm "$1/en-us" -lm "$1/en-us.lm.bin" -dict "$1/cmudict-en-us.dict" -logfn /dev/null', 'pocketsphinx', this.modelDir],
        { stdio: ['pipe', 'pipe', 'pipe'], signal: options.signal },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.stdin.on('error', () => undefined); // reported by 'close'
      child.on('error', (error) =>
        reject(
          options.signal.aborted
            ? new HughError('HUGH_ERR_CANCELLED', 'pocketsphinx: cancelled')
            : new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `pocketsphinx: cannot run pocketsphinx_continuous (apt install pocketsphinx pocketsphinx-en-us): ${error.message}`),
        ),
      );
      child.on('close', (code) => {
        if (code === 0) resolve(stdout.trim().split('\n').join(' ').trim());
        else if (!options.signal.aborted) reject(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `pocketsphinx exited with ${code}: ${stderr.slice(-200)}`));
      });
      // pocketsphinx settles its last word only in trailing silence, and a speculative transcription
      // hands it audio that ends ~120 ms after speech ("what time is it" came back "what do i use it").
      const padded = new Int16Array(samples.length + TRAILING_SILENCE_SAMPLES);
      padded.set(samples);
      child.stdin.end(wavBytes({ sampleRateHz: 16_000, channels: 1, samples: padded }));
    });
  }
}
