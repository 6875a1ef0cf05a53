import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LOAD_SETTINGS_ENV, type LoadCommand, type LoadEvent, type LoadSettings } from './load-protocol.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type TurnEvent = Extract<LoadEvent, { e: 'turn' }>;

/** The load generator as the runner sees it: every event it sent, and commands to send. */
export class LoadProcess {
  readonly turns: TurnEvent[] = [];
  readonly welcomes: { id: string; atMs: number }[] = [];
  readonly downs: { id: string; atMs: number }[] = [];
  stopped: Extract<LoadEvent, { e: 'stopped' }> | undefined;
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly exited: Promise<number | null>;

  constructor(settings: LoadSettings) {
    // The settings hold the satellites' passwords: in the environment, not in argv (which ps shows).
    this.child = spawn(`${root}node_modules/.bin/tsx`, ['bench/soak/load.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, [LOAD_SETTINGS_ENV]: JSON.stringify(settings) } });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    let allReady: () => void;
    this.ready = new Promise((resolve, reject) => {
      allReady = resolve;
      void this.exited.then((code) => reject(new Error(`the load generator exited with ${code} before its satellites were welcomed`)));
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as LoadEvent;
      if (event.e === 'turn') this.turns.push(event);
      else if (event.e === 'ready') this.welcomes.push(event);
      else if (event.e === 'down') this.downs.push(event);
      else if (event.e === 'all-ready') allReady();
      else if (event.e === 'stopped') this.stopped = event;
    });
  }

  /** Resolves once every satellite has been welcomed the first time. */
  waitReady(): Promise<void> {
    return this.ready;
  }

  send(command: LoadCommand): void {
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /** Stops the satellites (each finishes its turn) and waits for the process to end. */
  async stop(): Promise<void> {
    this.send({ cmd: 'stop' });
    const code = await this.exited;
    if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
