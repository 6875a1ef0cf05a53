import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { CredentialStore, TimerService } from '@hugh/hub';
import { prng } from '../testing/fuzz.js';
import { HubProcess } from '../testing/hub-process.js';
import { freePort, waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';

/**
 * Every file the hub writes survives a crash at any point as its old or its new version: the test
 * SIGKILLs writers at seeded random moments during many writes and checks that each file parses.
 *
 * What this does and does not show: kill -9 is a crash of the process; the kernel still writes out
 * what the process had written. A torn file here means the writer replaced a file in place (truncate,
 * then write). A power cut also loses what sat in the page cache; what protects against that is the
 * fsync of each temporary file and of its directory before and after the rename (writeFileAtomic),
 * and SQLite's WAL with synchronous=FULL. A power cut cannot be made here; those calls are in the code.
 */
const SEED = 20_261_202;
const ROUNDS = 20;
const STORE_WRITER = fileURLToPath(new URL('../testing/store-writer.mjs', import.meta.url));

/** The JSON of `file`; a torn file throws naming it. */
function parseJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is torn (${text.length} bytes): ${(error as Error).message}`);
  }
}

/** Throws, naming the file, unless every file of the state dir is whole: JSON that parses to the expected shape, a sound SQLite file with JSON rows. */
function checkStateDir(dir: string): { temporaries: string[]; timers: number; credentials: number; outboxRows: number } {
  const timersFile = join(dir, 'timers.json');
  let timers = 0;
  if (existsSync(timersFile)) {
    const list = parseJson(timersFile);
    expect(Array.isArray(list), timersFile).toBe(true);
    for (const timer of list as Record<string, unknown>[]) expect(timer, timersFile).toEqual({ satelliteId: expect.stringMatching(/^(sat-\d+|s\d+)$/), durationMs: expect.any(Number), endsAtMs: expect.any(Number) });
    timers = (list as unknown[]).length;
  }
  const credentialsFile = join(dir, 'credentials.json');
  let credentials = 0;
  if (existsSync(credentialsFile)) {
    const parsed = parseJson(credentialsFile) as { credentials: Record<string, { kind: string; hash: string }> };
    for (const entry of Object.values(parsed.credentials)) expect(entry, credentialsFile).toMatchObject({ kind: 'satellite', hash: expect.stringMatching(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/) });
    credentials = Object.keys(parsed.credentials).length;
  }
  const outboxFile = join(dir, 'outbox.sqlite');
  let outboxRows = 0;
  if (existsSync(outboxFile)) {
    // Opening replays (or discards) the WAL the killed writer left, as the hub's next start would.
    const db = new Database(outboxFile);
    try {
      expect(db.pragma('integrity_check', { simple: true }), outboxFile).toBe('ok');
      const rows = db.prepare('SELECT key, record FROM outbox').all() as { key: string; record: string }[];
      for (const row of rows) expect((JSON.parse(row.record) as { key: string }).key, outboxFile).toBe(row.key);
      outboxRows = rows.length;
    } finally {
      db.close();
    }
  }
  return { temporaries: readdirSync(dir).filter((name) => name.endsWith('.tmp')), timers, credentials, outboxRows };
}

describe('power cut (kill -9 at random points during many writes)', () => {
  const dirs: string[] = [];
  const newDir = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `hugh-power-cut-${name}-`));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it(`the hub's stores (timers, credentials, outbox) writing flat out, killed ${ROUNDS} times: every file parses, no torn file, leftovers removed on the next start`, async () => {
    const dir = newDir('stores');
    const random = prng(SEED);
    let killedMidWrite = 0;
    let last = { temporaries: [] as string[], timers: 0, credentials: 0, outboxRows: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const child = spawn(process.execPath, [STORE_WRITER, dir, String(SEED + round)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await waitFor(() => {
        if (child.exitCode !== null) throw new Error(`the store writer exited with ${child.exitCode}: ${stderr}`);
        return stdout.includes('writing');
      }, 'the store writer to start writing');
      // A deliberate sleep, not a wait for an event: the random delay is the kill point (10–150 ms into the writes, hundreds of them by then).
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(random() * 140)));
      child.kill('SIGKILL');
      await exited;
      last = checkStateDir(dir);
      if (last.temporaries.length > 0) killedMidWrite++;
    }
    // The kills did land inside writes (a temporary file was being written), and the files still parse.
    expect(killedMidWrite).toBeGreaterThan(0);
    expect(last.timers + last.credentials + last.outboxRows).toBeGreaterThan(0);
    // The next start removes what a killed writer left; the stores load.
    new TimerService(join(dir, 'timers.json'), silentLogger()).close();
    CredentialStore.load(join(dir, 'credentials.json'));
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    process.stdout.write(`power-cut: ${ROUNDS} kills, ${killedMidWrite} mid-write (a *.tmp present); last state: ${JSON.stringify({ ...last, temporaries: last.temporaries.length })}\n`);
  }, 60_000);

  it('the real hub binary setting timers as fast as it is asked, killed 3 times: timers.json parses each time and the timers come back', async () => {
    const dir = newDir('hub');
    const stateDir = join(dir, 'state');
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'hub.json'),
      JSON.stringify({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port: mqttPort }, http: { host: '127.0.0.1', port: httpPort }, state: { dir: stateDir }, vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') } }),
    );
    const hub = new HubProcess(['--config', join(dir, 'hub.json')]);
    const random = prng(SEED + 1);
    try {
      for (let round = 0; round < 3; round++) {
        await hub.start();
        // The dashboard's typed questions reach the same local intent a spoken one does: one timers write each.
        let answered = 0;
        let stop = false;
        const ask = async (worker: number) => {
          for (let i = 0; !stop; i++) {
            const satelliteId = `s${(worker * 7 + i) % 30}`;
            await fetch(`http://127.0.0.1:${httpPort}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: `set a timer for ${1 + ((i + worker) % 50)} minutes`, satelliteId }) })
              .then(async (response) => {
                if (response.ok) answered++;
                await response.body?.cancel();
              })
              .catch(() => (stop = true));
          }
        };
        const workers = [0, 1, 2, 3].map((worker) => ask(worker));
        await waitFor(() => answered >= 20, 'the hub to be setting timers');
        // A deliberate sleep, not a wait for an event: the random delay is the kill point, while four clients keep it writing.
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 200)));
        await hub.kill();
        stop = true;
        await Promise.all(workers);
        const state = checkStateDir(stateDir);
        expect(state.timers).toBeGreaterThan(0);
      }
      // The last start finds the timers of the file (and removes a leftover temporary file).
      await hub.start();
      const health = (await (await fetch(`http://127.0.0.1:${httpPort}/api/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'how long is left on the timer', satelliteId: 's1' }) })).json()) as { reply: string };
      expect(health.reply).toMatch(/left/);
      expect(readdirSync(stateDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      await hub.kill();
    }
  }, 60_000);
});
