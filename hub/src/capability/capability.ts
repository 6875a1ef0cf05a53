import { EventEmitter } from 'node:events';
import { redactUrl } from '@hugh/common';
import type { Capability, CapabilityReason, CapabilityState } from '@hugh/protocol';

/** What one part of the hub says about itself while it runs reduced. */
export interface ReducedCapability {
  message: string;
  /** The engine concerned, as /healthz names it. */
  engine?: string;
  /** Nothing serves at all (no speech to text, no text to speech): the hub is `down`, not `degraded`. */
  down?: boolean;
}

/** The small API every part of the hub reports into (engines, dispatch, storage, Home Assistant). */
export interface CapabilityReporter {
  /**
   * What `source` (`stt`, `tts`, `dispatch`, `storage`…) currently lacks, replacing what it said
   * before; undefined or an empty list: it is fine again.
   */
  report(source: string, reduced: ReducedCapability | readonly ReducedCapability[] | undefined): void;
}

export interface CapabilityEvents {
  /** The state or its reasons changed. */
  change: [current: Capability, previous: Capability];
}

/** Reasons are published and pushed to phones: at most this many, each message at most this long. */
const MAX_REASONS = 64;
const MAX_MESSAGE_CHARS = 500;

/**
 * One capability state for the whole hub, from what its parts report: `down` if any part says
 * nothing serves, `degraded` if any part runs on a fallback, else `full`. `sinceMs` changes only
 * with the state, so a new reason while degraded is news without being a new transition.
 */
export class CapabilityMonitor extends EventEmitter<CapabilityEvents> implements CapabilityReporter {
  private readonly reports = new Map<string, { reasons: CapabilityReason[]; down: boolean }>();
  private value: Capability;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.value = { state: 'full', reasons: [], sinceMs: now() };
  }

  get current(): Capability {
    return this.value;
  }

  report(source: string, reduced: ReducedCapability | readonly ReducedCapability[] | undefined): void {
    const list = reduced === undefined ? [] : Array.isArray(reduced) ? (reduced as readonly ReducedCapability[]) : [reduced as ReducedCapability];
    if (list.length === 0) this.reports.delete(source);
    else {
      // Engine names carry URLs: a password in one must never reach MQTT or a phone.
      const reasons = list.map((item) => ({
        source,
        ...(item.engine !== undefined ? { engine: redactUrl(item.engine).slice(0, 200) } : {}),
        message: redactUrl(item.message).slice(0, MAX_MESSAGE_CHARS),
      }));
      this.reports.set(source, { reasons, down: list.some((item) => item.down === true) });
    }
    this.update();
  }

  private update(): void {
    const all = [...this.reports.values()];
    const state: CapabilityState = all.some((entry) => entry.down) ? 'down' : all.length > 0 ? 'degraded' : 'full';
    const reasons = all.flatMap((entry) => entry.reasons).slice(0, MAX_REASONS);
    const previous = this.value;
    if (state === previous.state && JSON.stringify(reasons) === JSON.stringify(previous.reasons)) return;
    this.value = { state, reasons, sinceMs: state === previous.state ? previous.sinceMs : this.now() };
    this.emit('change', this.value, previous);
  }
}
