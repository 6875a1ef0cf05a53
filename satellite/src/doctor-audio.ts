import { execFile, spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { fail, pass, writableCheck, type CheckOutcome, type DoctorCheck } from '@hugh/common';
import { pcmSamples, readWavAs16kMono } from './audio/wav.js';
import { levelDbfs } from './audio/ring-buffer.js';
import type { SatelliteConfig } from './config.js';

/** How long the microphone check records: long enough for a level, short enough to wait for. */
const CAPTURE_SAMPLES = 8_000; // 0.5 s at 16 kHz

interface Run {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a command with `input` on stdin, killed after `timeoutMs`; never rejects. */
function runCommand(command: string, args: string[], options: { timeoutMs: number; input?: Buffer; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs, ...(options.env ? { env: options.env } : {}) });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1000)));
    child.stdin.on('error', () => undefined);
    child.once('error', (error) => resolve({ code: -1, stdout: Buffer.alloc(0), stderr: error.message }));
    child.once('close', (code, signal) => resolve({ code: signal ? -1 : code, stdout: Buffer.concat(stdout), stderr: signal ? `${stderr}killed after ${options.timeoutMs} ms`.trim() : stderr.trim() }));
    child.stdin.end(options.input);
  });
}

/** The sound cards `arecord -l` or `aplay -l` lists, for a fix that says what to pick from. */
function listCards(tool: 'arecord' | 'aplay'): Promise<string> {
  return new Promise((resolve) =>
    execFile(tool, ['-l'], { timeout: 2_000 }, (_error, stdout) => {
      const cards = stdout.split('\n').filter((line) => line.startsWith('card '));
      resolve(cards.length ? `${tool} -l lists: ${cards.map((line) => line.replace(/\s*\[.*?\]/g, '')).join('; ')}` : `${tool} -l lists no sound card`);
    }),
  );
}

const lastLine = (text: string) => text.split('\n').filter(Boolean).at(-1) ?? '';

/** Half a second from the configured microphone, with its level; a file or stdin input is checked as such. */
export function captureCheck(config: SatelliteConfig, timeoutMs: number): DoctorCheck {
  const { input, device } = config.audio;
  const recorder = config.audio.recorder ?? (process.platform === 'darwin' ? 'sox' : 'arecord');
  return {
    name: 'capture',
    async run(): Promise<CheckOutcome> {
      if (input === '-') return pass('stdin (audio.input -): raw s16le 16 kHz mono from the program piping into it');
      if (input) {
        try {
          return pass(`audio.input ${input}: ${(readWavAs16kMono(input).length / 16_000).toFixed(1)} s of audio`);
        } catch (error) {
          return fail(`audio.input ${input}: ${(error as Error).message}`, 'give a readable WAV file, or unset audio.input to use the microphone');
        }
      }
      const [command, args, env] =
        recorder === 'arecord'
          ? (['arecord', ['-q', ...(device ? ['-D', device] : []), '-f', 'S16_LE', '-r', '16000', '-c', '1', '-t', 'raw', '-s', String(CAPTURE_SAMPLES)], undefined] as const)
          : ([recorder, ['-q', ...(recorder === 'sox' ? ['-d'] : []), '-t', 'raw', '-r', '16000', '-c', '1', '-b', '16', '-e', 'signed-integer', '-', 'trim', '0', '0.5'], device ? { ...process.env, AUDIODEV: device } : undefined] as const);
      const run = await runCommand(command, [...args], { timeoutMs, ...(env ? { env } : {}) });
      const what = `${command}${device ? ` -D ${device}` : ' (default device)'}`;
      if (run.code !== 0 || run.stdout.length < 2) {
        const cards = recorder === 'arecord' ? await listCards('arecord') : 'see `sox -V6 -n -t coreaudio junk` for devices';
        return fail(`${what}: ${lastLine(run.stderr) || `exited with ${run.code}`}`, `plug in a microphone and set audio.device (HUGH_AUDIO_DEVICE), e.g. plughw:1,0; ${cards}`);
      }
      const samples = pcmSamples(run.stdout.subarray(0, run.stdout.length - (run.stdout.length % 2)));
      const level = levelDbfs(samples);
      if (samples.every((sample) => sample === 0)) return fail(`${what}: 0.5 s of digital silence (every sample 0)`, 'unmute the capture channel (alsamixer, F4) or pick another device');
      return pass(`${what}: 0.5 s recorded, level ${level.toFixed(1)} dBFS`);
    },
  };
}

/** The reply output: a tenth of a second of silence through the speaker's device, or a writable folder. */
export function playbackCheck(config: SatelliteConfig, timeoutMs: number): DoctorCheck {
  const output = config.audio.output;
  if (output === 'none') return { name: 'playback', run: async () => pass('audio.output none: replies are not played') };
  if (output !== 'speaker') {
    const isFolder = (() => {
      try {
        return statSync(output).isDirectory();
      } catch {
        return true; // created on the first reply
      }
    })();
    if (!isFolder) return { name: 'playback', run: async () => fail(`audio.output ${output} is a file, not a folder`, 'set audio.output to speaker, none or a folder') };
    return writableCheck('playback', output);
  }
  return {
    name: 'playback',
    async run() {
      if (process.platform === 'darwin') return pass('speaker through CoreAudio (not probed on macOS)');
      // Silence: the check must not make a sound in the room.
      const run = await runCommand('aplay', ['-q', '-t', 'raw', '-f', 'S16_LE', '-r', '16000', '-c', '1'], { timeoutMs, input: Buffer.alloc(3_200) });
      if (run.code === 0) return pass('aplay played 0.1 s of silence on the default device (the one the speaker uses)');
      return fail(`aplay (default device): ${lastLine(run.stderr) || `exited with ${run.code}`}`, `connect a speaker and make it ALSA's default (~hugh/.asoundrc, see deploy/pi/README.md); ${await listCards('aplay')}`);
    },
  };
}
