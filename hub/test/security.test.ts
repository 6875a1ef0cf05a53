import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionCounter, CredentialStore, LoginGuard, RateWindow, TokenBucket } from '@hugh/hub';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hugh-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('limits', () => {
  it('RateWindow allows `limit` events in any window and then refuses until the oldest leaves it', () => {
    const window = new RateWindow(3, 60_000);
    expect([0, 1_000, 2_000, 3_000].map((t) => window.allow(t))).toEqual([true, true, true, false]);
    expect(window.allow(59_999)).toBe(false);
    expect(window.allow(60_000)).toBe(true);
  });

  it('TokenBucket passes its rate on average, a burst of one second, and refuses beyond', () => {
    const bucket = new TokenBucket(25, 0);
    const burst = Array.from({ length: 30 }, () => bucket.take(0)).filter(Boolean).length;
    expect(burst).toBe(25);
    expect(bucket.take(39)).toBe(false); // 0.975 of a token
    expect(bucket.take(40)).toBe(true);
  });

  it('ConnectionCounter counts open connections per address', () => {
    const counter = new ConnectionCounter(2);
    expect([counter.acquire('a'), counter.acquire('a'), counter.acquire('a'), counter.acquire('b')]).toEqual([true, true, false, true]);
    counter.release('a');
    expect(counter.acquire('a')).toBe(true);
  });
});

describe('credentials', () => {
  it('stores only scrypt hashes, 0600; verifies, rotates and removes', async () => {
    const file = join(dir, 'store.json');
    const store = CredentialStore.load(file);
    const first = await store.issue('satellite', 'kitchen');
    expect(readFileSync(file, 'utf8')).not.toContain(first);
    expect(readFileSync(file, 'utf8')).toMatch(/"hash": "scrypt\$16384\$8\$1\$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.verify('kitchen', first)).toEqual({ kind: 'satellite', id: 'kitchen', fingerprint: store.fingerprint('kitchen') });
    expect(await store.verify('kitchen', `${first}x`)).toBeUndefined();
    expect(await store.verify('den', first)).toBeUndefined();
    const second = await store.issue('satellite', 'kitchen');
    expect(await CredentialStore.load(file).verify('kitchen', first)).toBeUndefined();
    expect(await CredentialStore.load(file).verify('kitchen', second)).toMatchObject({ kind: 'satellite', id: 'kitchen' });
    await expect(store.issue('integration', 'kitchen')).rejects.toThrow(/already the name of an satellite/);
    await expect(store.issue('satellite', 'Bad Name')).rejects.toThrow(/lower-case letters/);
    expect(store.remove('kitchen')).toBe(true);
    expect(await store.verify('kitchen', second)).toBeUndefined();
  });

  it('`hugh-hub satellite add` prints the credentials once and stores the hash in state.dir', async () => {
    const stateDir = join(dir, 'state');
    const { stdout } = await promisify(execFile)(process.execPath, [`${root}hub/bin/hugh-hub.js`, 'satellite', 'add', 'den'], { env: { ...process.env, HUGH_STATE_DIR: stateDir } });
    const password = /password: (\S+)/.exec(stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(stdout).toContain('HUGH_SATELLITE_ID=den');
    expect(await CredentialStore.load(join(stateDir, 'credentials.json')).verify('den', password)).toMatchObject({ kind: 'satellite', id: 'den' });
    const listed = await promisify(execFile)(process.execPath, [`${root}hub/bin/hugh-hub.js`, 'satellite', 'list'], { env: { ...process.env, HUGH_STATE_DIR: stateDir } });
    expect(listed.stdout).toMatch(/^den\tsince /);
    expect(listed.stdout).not.toContain(password!);
  });
});

describe('failed logins back off per address', () => {
  const login = { kind: 'satellite' as const, id: 'kitchen', fingerprint: 'f' };

  it('hashes the first failures, then refuses before hashing for an exponentially growing wait; a success clears it', async () => {
    let nowMs = 0;
    let hashed = 0;
    const outcomes: string[] = [];
    const guard = new LoginGuard(async (_user, password) => (hashed++, password === 'right' ? login : undefined), {
      freeFailures: 3,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      now: () => nowMs,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
    for (let i = 0; i < 3; i++) expect(await guard.check('10.0.0.9', 'kitchen', 'wrong')).toBeUndefined();
    expect(hashed).toBe(3);
    expect(guard.waitMs('10.0.0.9')).toBe(100);
    expect(await guard.check('10.0.0.9', 'kitchen', 'right')).toBeUndefined(); // even the right password waits
    expect(hashed).toBe(3);
    expect(await guard.check('10.0.0.8', 'kitchen', 'right')).toEqual(login); // another address is not affected
    nowMs = 100;
    expect(await guard.check('10.0.0.9', 'kitchen', 'wrong')).toBeUndefined();
    expect(guard.waitMs('10.0.0.9')).toBe(200);
    nowMs = 300;
    expect(await guard.check('10.0.0.9', 'kitchen', 'wrong')).toBeUndefined();
    expect(guard.waitMs('10.0.0.9')).toBe(400);
    nowMs = 10_000;
    expect(await guard.check('10.0.0.9', 'kitchen', 'right')).toEqual(login);
    expect(guard.waitMs('10.0.0.9')).toBe(0);
    expect(outcomes).toEqual(['refused', 'refused', 'refused', 'locked-out', 'accepted', 'refused', 'refused', 'accepted']);
  });

  it('caps the wait at maxDelayMs', async () => {
    let nowMs = 0;
    const guard = new LoginGuard(async () => undefined, { freeFailures: 1, baseDelayMs: 100, maxDelayMs: 500, now: () => nowMs });
    for (let i = 0; i < 10; i++) {
      await guard.check('a', 'x', 'y');
      nowMs += guard.waitMs('a');
    }
    await guard.check('a', 'x', 'y');
    expect(guard.waitMs('a')).toBe(500);
  });
});
