import type { Logger } from '@hugh/common';
import type { HubConfig } from '../config.js';
import type { EngineStatus } from '../engines/chain.js';
import type { HubEvents } from '../events.js';
import { CapabilityAnnouncer } from './announcement.js';
import type { CapabilityMonitor } from './capability.js';
import { engineReports } from './engine-health.js';
import { CapabilityNotifier } from './notifier.js';

export interface CapabilityWiring {
  settings: HubConfig['capability'];
  monitor: CapabilityMonitor;
  events: HubEvents;
  /** The engine chains and dispatch with their breaker states (`HubServices.health`). */
  health: (() => Record<string, EngineStatus[]>) | undefined;
  announce: (satelliteId: string, text: string) => boolean;
  logger: Logger;
}

/**
 * Keeps the capability current and makes it visible: it reads the engines' breakers after every
 * failover and recovery (so a change is seen within the call that caused it) and every
 * `checkIntervalMs` (Convex, and recoveries by a user's call); each change becomes the hub's
 * `capability` event (retained MQTT topic, dashboard, metrics), a push to the `notify` targets and,
 * with `announce`, one spoken sentence. Returns what stops it.
 */
export function startCapability(wiring: CapabilityWiring): () => void {
  const { settings, monitor, events, logger } = wiring;
  const notifier = new CapabilityNotifier(settings.notify, { minIntervalMs: settings.notifyMinIntervalMs, timeoutMs: settings.notifyTimeoutMs, retryMs: settings.notifyRetryMs, logger });
  const announcer = settings.announce ? new CapabilityAnnouncer(events, wiring.announce) : undefined;
  monitor.on('change', (current, previous) => {
    if (current.state !== previous.state) {
      if (current.state === 'full') logger.info({ was: previous.state }, 'capability: full again');
      else logger.warn({ state: current.state, reasons: current.reasons }, `capability: ${current.state}`);
    }
    events.emit('capability', current, previous);
    notifier.update(current);
    announcer?.update(current, previous);
  });
  const check = () => {
    const health = wiring.health?.();
    if (!health) return;
    for (const [source, reduced] of Object.entries(engineReports(health))) monitor.report(source, reduced);
  };
  events.on('engine-failover', check);
  events.on('engine-recovered', check);
  const timer = setInterval(check, settings.checkIntervalMs);
  timer.unref();
  check();
  // The retained topic holds the state from the start, not only after the first change.
  events.emit('capability', monitor.current, monitor.current);
  return () => {
    clearInterval(timer);
    events.off('engine-failover', check);
    events.off('engine-recovered', check);
    notifier.close();
  };
}
