import type { Login } from './credentials.js';

export type LoginOutcome = 'accepted' | 'refused' | 'locked-out';

export interface LoginGuardOptions {
  /** Failed logins from one address before it has to wait. */
  freeFailures: number;
  /** The first wait; each further failure doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  now?: () => number;
  onOutcome?: (outcome: LoginOutcome, address: string) => void;
}

interface Record {
  failures: number;
  lockedUntilMs: number;
  lastMs: number;
}

/** Addresses remembered at most; the oldest are forgotten first (a spray from many addresses must not grow memory). */
const MAX_ADDRESSES = 4096;
/** An address with no failure for this long starts afresh. */
const FORGET_AFTER_MS = 15 * 60_000;

/**
 * Per-address back-off for failed logins, in front of the scrypt check shared by MQTT, WebSocket and
 * HTTP. After `freeFailures` failures an address must wait (exponentially longer each time) before its
 * next attempt is even hashed: a password-guessing loop costs the hub almost nothing and cannot
 * starve the hashing threads that good satellites need. A success clears the address's record.
 */
export class LoginGuard {
  private readonly records = new Map<string, Record>();
  private readonly now: () => number;

  constructor(
    private readonly verify: (username: string | undefined, password: string | Buffer | undefined) => Promise<Login | undefined>,
    private readonly options: LoginGuardOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The login, or undefined: refused by the credentials, or before hashing while the address must wait. */
  async check(address: string, username: string | undefined, password: string | Buffer | undefined): Promise<Login | undefined> {
    const record = this.records.get(address);
    if (record && this.now() < record.lockedUntilMs) {
      this.options.onOutcome?.('locked-out', address);
      return undefined;
    }
    const login = await this.verify(username, password);
    if (login) {
      this.records.delete(address);
      this.options.onOutcome?.('accepted', address);
      return login;
    }
    this.fail(address);
    this.options.onOutcome?.('refused', address);
    return undefined;
  }

  /** Milliseconds `address` must still wait before its next attempt is checked (0: none). */
  waitMs(address: string): number {
    const record = this.records.get(address);
    return record ? Math.max(0, record.lockedUntilMs - this.now()) : 0;
  }

  private fail(address: string): void {
    const nowMs = this.now();
    const previous = this.records.get(address);
    const record = previous && nowMs - previous.lastMs < FORGET_AFTER_MS ? previous : { failures: 0, lockedUntilMs: 0, lastMs: nowMs };
    this.records.delete(address); // re-inserted below: Map order is then "least recently failed first"
    record.failures++;
    record.lastMs = nowMs;
    const over = record.failures - this.options.freeFailures;
    if (over >= 0) record.lockedUntilMs = nowMs + Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(over, 30));
    this.records.set(address, record);
    if (this.records.size > MAX_ADDRESSES) this.records.delete(this.records.keys().next().value!);
  }
}
