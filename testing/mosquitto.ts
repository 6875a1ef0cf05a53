import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './net.js';

/** A real Mosquitto broker on a given port, started and stopped by the test. */
export class Mosquitto {
  private process: ChildProcess | undefined;
  private readonly configFile: string;

  /** `security` replaces `allow_anonymous true`, e.g. with a password_file and an acl_file. */
  constructor(
    readonly port: number,
    security = 'allow_anonymous true',
  ) {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-mosquitto-'));
    this.configFile = join(dir, 'mosquitto.conf');
    writeFileSync(this.configFile, `listener ${port} 127.0.0.1\n${security}\npersistence false\nlog_dest stderr\nlog_type error\n`);
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn('mosquitto', ['-c', this.configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.process = child;
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    await waitFor(
      () =>
        new Promise<boolean>((resolve) => {
          if (child.exitCode !== null) throw new Error(`mosquitto exited: ${stderr}`);
          const socket = connect(this.port, '127.0.0.1');
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        }),
      `mosquitto on port ${this.port}`,
    );
  }

  /** SIGKILL: the broker dies as in a power cut, without closing anything cleanly. */
  async kill(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}
