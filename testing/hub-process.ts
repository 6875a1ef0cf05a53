import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { waitFor } from './net.js';

const HUB_BIN = fileURLToPath(new URL('../hub/bin/hugh-hub.js', import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

/** Appends each line a program writes to `lines`: parsed when it is JSON (pino), else as `{msg}`. */
export function collectLogLines(stream: Readable, lines: LogLine[]): void {
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      try {
        lines.push(JSON.parse(line) as LogLine);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
}

/** The real `hugh-hub` binary in a child process; its JSON log lines are collected for assertions. */
export class HubProcess {
  readonly lines: LogLine[] = [];
  /** What the hub wrote to stderr (start-up failures; nothing else should go there). */
  stderr = '';
  private child: ChildProcess | undefined;

  constructor(
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv = {},
  ) {}

  async start(): Promise<void> {
    this.lines.length = 0;
    const child = spawn(process.execPath, [HUB_BIN, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HUGH_LOG_LEVEL: 'debug', ...this.env } });
    this.child = child;
    let stderr = '';
    collectLogLines(child.stdout!, this.lines);
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      this.stderr += chunk;
    });
    await waitFor(() => {
      if (child.exitCode !== null) throw new Error(`hugh-hub exited with ${child.exitCode}: ${stderr}`);
      return this.lines.some((line) => line.msg === 'hub ready');
    }, 'hugh-hub to be ready');
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGKILL: no clean shutdown, sockets die with the process. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  find(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }
}
