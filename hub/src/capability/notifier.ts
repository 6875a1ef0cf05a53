import { hostname } from 'node:os';
import { engineFetch, type Logger } from '@hugh/common';
import type { Capability, CapabilityState } from '@hugh/protocol';
import type { NotifyTargetConfig } from '../config.js';

interface Target {
  config: NotifyTargetConfig;
  /** The state this target was last told; the hub starts full and nobody needs telling. */
  toldState: CapabilityState;
  toldMs: number;
  timer: NodeJS.Timeout | undefined;
}

const TITLES: Record<CapabilityState, string> = {
  full: 'back to full strength',
  degraded: 'running on backups',
  down: 'cannot speak or hear',
};

/** Where a target's request goes: the host only, since an ntfy topic name is its password. */
const where = (config: NotifyTargetConfig) => `${config.type} ${new URL(config.url).host}`;

/**
 * Pushes the hub's capability to the family's phones (ntfy, Gotify): once when it leaves `full`,
 * once when it worsens to `down`, once when it is back. Reasons changing inside one state are not
 * news. Per target at most one push per `minIntervalMs`: a change inside that time waits for its
 * end and goes out then with the state of that moment, so a flapping engine costs one message a
 * window and the last word is always the current state. A failed push is tried again after
 * `retryMs` (or the window, if longer).
 */
export class CapabilityNotifier {
  private readonly targets: Target[];
  private latest: Capability | undefined;
  private closed = false;

  constructor(
    targets: readonly NotifyTargetConfig[],
    private readonly options: { minIntervalMs: number; timeoutMs: number; retryMs: number; logger: Logger; hubName?: string; now?: () => number },
  ) {
    this.targets = targets.map((config) => ({ config, toldState: 'full', toldMs: -Infinity, timer: undefined }));
  }

  /** The capability changed (state or reasons). */
  update(capability: Capability): void {
    this.latest = capability;
    for (const target of this.targets) this.consider(target);
  }

  close(): void {
    this.closed = true;
    for (const target of this.targets) clearTimeout(target.timer);
  }

  private consider(target: Target): void {
    const latest = this.latest;
    if (!latest || this.closed || target.timer) return;
    if (latest.state === target.toldState) return;
    const now = (this.options.now ?? Date.now)();
    const waitMs = target.toldMs + this.options.minIntervalMs - now;
    if (waitMs > 0) {
      target.timer = setTimeout(() => {
        target.timer = undefined;
        this.consider(target);
      }, waitMs);
      target.timer.unref();
      return;
    }
    target.toldMs = now;
    const previous = target.toldState;
    target.toldState = latest.state;
    this.send(target.config, latest, previous).catch((error: unknown) => {
      // The error names the URL, whose ntfy topic is a password: only the host goes to the log.
      const reason = (error as Error).message.split(target.config.url.replace(/\/+$/, '')).join(where(target.config));
      this.options.logger.warn({ code: 'HUGH_ERR_ENGINE_UNAVAILABLE', target: where(target.config), err: reason }, 'capability notification failed; trying again later');
      // Not told after all: the next window tries again with the state of then.
      target.toldState = previous;
      target.toldMs = (this.options.now ?? Date.now)() + Math.max(0, this.options.retryMs - this.options.minIntervalMs);
      this.consider(target);
    });
  }

  private async send(config: NotifyTargetConfig, capability: Capability, previous: CapabilityState): Promise<void> {
    const hub = this.options.hubName ?? hostname();
    const title = `H.U.G.H. Voice (${hub}): ${TITLES[capability.state]}`;
    const message =
      capability.state === 'full'
        ? `Every engine serves again (it was ${previous}).`
        : capability.reasons.map((reason) => reason.message).join('\n') || capability.state;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const response =
      config.type === 'ntfy'
        ? // ntfy: the body is the message; title, priority and tags are headers (docs.ntfy.sh/publish).
          await engineFetch(where(config), config.url, {
            method: 'POST',
            body: message,
            signal,
            headers: {
              'content-type': 'text/plain; charset=utf-8',
              title: title.replace(/[^\x20-\x7e]/g, '?'),
              priority: String(capability.state === 'full' ? 3 : config.priority),
              tags: (capability.state === 'full' ? ['white_check_mark'] : capability.state === 'down' ? ['rotating_light', ...config.tags] : config.tags).join(','),
              ...(config.token ? { authorization: `Bearer ${config.token}` } : {}),
            },
          })
        : // Gotify: POST /message with the application token (gotify.net/docs/pushmsg).
          await engineFetch(where(config), `${config.url.replace(/\/+$/, '')}/message`, {
            method: 'POST',
            body: JSON.stringify({ title, message, priority: config.priority }),
            signal,
            headers: { 'content-type': 'application/json', 'x-gotify-key': config.token },
          });
    await response.body?.cancel();
    this.options.logger.info({ target: where(config), state: capability.state }, 'capability notification sent');
  }
}
