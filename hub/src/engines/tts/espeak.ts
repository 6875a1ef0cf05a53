import { spawn } from 'node:child_process';
import { HughError } from '@hugh/protocol';
import type { EngineCallOptions } from '../stt/speech-to-text.js';
import { parseWav, type PcmAudio } from '../wav.js';
import type { TextToSpeech } from './text-to-speech.js';

/** The local fallback: espeak-ng (22.05 kHz), or flite, writing a WAV to stdout. */
export class CommandLineTts implements TextToSpeech {
  readonly name: string;

  constructor(
    private readonly tool: 'espeak-ng' | 'flite' = 'espeak-ng',
    private readonly voice?: string,
  ) {
    this.name = tool;
  }

  synthesize(text: string, options: EngineCallOptions): Promise<PcmAudio> {
    // flite opens its -o path itself, and Node's stdout pipe is a socket it cannot open: `cat`
    // gives it a real pipe. Text and voice are passed as arguments, never interpolated.
    const [command, args] =
      this.tool === 'espeak-ng'
        ? ['espeak-ng', ['--stdout', ...(this.voice ? ['-v', this.voice] : []), '--', text]]
        : ['sh', ['-c', 'flite -t "$1" ${2:+-voice "$2"} -o /dev/stdout | cat', 'flite', text, this.voice ?? '']];
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
      const chunks: Buffer[] = [];
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('error', (error) =>
        reject(
          options.signal.aborted
            ? new HughError('HUGH_ERR_CANCELLED', `${this.tool}: cancelled`)
            : new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.tool}: cannot run it (apt install ${this.tool}): ${error.message}`),
        ),
      );
      child.on('close', (code) => {
        if (options.signal.aborted) return;
        if (code !== 0) return reject(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.tool} exited with ${code}: ${stderr.slice(-200)}`));
        try {
          resolve(parseWav(Buffer.concat(chunks)));
        } catch (error) {
          reject(error);
        }
      });
    });
  }
}
