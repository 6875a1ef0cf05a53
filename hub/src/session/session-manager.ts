import type { Logger } from '@hugh/common';
import {
  HughError,
  decodeAudioFrame,
  decodeSatelliteMessage,
  hubMessage,
  toHughError,
  type SatelliteMessage,
} from '@hugh/protocol';
import type { LinkInputs, SatelliteLink } from '../transport/link.js';
import { WakeArbiter } from './arbiter.js';
import { RateWindow, TokenBucket } from '../security/limits.js';
import { ErrorBudget } from './error-budget.js';
import { SatelliteSession, type SessionOptions } from './session.js';

export interface SessionManagerOptions extends SessionOptions {
  /** Bad inputs tolerated per link within `errorWindowMs` before it is disconnected. */
  maxErrors: number;
  errorWindowMs: number;
  /** Window in which wake words from several satellites are one event (0: no arbitration). */
  arbitrationWindowMs: number;
  /** Messages and frames per second per link; beyond, each is refused with HUGH_ERR_RATE_LIMITED. */
  messagesPerSecond?: number;
  /** Turns a satellite may start per minute. */
  turnsPerMinute?: number;
}

/**
 * The one place where raw input from any transport is validated and routed. A bad input costs
 * its sender a coded error (and, repeated, its connection); it never throws out of here.
 */
export class SessionManager implements LinkInputs {
  private readonly byId = new Map<string, SatelliteSession>();
  private readonly byLink = new Map<SatelliteLink, SatelliteSession>();
  private readonly budgets = new Map<SatelliteLink, ErrorBudget>();
  private readonly rates = new Map<SatelliteLink, TokenBucket>();
  private readonly turnRates = new Map<string, RateWindow>();
  private readonly logger: Logger;
  private readonly arbiter: WakeArbiter;

  constructor(private readonly options: SessionManagerOptions) {
    this.logger = options.logger;
    this.arbiter = new WakeArbiter(options.arbitrationWindowMs, (winner, losers) => {
      for (const loser of losers) {
        const session = this.byId.get(loser.satelliteId);
        if (session?.activeTurn?.turnId !== loser.turnId) continue;
        this.logger.info({ satelliteId: loser.satelliteId, winner: winner.satelliteId, levelDbfs: loser.wake.levelDbfs, winnerLevelDbfs: winner.wake.levelDbfs }, 'wake arbitration lost');
        session.cancelTurn('arbitration-lost', true);
        options.events.emit('arbitration-lost', loser.satelliteId, loser.turnId, winner.satelliteId);
      }
    });
    options.events.on('wake', (satelliteId, wake) => this.arbiter.report({ satelliteId, turnId: wake.turnId, wake }));
  }

  get sessions(): ReadonlyMap<string, SatelliteSession> {
    return this.byId;
  }

  onControl(link: SatelliteLink, raw: Uint8Array | string): void {
    try {
      this.checkRate(link);
      const message = decodeSatelliteMessage(raw);
      if (message.type === 'hello') {
        if (link.identity !== undefined && link.identity !== message.satelliteId) {
          // The satellite as a whole is refused (`reject`): it stops saying hello on this connection.
          this.reject(link, new HughError('HUGH_ERR_SATELLITE_MISMATCH', `hello for ${message.satelliteId} on the connection of ${link.identity}`), 'reject');
          return;
        }
        this.accept(link, message);
        return;
      }
      const session = this.byLink.get(link);
      if (!session) throw new HughError('HUGH_ERR_HELLO_REQUIRED', `${message.type} before hello`);
      if (message.type === 'audio-start') this.checkTurnRate(session.satelliteId);
      session.handleMessage(message);
    } catch (error) {
      this.reject(link, error);
    }
  }

  onAudio(link: SatelliteLink, raw: Uint8Array): void {
    try {
      this.checkRate(link);
      const frame = decodeAudioFrame(raw);
      this.options.counters.framesIn++;
      const session = this.byLink.get(link);
      if (!session) throw new HughError('HUGH_ERR_HELLO_REQUIRED', 'audio frame before hello');
      session.handleFrame(frame);
    } catch (error) {
      this.reject(link, error);
    }
  }

  onClosed(link: SatelliteLink): void {
    this.budgets.delete(link);
    this.rates.delete(link);
    const session = this.byLink.get(link);
    if (!session) return;
    this.byLink.delete(link);
    if (this.byId.get(session.satelliteId) === session) this.byId.delete(session.satelliteId);
    session.close('error');
    this.logger.info({ satelliteId: session.satelliteId, remote: link.remote }, 'satellite disconnected');
    if (!this.byId.has(session.satelliteId)) this.options.events.emit('satellite-offline', session.satelliteId);
  }

  hasSession(link: SatelliteLink): boolean {
    return this.byLink.has(link);
  }

  /**
   * Announces `text` on the given satellites; throws HUGH_ERR_UNKNOWN_SATELLITE at once when none is
   * connected. The promise (which never rejects) resolves when every one of them has spoken it.
   */
  announce(satelliteIds: string[], text: string): Promise<void> {
    const targets = satelliteIds.map((id) => this.byId.get(id)).filter((session): session is SatelliteSession => session !== undefined);
    if (targets.length === 0) throw new HughError('HUGH_ERR_UNKNOWN_SATELLITE', `no connected satellite among ${satelliteIds.join(', ') || '(none)'}`);
    return Promise.all(targets.map((session) => session.announce(text))).then(() => undefined);
  }

  async close(): Promise<void> {
    this.arbiter.close();
    for (const session of this.byId.values()) session.close('error');
    this.byId.clear();
    this.byLink.clear();
  }

  private accept(link: SatelliteLink, hello: Extract<SatelliteMessage, { type: 'hello' }>): void {
    const previous = this.byId.get(hello.satelliteId);
    if (previous) {
      // The same satellite again: a reconnect, or a second device with its id. The newest wins.
      previous.close('replaced');
      this.byLink.delete(previous.link);
      if (previous.link !== link) previous.link.close('HUGH_ERR_REPLACED');
      this.logger.info({ satelliteId: hello.satelliteId, old: previous.link.remote, new: link.remote }, 'satellite connection replaced');
    }
    const stale = this.byLink.get(link);
    if (stale && stale !== previous) {
      // One link may carry one satellite; a hello for another id moves it.
      stale.close('replaced');
      this.byId.delete(stale.satelliteId);
    }
    const session = new SatelliteSession(link, hello, this.options, previous?.settings);
    this.byId.set(hello.satelliteId, session);
    this.byLink.set(link, session);
    session.welcome();
    this.logger.info({ satelliteId: hello.satelliteId, room: hello.room, remote: link.remote, version: hello.softwareVersion }, 'satellite connected');
    this.options.events.emit('satellite-online', hello.satelliteId, { room: hello.room, softwareVersion: hello.softwareVersion, transport: link.transport, link: hello.link ?? { hubIndex: 0, hubCount: 1 } });
    this.options.events.emit('volume', hello.satelliteId, session.volumePercent);
  }

  private checkRate(link: SatelliteLink): void {
    let bucket = this.rates.get(link);
    if (!bucket) {
      bucket = new TokenBucket(this.options.messagesPerSecond ?? 100);
      this.rates.set(link, bucket);
    }
    if (!bucket.take()) throw new HughError('HUGH_ERR_RATE_LIMITED', `more than ${this.options.messagesPerSecond ?? 100} messages per second; dropped`);
  }

  private checkTurnRate(satelliteId: string): void {
    let window = this.turnRates.get(satelliteId);
    if (!window) {
      window = new RateWindow(this.options.turnsPerMinute ?? 20, 60_000);
      this.turnRates.set(satelliteId, window);
    }
    if (!window.allow()) throw new HughError('HUGH_ERR_RATE_LIMITED', `more than ${this.options.turnsPerMinute ?? 20} turns per minute from ${satelliteId}; turn refused`);
  }

  private reject(link: SatelliteLink, error: unknown, type: 'error' | 'reject' = 'error'): void {
    this.options.counters.badInputs++;
    const hughError = toHughError(error);
    if (hughError.code === 'HUGH_ERR_INTERNAL') this.logger.error({ err: error, remote: link.remote }, 'internal error on input');
    else this.logger.warn({ remote: link.remote, code: hughError.code, satelliteId: this.byLink.get(link)?.satelliteId }, hughError.message);
    link.sendControl(hubMessage({ type, code: hughError.code, message: hughError.message.slice(0, 1000) }));
    let budget = this.budgets.get(link);
    if (!budget) {
      budget = new ErrorBudget(this.options.maxErrors, this.options.errorWindowMs);
      this.budgets.set(link, budget);
    }
    if (budget.spend()) {
      this.logger.warn({ remote: link.remote }, 'too many bad inputs; disconnecting');
      link.close('HUGH_ERR_TOO_MANY_ERRORS');
      this.onClosed(link);
    }
  }
}
