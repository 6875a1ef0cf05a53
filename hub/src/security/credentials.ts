import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { removeStaleTemporaries, writeFileAtomic } from '@hugh/common';
import { HughError } from '@hugh/protocol';

/**
 * Who a login is: a satellite (its own topics only), a Rhasspy site (its own Hermes audio server and
 * hotword topics; id = its site id) or an integration (events and commands, never audio).
 */
export interface Principal {
  kind: 'satellite' | 'rhasspy' | 'integration';
  id: string;
}

/** A verified login: who, and which version of its credentials (changes on rotate), so a live connection can be revoked. */
export interface Login extends Principal {
  fingerprint: string;
}

interface StoredCredential {
  kind: Principal['kind'];
  /** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
  hash: string;
  createdMs: number;
}

const ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SCRYPT = { N: 16_384, r: 8, p: 1, keyBytes: 32 };
/** Hashed for unknown usernames, so that a refusal takes as long whether or not the name exists. */
const DUMMY_SALT = Buffer.alloc(16, 0x5a);

function derive(password: string, salt: Buffer, N: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, SCRYPT.keyBytes, { N, r, p, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key))));
}

/**
 * Per-satellite and per-integration passwords, stored as scrypt hashes in one JSON file (mode 0600),
 * so a copy of the hub's disk does not give the passwords away. `hugh-hub satellite …` writes the
 * file (atomically); a running hub re-reads it when it changes (see CredentialWatcher) or on SIGHUP.
 */
export class CredentialStore {
  private constructor(
    readonly file: string,
    private entries: Record<string, StoredCredential>,
  ) {}

  static load(file: string): CredentialStore {
    // A writer that crashed mid-save leaves at most `credentials.json.<pid>.tmp`: never read, removed.
    removeStaleTemporaries(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new CredentialStore(file, {});
      throw new HughError('HUGH_ERR_CONFIG_INVALID', `auth.credentialsFile: cannot read ${file}: ${(error as Error).message}`);
    }
    try {
      return new CredentialStore(file, (JSON.parse(text) as { credentials: Record<string, StoredCredential> }).credentials ?? {});
    } catch (error) {
      throw new HughError('HUGH_ERR_CONFIG_INVALID', `auth.credentialsFile: ${file} is not valid JSON: ${(error as Error).message}`);
    }
  }

  /** Re-reads the file (after `hugh-hub satellite add` in another process). Throws, keeping the old entries, if it is unreadable. */
  reload(): void {
    this.entries = CredentialStore.load(this.file).entries;
  }

  /** The current version of `id`'s credentials; undefined once removed. A login whose fingerprint differs is stale. */
  fingerprint(id: string): string | undefined {
    return Object.hasOwn(this.entries, id) ? this.entries[id]!.hash : undefined;
  }

  list(): (Principal & { createdMs: number })[] {
    return Object.entries(this.entries).map(([id, entry]) => ({ id, kind: entry.kind, createdMs: entry.createdMs }));
  }

  has(id: string): boolean {
    return Object.hasOwn(this.entries, id);
  }

  /**
   * The login for a correct username and password; undefined for anything else. An unknown username
   * costs the same scrypt as a known one, so the time of a refusal says nothing about which names exist.
   */
  async verify(username: string | undefined, password: string | Buffer | undefined): Promise<Login | undefined> {
    const entry = username && Object.hasOwn(this.entries, username) ? this.entries[username]! : undefined;
    const [scheme, N, r, p, salt, hash] = (entry?.hash ?? '').split('$');
    const known = entry !== undefined && scheme === 'scrypt' && salt !== undefined && hash !== undefined;
    const actual = known
      ? await derive((password ?? '').toString(), Buffer.from(salt, 'base64'), Number(N), Number(r), Number(p))
      : await derive((password ?? '').toString(), DUMMY_SALT, SCRYPT.N, SCRYPT.r, SCRYPT.p);
    if (!known || password === undefined) return undefined;
    const expected = Buffer.from(hash, 'base64');
    return actual.length === expected.length && timingSafeEqual(actual, expected) ? { kind: entry.kind, id: username!, fingerprint: entry.hash } : undefined;
  }

  /** Creates or replaces (rotates) the credentials of `id`; returns the new password, shown once. */
  async issue(kind: Principal['kind'], id: string): Promise<string> {
    if (!ID.test(id)) throw new HughError('HUGH_ERR_CONFIG_INVALID', `${kind} id ${JSON.stringify(id)}: use lower-case letters, digits, - and _ (at most 63)`);
    const existing = this.entries[id];
    if (existing && existing.kind !== kind) throw new HughError('HUGH_ERR_CONFIG_INVALID', `${id} is already the name of an ${existing.kind}`);
    const password = randomBytes(24).toString('base64url');
    const salt = randomBytes(16);
    const key = await derive(password, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p);
    this.save({ ...this.entries, [id]: { kind, hash: ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$'), createdMs: Date.now() } });
    return password;
  }

  remove(id: string): boolean {
    if (!this.has(id)) return false;
    const { [id]: _removed, ...rest } = this.entries;
    this.save(rest);
    return true;
  }

  /**
   * Writes `entries` and only then makes them the store's: a refused write (disk full, read-only)
   * throws HUGH_ERR_STORAGE_UNAVAILABLE and changes nothing, in the file or in memory.
   */
  private save(entries: Record<string, StoredCredential>): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      writeFileAtomic(this.file, `${JSON.stringify({ credentials: entries }, null, 2)}\n`, 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'UNKNOWN';
      throw new HughError('HUGH_ERR_STORAGE_UNAVAILABLE', `credentials not saved (${code}): cannot write ${this.file}; nothing changed, the credentials already issued still work`, { cause: error });
    }
    this.entries = entries;
  }
}

/** Username and password of an `Authorization: Basic …` header; empty when there is none or it is malformed. */
export function parseBasicAuth(header: string | undefined): { username?: string; password?: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return {};
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? {} : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
