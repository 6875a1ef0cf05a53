import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '../../testing/net.js';
import { synthesize, VOICES } from '../../testing/speech.js';
import { UnitProcess } from './units.js';

/*
 * The three install scripts, run for real on this machine as root, the way CI's fresh Debian runs
 * them: packages, the hugh user, /opt/hugh, /etc/hugh, units, models. systemd is not PID 1 here, so
 * the scripts skip enabling the units; the test then starts each unit's ExecStart itself (as its
 * User, with its environment and working directory) and has the installed satellite talk to the
 * installed hub. It installs H.U.G.H. on the machine: scripts/test.sh runs it only with
 * HUGH_INSTALL_TEST=1 (CI sets it). Everything it installed is removed at the end, except the user.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const models = JSON.parse(readFileSync(`${root}scripts/models.json`, 'utf8')) as { files: { path: string; sha256: string }[] };
const UNITS = ['hugh-hub', 'hugh-satellite', 'hugh-worker'];
const TEST_DIR = '/var/lib/hugh/install-test';

async function install(script: string): Promise<string> {
  const startedMs = Date.now();
  const { stdout } = await run('bash', [`${root}deploy/${script}/install.sh`], { maxBuffer: 64 * 1024 * 1024 });
  console.log(`deploy/${script}/install.sh: ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
  return stdout;
}

/** The installed command as the hugh user (as README says: `sudo -u hugh hugh-hub …`). */
async function asHugh(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string }> {
  return run('setpriv', ['--reuid=hugh', '--regid=hugh', '--init-groups', '--', 'env', ...Object.entries(env).map(([key, value]) => `${key}=${value}`), `/usr/local/bin/${command}`, ...args], { cwd: '/var/lib/hugh' }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

describe('deploy/*/install.sh on this machine', () => {
  const running: UnitProcess[] = [];
  let ports: { mqtt: number; http: number };
  let password = '';
  const dataExistedBefore = existsSync('/var/lib/hugh');

  beforeAll(async () => {
    if (process.env.HUGH_INSTALL_TEST !== '1') throw new Error('the install test installs H.U.G.H. on this machine: set HUGH_INSTALL_TEST=1 to run it, on a throwaway machine');
    if (process.getuid?.() !== 0) throw new Error('the install test runs the install scripts as root: run it as root on a throwaway machine');
    if (existsSync('/run/systemd/system')) throw new Error('systemd runs this machine: the scripts would enable and start real services here; run this test where systemd is not PID 1 (a container, CI)');
    for (const path of ['/opt/hugh', '/etc/hugh']) if (existsSync(path)) throw new Error(`${path} exists: this machine has an installation the test would overwrite`);
    ports = { mqtt: await freePort(), http: await freePort() };
    // systemd-analyze verifies units without systemd running; a bare Debian image lacks the package.
    await run('sh', ['-c', 'command -v systemd-analyze || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd)']);
  });

  afterAll(async () => {
    for (const unit of running) await unit.stop();
    for (const path of ['/opt/hugh', '/etc/hugh', ...UNITS.map((unit) => `/etc/systemd/system/${unit}.service`), ...['hugh-hub', 'hugh-satellite', 'hugh-worker'].map((name) => `/usr/local/bin/${name}`)]) rmSync(path, { recursive: true, force: true });
    if (dataExistedBefore) for (const path of ['models', 'state', 'install-test']) rmSync(join('/var/lib/hugh', path), { recursive: true, force: true });
    else rmSync('/var/lib/hugh', { recursive: true, force: true });
  });

  /** The installed hub and satellite units, started as systemd would; resolves when the satellite's turn is done. */
  async function spokenTurn(): Promise<{ hub: UnitProcess; satellite: UnitProcess }> {
    const hub = new UnitProcess('/etc/systemd/system/hugh-hub.service', { HUGH_MQTT_PORT: String(ports.mqtt), HUGH_HTTP_PORT: String(ports.http) });
    running.push(hub);
    await waitFor(() => {
      if (hub.child.exitCode !== null) throw new Error(`hugh-hub exited: ${hub.stderr}`);
      return hub.find('hub ready').length > 0;
    }, 'the installed hub to be ready', 30_000);
    const replies = join(TEST_DIR, `replies-${Date.now()}`);
    // The Pi has no microphone here: a file is its input, a folder its speaker (env overrides).
    const satellite = new UnitProcess('/etc/systemd/system/hugh-satellite.service', {
      HUGH_HUB_URL: `mqtt://127.0.0.1:${ports.mqtt}`,
      HUGH_INPUT: join(TEST_DIR, 'question.wav'),
      HUGH_OUTPUT: replies,
      HUGH_ONCE: 'true',
    });
    running.push(satellite);
    const code = await Promise.race([satellite.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no turn within 60 s: ${satellite.stderr}`)), 60_000))]);
    expect(code, satellite.stderr).toBe(0);
    const record = await waitFor(() => hub.find('turn record')[0], 'the turn record', 5_000);
    expect(record.turnRecord).toMatchObject({ satelliteId: 'kitchen', outcome: 'answered', keyword: 'hey_jarvis', replyText: expect.stringMatching(/^It's /) });
    expect(readdirSync(replies).filter((file) => file.startsWith('reply-'))).not.toHaveLength(0);
    return { hub, satellite };
  }

  it('installs the hub, a satellite and the LLM worker: packages, user, /opt/hugh, config and env files, models, commands, units', async () => {
    const outputs = [await install('vm-vocal'), await install('pi'), await install('vm-llm')];
    for (const [index, unit] of ['hugh-hub', 'hugh-satellite'].entries()) {
      expect(outputs[index]).toContain('systemd is not running here (PID 1 is ');
      expect(outputs[index]).toContain(`Under systemd: systemctl daemon-reload && systemctl enable --now ${unit}`);
    }
    expect(outputs[2]).toContain('Edit /etc/hugh/worker.env');

    const { stdout: groups } = await run('id', ['-nG', 'hugh']);
    expect(groups.trim().split(' ')).toEqual(expect.arrayContaining(['hugh', 'audio']));
    expect(existsSync('/opt/hugh/hub/dist/cli.js') && existsSync('/opt/hugh/satellite/dist/cli.js') && existsSync('/opt/hugh/worker/dist/cli.js')).toBe(true);
    expect(existsSync('/opt/hugh/node_modules/typescript'), 'dev dependencies are pruned').toBe(false);
    expect(existsSync('/opt/hugh/.cache') || existsSync('/opt/hugh/.git'), 'caches and .git stay out').toBe(false);
    for (const file of ['hub.yaml', 'hub.env', 'satellite.yaml', 'satellite.env', 'worker.env']) {
      const info = statSync(`/etc/hugh/${file}`);
      expect({ file, mode: (info.mode & 0o777).toString(8), uid: info.uid }).toEqual({ file, mode: '640', uid: 0 });
    }
    expect(readFileSync('/etc/hugh/satellite.yaml', 'utf8')).toMatch(/^id: [a-z0-9_-]+$/m);
    for (const file of models.files) {
      const path = `/var/lib/hugh/models/${file.path}`;
      expect(sha256(path), path).toBe(file.sha256);
    }
    for (const unit of UNITS) {
      const { stdout, stderr } = await run('systemd-analyze', ['verify', `/etc/systemd/system/${unit}.service`]);
      expect(`${stdout}${stderr}`, `systemd-analyze verify ${unit}`).toBe('');
    }
  });

  it('a satellite installed this way is welcomed by a hub installed this way and completes a spoken turn', async () => {
    // As README says: credentials from the hub, as the hugh user, into the satellite's env file.
    const added = await asHugh('hugh-hub', ['satellite', 'add', 'kitchen']);
    expect(added.code).toBe(0);
    password = /password: (\S+)/.exec(added.stdout)![1]!;
    appendFileSync('/etc/hugh/satellite.env', `HUGH_SATELLITE_ID=kitchen\nHUGH_SATELLITE_PASSWORD=${password}\n`);
    mkdirSync(TEST_DIR, { recursive: true });
    writeFileSync(join(TEST_DIR, 'question.wav'), readFileSync(synthesize('hey jarvis, what time is it', VOICES[0]!, { padS: 1 })));
    chownSync(TEST_DIR, ...hughIds());
    chownSync(join(TEST_DIR, 'question.wav'), ...hughIds());

    const { hub } = await spokenTurn();
    expect(hub.find('satellite connected')[0], 'the hub welcomed kitchen').toMatchObject({ satelliteId: 'kitchen' });

    // The installed doctors, through the installed commands, see what the services see.
    const satelliteDoctor = await asHugh('hugh-satellite', ['doctor'], { HUGH_HUB_URL: `mqtt://127.0.0.1:${ports.mqtt}`, HUGH_INPUT: join(TEST_DIR, 'question.wav'), HUGH_OUTPUT: join(TEST_DIR, 'doctor-replies') });
    expect(satelliteDoctor, satelliteDoctor.stdout).toMatchObject({ code: 0 });
    expect(satelliteDoctor.stdout).toContain("✔ login: kitchen's login accepted; the hub is online");
    const hubDoctor = await asHugh('hugh-hub', ['doctor'], { HUGH_MQTT_PORT: String(ports.mqtt), HUGH_HTTP_PORT: String(ports.http) });
    for (const name of ['config', 'models', 'state.dir', 'logins', 'ports', 'stt pocketsphinx', 'tts espeak-ng']) expect(hubDoctor.stdout, hubDoctor.stdout).toMatch(new RegExp(`^✔ ${name}: `, 'm'));
    expect(hubDoctor.stdout).toMatch(/^✔ logins: on, 1 satellite\(s\)/m);
    // No GPU engines on this machine: the example config's whisper.cpp is named as down, and doctor says so by its exit code.
    expect(hubDoctor.stdout).toMatch(/^✘ stt whisper-cpp http:\/\/127\.0\.0\.1:8080: .* → start whisper-server/m);
    expect(hubDoctor.code).toBe(1);
    for (const unit of running.splice(0)) await unit.stop();
  });

  it('running the install scripts again upgrades in place and keeps config, credentials and state', async () => {
    appendFileSync('/etc/hugh/satellite.yaml', '# kept across upgrades\n');
    appendFileSync('/etc/hugh/hub.yaml', '# kept across upgrades\n');
    writeFileSync('/var/lib/hugh/state/kept.txt', 'state');
    const kept = ['/etc/hugh/hub.yaml', '/etc/hugh/hub.env', '/etc/hugh/satellite.yaml', '/etc/hugh/satellite.env', '/etc/hugh/worker.env', '/var/lib/hugh/state/credentials.json', '/var/lib/hugh/state/kept.txt'];
    const before = Object.fromEntries(kept.map((file) => [file, sha256(file)]));

    const outputs = [await install('vm-vocal'), await install('pi')];
    for (const output of outputs) expect(output).toContain('dependencies unchanged: keeping node_modules');
    expect(outputs[0]).toContain('kept /etc/hugh/hub.yaml');
    expect(outputs[1]).toContain('kept /etc/hugh/satellite.env');
    expect(Object.fromEntries(kept.map((file) => [file, sha256(file)]))).toEqual(before);
    expect(existsSync('/opt/hugh/node_modules/typescript'), 'dev dependencies are pruned again').toBe(false);

    // The same password still logs in after the upgrade.
    await spokenTurn();
  });
});

function hughIds(): [number, number] {
  const stat = statSync('/var/lib/hugh');
  return [stat.uid, stat.gid];
}
