import { EventEmitter } from 'node:events';
import { Backoff, RetryTimer, type Logger } from '@hugh/common';
import { HughError, type SatelliteMessage } from '@hugh/protocol';
import { newCounters, type HubLink, type HubLinkEvents, type HubTarget, type LinkCounters } from './hub-link.js';

export interface FailoverLinkOptions {
  /** The hubs in order of preference: the first is the primary. */
  hubs: readonly HubTarget[];
  logger: Logger;
  /** A fallback is left for a better hub once that hub has passed every probe for this long (hysteresis). */
  returnAfterMs: number;
  /** How often, while on a fallback, each better hub is probed. */
  probeIntervalMs: number;
  /** Longest wait for one probe. */
  probeTimeoutMs: number;
  /** One connection to one hub (createHubLink): started, watched, stopped; never reused. */
  open: (hub: HubTarget) => Promise<HubLink>;
  /** A real login at `hub`, dropped again (probeHub); rejects when the hub is not healthy. */
  probe: (hub: HubTarget, timeoutMs: number) => Promise<void>;
  /** Waits between whole rounds of the list, when no hub answered. */
  backoff?: Backoff;
  now?: () => number;
}

interface Connection {
  index: number;
  link: HubLink;
  up: boolean;
}

/**
 * A link to the first of several hubs that answers, MQTT and WebSocket mixed. It holds one
 * connection at a time. When that hub is lost (or refuses the login, or its broker says the hub is
 * offline) the next in the list is tried at once; after the last, the list starts again from the
 * primary after a backoff. The turn in flight is abandoned, as on any lost link (HubClient sees
 * `down`). While on a fallback, every better hub is probed each `probeIntervalMs` with a real
 * login; once one has passed every probe for `returnAfterMs` and the switch guard says no turn is
 * in flight, the link connects to it and moves there (`down`, then `up`, so the client says hello
 * to its new hub), then closes the old connection cleanly.
 */
export class FailoverLink extends EventEmitter<HubLinkEvents> implements HubLink {
  private active: Connection | undefined;
  /** A better hub being connected to before the move; undefined when none. */
  private candidate: HubLink | undefined;
  private readonly retired = newCounters();
  /** Since when each hub has passed every probe; undefined: its last probe failed, or none ran. */
  private readonly healthySinceMs: (number | undefined)[];
  private readonly rounds: RetryTimer;
  private probeTimer: NodeJS.Timeout | undefined;
  private mayMove: () => boolean = () => true;
  private started = false;
  private stopped = false;
  /** Another connection took this satellite id (HUGH_ERR_REPLACED): stay down everywhere. */
  private replaced = false;

  constructor(private readonly options: FailoverLinkOptions) {
    super();
    if (options.hubs.length === 0) throw new HughError('HUGH_ERR_CONFIG_INVALID', 'hub: at least one hub is needed');
    this.healthySinceMs = options.hubs.map(() => undefined);
    this.rounds = new RetryTimer(options.backoff ?? new Backoff(), () => this.connect(0));
  }

  get url(): string {
    return this.options.hubs[this.active?.index ?? 0]!.url;
  }

  get hubIndex(): number {
    return this.active?.index ?? 0;
  }

  get hubCount(): number {
    return this.options.hubs.length;
  }

  get connected(): boolean {
    return this.active?.up === true && this.active.link.connected;
  }

  get counters(): LinkCounters {
    const live = this.active?.link.counters ?? newCounters();
    const total = newCounters();
    for (const key of Object.keys(total) as (keyof LinkCounters)[]) total[key] = this.retired[key] + live[key];
    return total;
  }

  setSwitchGuard(mayMove: () => boolean): void {
    this.mayMove = mayMove;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.connect(0);
  }

  sendControl(message: SatelliteMessage): boolean {
    return this.connected ? this.active!.link.sendControl(message) : false;
  }

  sendAudio(frame: Uint8Array): boolean {
    if (this.connected) return this.active!.link.sendAudio(frame);
    this.retired.audioFramesDropped++;
    return false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.rounds.stop();
    clearTimeout(this.probeTimer);
    const candidate = this.candidate;
    this.candidate = undefined;
    await candidate?.stop();
    const active = this.active;
    if (active) {
      this.addCounters(active.link);
      this.active = undefined;
      await active.link.stop();
    }
  }

  /** Starts one connection to hub `index`; its events count only while it is the active one. */
  private connect(index: number): void {
    if (this.stopped) return;
    const hub = this.options.hubs[index]!;
    this.options.open(hub).then(
      (link) => {
        if (this.stopped) return void link.stop();
        this.watch(link, index);
        this.active = { index, link, up: false };
        link.start();
      },
      (error: Error) => {
        this.emit('problem', error);
        this.next(index, error.message);
      },
    );
  }

  private watch(link: HubLink, index: number): void {
    const isActive = () => this.active?.link === link;
    link.on('up', () => {
      if (!isActive()) return;
      this.active!.up = true;
      this.rounds.succeeded();
      this.options.logger.info({ url: this.options.hubs[index]!.url, hubIndex: index, hubCount: this.hubCount }, index === 0 ? 'on the primary hub' : 'on a fallback hub');
      this.emit('up');
      this.scheduleProbe();
    });
    link.on('down', (reason) => isActive() && this.lost(reason));
    link.on('connect-failed', (reason) => isActive() && this.lost(reason));
    link.on('hub-status', (online) => {
      if (!isActive()) return;
      this.emit('hub-status', online);
      // The broker stays, its hub is gone: another hub serves better than waiting for it.
      if (!online) this.lost('the hub went offline behind its broker');
    });
    link.on('control', (message) => isActive() && this.emit('control', message));
    link.on('audio', (frame) => isActive() && this.emit('audio', frame));
    link.on('refused', (reason, message) => isActive() && this.emit('refused', reason, message));
    link.on('problem', (error) => {
      if (!isActive()) return;
      if (error instanceof HughError && error.code === 'HUGH_ERR_REPLACED') this.replaced = true;
      this.emit('problem', error);
    });
  }

  /** The active hub is gone or never answered: tell the client if it was up, then try the next. */
  private lost(reason: string): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    this.addCounters(active.link);
    void active.link.stop();
    clearTimeout(this.probeTimer);
    if (active.up) this.emit('down', reason);
    if (this.replaced) return;
    this.next(active.index, reason);
  }

  private next(failedIndex: number, reason: string): void {
    if (this.stopped) return;
    const next = failedIndex + 1;
    if (next < this.options.hubs.length) {
      this.options.logger.warn({ url: this.options.hubs[failedIndex]!.url, reason, next: this.options.hubs[next]!.url }, 'hub unavailable; trying the next');
      this.connect(next);
      return;
    }
    const delayMs = this.rounds.schedule();
    this.options.logger.warn({ reason, delayMs }, 'no hub answered; starting the list again');
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    if (this.stopped || !this.active?.up || this.active.index === 0) return;
    this.probeTimer = setTimeout(() => void this.probeBetterHubs(), this.options.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** Probes every hub ahead of the active one; moves to the best that has been healthy long enough. */
  private async probeBetterHubs(): Promise<void> {
    const active = this.active;
    if (!active?.up || this.stopped) return;
    const now = this.options.now ?? Date.now;
    for (let index = 0; index < active.index; index++) {
      try {
        await this.options.probe(this.options.hubs[index]!, this.options.probeTimeoutMs);
        this.healthySinceMs[index] ??= now();
      } catch (error) {
        if (this.healthySinceMs[index] !== undefined) this.options.logger.debug({ url: this.options.hubs[index]!.url, reason: (error as Error).message }, 'probe failed; hysteresis starts over');
        this.healthySinceMs[index] = undefined;
      }
    }
    if (this.active !== active || this.stopped) return;
    const best = this.healthySinceMs.findIndex((since, index) => index < active.index && since !== undefined && now() - since >= this.options.returnAfterMs);
    // Never in the middle of a turn: the client's guard says when the satellite is idle.
    if (best >= 0 && this.mayMove()) await this.moveTo(best, active);
    this.scheduleProbe();
  }

  /** Connects to the better hub first; only once it is up (and still idle) does the link move. */
  private async moveTo(index: number, from: Connection): Promise<void> {
    const hub = this.options.hubs[index]!;
    let link: HubLink;
    try {
      link = await this.options.open(hub);
    } catch {
      return;
    }
    this.candidate = link;
    this.watch(link, index);
    const outcome = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(`not up within ${this.options.probeTimeoutMs} ms`), this.options.probeTimeoutMs);
      const settle = (reason: string | undefined) => {
        clearTimeout(timer);
        link.off('up', onUp);
        link.off('connect-failed', settle);
        resolve(reason);
      };
      const onUp = () => settle(undefined);
      link.on('up', onUp);
      link.on('connect-failed', settle);
      link.start();
    });
    if (this.candidate !== link) return; // stopped meanwhile
    this.candidate = undefined;
    if (outcome !== undefined || this.active !== from || !from.up || !this.mayMove() || this.stopped) {
      if (outcome !== undefined) this.healthySinceMs[index] = undefined;
      void link.stop();
      return;
    }
    this.options.logger.info({ from: this.options.hubs[from.index]!.url, to: hub.url, hubIndex: index }, 'moving back to a better hub');
    this.addCounters(from.link);
    this.active = { index, link, up: true };
    this.healthySinceMs[index] = undefined;
    this.emit('down', `moving to ${index === 0 ? 'the primary hub' : `hub ${index + 1}`}`);
    this.emit('up');
    void from.link.stop();
  }

  private addCounters(link: HubLink): void {
    for (const key of Object.keys(this.retired) as (keyof LinkCounters)[]) this.retired[key] += link.counters[key];
  }
}
