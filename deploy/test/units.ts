import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { collectLogLines, type LogLine } from '../../testing/hub-process.js';

/** What a systemd service unit says about how its program runs. */
export interface ServiceUnit {
  execStart: string[];
  user?: string;
  group?: string;
  workingDirectory?: string;
  environment: Record<string, string>;
  /** In order; a leading `-` in the unit makes a missing file fine. */
  environmentFiles: { path: string; optional: boolean }[];
}

/** Splits a systemd command line or Environment= value: whitespace-separated, double quotes group. */
function words(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((match) => match[1] ?? match[2]!);
}

/** The [Service] section of a unit file (systemd.unit(5) syntax: continuation lines, comments). */
export function parseServiceUnit(text: string): ServiceUnit {
  const unit: ServiceUnit = { execStart: [], environment: {}, environmentFiles: [] };
  let section = '';
  for (const line of text.replace(/\\\n/g, ' ').split('\n').map((raw) => raw.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      section = line;
      continue;
    }
    if (section !== '[Service]') continue;
    const [key, value] = [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)];
    if (key === 'ExecStart') unit.execStart = words(value.replace(/^[-@+!:]+/, ''));
    else if (key === 'User') unit.user = value;
    else if (key === 'Group') unit.group = value;
    else if (key === 'WorkingDirectory') unit.workingDirectory = value;
    else if (key === 'Environment') for (const pair of words(value)) unit.environment[pair.slice(0, pair.indexOf('='))] = pair.slice(pair.indexOf('=') + 1);
    else if (key === 'EnvironmentFile') unit.environmentFiles.push({ path: value.replace(/^-/, ''), optional: value.startsWith('-') });
  }
  return unit;
}

/** KEY=VALUE lines as systemd reads an EnvironmentFile (comments, blank lines, optional quotes). */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n').map((raw) => raw.trim())) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
  }
  return env;
}

/**
 * An installed unit's ExecStart, started as systemd would without being PID 1: as its User and
 * Group (with that user's supplementary groups, through setpriv), in its WorkingDirectory, with
 * only systemd's base environment, its Environment= lines and its EnvironmentFile(s), plus `extra`
 * (the test's own overrides). Its JSON log lines are collected.
 */
export class UnitProcess {
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(unitFile: string, extra: Record<string, string> = {}) {
    const unit = parseServiceUnit(readFileSync(unitFile, 'utf8'));
    const user = unit.user ?? 'root';
    const home = execFileSync('getent', ['passwd', user], { encoding: 'utf8' }).split(':')[5]!;
    const env: Record<string, string> = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: home, USER: user, LOGNAME: user, ...unit.environment };
    for (const file of unit.environmentFiles) {
      if (!existsSync(file.path) && file.optional) continue;
      Object.assign(env, parseEnvironmentFile(readFileSync(file.path, 'utf8')));
    }
    Object.assign(env, extra);
    const [command, ...args] = unit.execStart;
    this.child = spawn('setpriv', [`--reuid=${user}`, `--regid=${unit.group ?? user}`, '--init-groups', '--', command!, ...args], {
      cwd: unit.workingDirectory ?? '/',
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    collectLogLines(this.child.stdout!, this.lines);
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  find(msg: string): LogLine[] {
    return this.lines.filter((line) => line.msg === msg);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await this.exited;
  }
}
