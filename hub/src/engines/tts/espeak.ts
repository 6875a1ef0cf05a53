import { spawn } from 'node:child_process';
import { HughError } from '@hugh/protocol';
import type { EngineCallOptions } from '../stt/speech-to-text.js';
import type { PcmAudio } from '../wav.js';
import { wavChunks } from '../wav-stream.js';
import type { TextToSpeech } from './text-to-speech.js';

/** The local fallback: espeak-ng (22.05 kHz), or flite, writing a WAV to stdout, read as it grows. */
export class CommandLineTts implements TextToSpeech {
  readonly name: string;

  constructor(
    private readonly tool: 'espeak-ng' | 'flite' = 'espeak-ng',
    private readonly voice?: string,
  ) {
    this.name = tool;
  }

  async *synthesize(text: string, options: EngineCallOptions): AsyncIterable<PcmAudio> {
    // flite opens its -o path itself, and Node's stdout pipe is a socket it cannot open: `cat`
    // gives it a real pipe. Text and voice are passed as arguments, never interpolated.
    const [command, args] =
      this.tool === 'espeak-ng'
        ? ['espeak-ng', ['--stdout', ...(this.voice ? ['-v', this.voice] : []), '--', text]]
        : ['sh', ['-c', 'flite -t "$1" ${2:+-voice "$2"} -o /dev/stdout | cat', 'flite', text, this.voice ?? '']];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve, reject) => {
      child.once('error', (error) => reject(options.signal.aborted ? new HughError('HUGH_ERR_CANCELLED', `${this.tool}: cancelled`) : new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.tool}: cannot run it (apt install ${this.tool}): ${error.message}`)));
      child.once('close', resolve);
    });
    exited.catch(() => undefined);
    try {
      yield* wavChunks(child.stdout, this.tool);
    } catch (error) {
      await exited; // a spawn failure explains an empty stdout better than the parser does
      throw error;
    }
    const code = await exited;
    if (code !== 0 && !options.signal.aborted) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.tool} exited with ${code}: ${stderr.slice(-200)}`);
  }
}
