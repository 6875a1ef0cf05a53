import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../testing/shared.js';

/**
 * common/'s index once pulled Convex's client, ws and the LLM clients into every program: on a Pi
 * that is memory spent on nothing. The satellite's resolved module list must hold none of them.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

async function modulesOf(hubUrl: string): Promise<string[]> {
  const log = join(mkdtempSync(join(tmpdir(), 'hugh-modules-')), 'modules.txt');
  const child = spawn(
    process.execPath,
    ['--import', './testing/module-log.mjs', 'satellite/bin/hugh-satellite.js', '--hub', hubUrl, '--input', sharedPath('audio/jfk.wav'), '--output', 'none', '--models-dir', sharedPath('models/openwakeword')],
    { cwd: root, env: { ...process.env, HUGH_MODULE_LOG: log, HUGH_LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Started (every static import loaded, the link's module too): then it may stop.
  await new Promise<void>((resolve) => child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('satellite starting') && resolve()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  await exited;
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

// ws itself is not on the list: mqtt.js loads it for its own WebSocket transport, and the WebSocket link needs it.
const FORBIDDEN = [/node_modules\/convex\//, /common\/dist\/clients\.js/, /common\/dist\/(llm|convex)\//, /node_modules\/eventsource-parser\//];

describe("the satellite's resolved modules", () => {
  it.each([['mqtt://127.0.0.1:1'], ['ws://127.0.0.1:1']])('with --hub %s: no Convex client and no LLM client', async (hubUrl) => {
    const modules = await modulesOf(hubUrl);
    expect(modules.some((path) => path.includes('satellite/dist/'))).toBe(true);
    expect(modules.some((path) => path.includes('common/dist/index.js'))).toBe(true);
    for (const pattern of FORBIDDEN) expect(modules.filter((path) => pattern.test(path)), String(pattern)).toEqual([]);
  });
});
