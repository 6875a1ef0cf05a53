import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff, silentLogger } from '@hugh/common';
import { HughError, type SatelliteMessage } from '@hugh/protocol';
import { FailoverLink, newCounters, type HubLink, type HubLinkEvents, type HubTarget } from '@hugh/satellite';

/** A connection that comes up, fails or drops when the test says so. */
class ScriptedLink extends EventEmitter<HubLinkEvents> implements HubLink {
  readonly counters = newCounters();
  isUp = false;
  stopped = false;
  constructor(readonly url: string) {
    super();
  }
  get connected() {
    return this.isUp && !this.stopped;
  }
  start(): void {}
  async stop(): Promise<void> {
    this.stopped = true;
  }
  sendControl(_message: SatelliteMessage): boolean {
    this.counters.controlBytesOut++;
    return this.connected;
  }
  sendAudio(): boolean {
    return this.connected;
  }
  up(): void {
    this.isUp = true;
    this.emit('up');
  }
  drop(): void {
    this.isUp = false;
    this.emit('down', 'closed');
  }
}

const HUBS: HubTarget[] = [{ url: 'mqtt://primary:1883' }, { url: 'ws://fallback:8750' }];

describe('FailoverLink', () => {
  let opened: ScriptedLink[];
  let healthy: Set<string>;
  let link: FailoverLink;
  const events: string[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    opened = [];
    healthy = new Set();
    events.length = 0;
    link = new FailoverLink({
      hubs: HUBS,
      logger: silentLogger(),
      returnAfterMs: 1_000,
      probeIntervalMs: 100,
      probeTimeoutMs: 500,
      backoff: new Backoff(200, 200, () => 1),
      open: async (hub) => {
        const connection = new ScriptedLink(hub.url);
        opened.push(connection);
        return connection;
      },
      probe: async (hub) => {
        if (!healthy.has(hub.url)) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'refused');
      },
    });
    link.on('up', () => events.push(`up ${link.hubIndex}`));
    link.on('down', (reason) => events.push(`down ${reason}`));
  });
  afterEach(() => vi.useRealTimers());

  const last = () => opened.at(-1)!;
  const settle = () => vi.advanceTimersByTimeAsync(0);
  /** The primary refuses, the fallback takes the satellite; `busy` is what the guard reads. */
  async function onFallback(busy: { now: boolean }): Promise<void> {
    link.setSwitchGuard(() => !busy.now);
    link.start();
    await settle();
    last().emit('connect-failed', 'refused');
    await settle();
    last().up();
    healthy.add('mqtt://primary:1883');
  }

  it('connects to the first hub that answers; a lost hub moves it to the next at once', async () => {
    link.start();
    await settle();
    expect(last().url).toBe('mqtt://primary:1883');
    last().emit('connect-failed', 'refused');
    await settle();
    expect(opened[0]!.stopped).toBe(true);
    expect(last().url).toBe('ws://fallback:8750');
    last().up();
    expect(events).toEqual(['up 1']);
    expect(link.connected).toBe(true);
    last().drop();
    await settle();
    // The end of the list: the primary again, after the backoff (200 ms).
    expect(events).toEqual(['up 1', 'down closed']);
    expect(opened).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(last().url).toBe('mqtt://primary:1883');
  });

  it('moves back only after returnAfterMs of passed probes, starting over when one fails, and never while the guard says busy', async () => {
    const busy = { now: false };
    await onFallback(busy);
    await vi.advanceTimersByTimeAsync(600);
    healthy.delete('mqtt://primary:1883'); // one failed probe: the hysteresis starts over
    await vi.advanceTimersByTimeAsync(100);
    healthy.add('mqtt://primary:1883');
    await vi.advanceTimersByTimeAsync(900);
    expect(opened).toHaveLength(2); // 900 ms of passed probes: not yet
    busy.now = true;
    await vi.advanceTimersByTimeAsync(500);
    expect(opened).toHaveLength(2); // eligible, but a turn is in flight
    busy.now = false;
    await vi.advanceTimersByTimeAsync(100);
    expect(opened).toHaveLength(3);
    const candidate = last();
    expect(candidate.url).toBe('mqtt://primary:1883');
    expect(link.hubIndex).toBe(1); // not before the new connection is up
    candidate.up();
    await settle();
    expect(link.hubIndex).toBe(0);
    expect(events).toEqual(['up 1', 'down moving to the primary hub', 'up 0']);
    expect(opened[1]!.stopped).toBe(true);
  });

  it('a turn that starts while the better hub connects keeps the satellite where it is', async () => {
    const busy = { now: false };
    await onFallback(busy);
    await vi.advanceTimersByTimeAsync(1_200);
    const candidate = last();
    expect(candidate.url).toBe('mqtt://primary:1883');
    busy.now = true;
    candidate.up();
    await settle();
    expect(link.hubIndex).toBe(1);
    expect(candidate.stopped).toBe(true);
    expect(events).toEqual(['up 1']);
  });

  it('replaced by another connection with the same id: stays down everywhere, as a single link does', async () => {
    link.start();
    await settle();
    last().up();
    last().emit('problem', new HughError('HUGH_ERR_REPLACED', 'replaced'));
    last().drop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(opened).toHaveLength(1);
    expect(events).toEqual(['up 0', 'down closed']);
  });

  it("a broker whose hub says offline is a lost hub: on to the next", async () => {
    link.start();
    await settle();
    last().up();
    last().emit('hub-status', false);
    await settle();
    expect(events).toEqual(['up 0', 'down the hub went offline behind its broker']);
    expect(last().url).toBe('ws://fallback:8750');
  });
});
