import type { CapabilityReporter } from './capability/capability.js';
import type { EngineStatus } from './engines/chain.js';
import type { HubEvents } from './events.js';
import type { Announcer, TurnHandler } from './session/turn.js';

/** What the hub gives the services it runs: its events, and a way to speak on a satellite outside a turn. */
export interface HubContext {
  readonly events: HubEvents;
  /** Where a service says it runs reduced (engine chains are read from `health` by the hub itself). */
  readonly capability: CapabilityReporter;
  /** Speaks `text` on a satellite as an announcement; false when it is not connected. */
  announce(satelliteId: string, text: string): boolean;
}

/**
 * What answers the satellites. The session layer sees only `turns` (a spoken turn) and `announcer`
 * (a hub-started one); the hub's own front desk (dashboard, /healthz) uses the rest.
 */
export interface HubServices {
  turns: TurnHandler;
  /** Speaks announcements; absent: a `say` is refused with HUGH_ERR_ENGINE_UNAVAILABLE. */
  announcer?: Announcer;
  /** Answers a typed question (the dashboard) the way a spoken one is answered, as text. */
  ask?(text: string, satelliteId: string | undefined): Promise<string>;
  /** Engine chains and dispatch with their breaker states, for /healthz and the capability. */
  health?(): Record<string, EngineStatus[]>;
  /** Releases engines and connections when the hub stops. */
  close?(): Promise<void>;
}

/** Builds the services once the hub's context exists (the pipeline, or a test's handler). */
export type ServicesFactory = (hub: HubContext) => HubServices | Promise<HubServices>;
