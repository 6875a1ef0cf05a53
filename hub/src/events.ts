import { EventEmitter } from 'node:events';
import type { Capability, ErrorCode, SatelliteState } from '@hugh/protocol';
import type { TurnRecord } from './pipeline/turn-record.js';
import type { WakeInfo } from './session/turn.js';

/** What happens in the hub, for integrations (MQTT events, Home Assistant), metrics and the dashboard. */
export interface HubEventMap {
  'satellite-online': [satelliteId: string, info: { room: string | undefined; softwareVersion: string; transport: 'mqtt' | 'ws' | 'hermes'; link: SatelliteHubLink }];
  'satellite-offline': [satelliteId: string];
  state: [satelliteId: string, state: SatelliteState];
  wake: [satelliteId: string, wake: WakeInfo & { turnId: number }];
  transcript: [satelliteId: string, turnId: number, text: string];
  turn: [record: TurnRecord];
  'arbitration-lost': [satelliteId: string, turnId: number, winner: string];
  volume: [satelliteId: string, percent: number];
  /** A local intent answered `input`, the words heard (published on event/intent and hermes/intent/<name>). */
  intent: [satelliteId: string, intent: { name: string; slots: Record<string, string> }, input: string];
  /** A mapped device's own payload for its own topic. */
  'device-command': [topic: string, payload: string];
  /** A command for a satellite from inside the hub (a spoken "volume 40"), run like an MQTT one. */
  command: [satelliteId: string, name: string, payload: string];
  error: [satelliteId: string | undefined, error: { code: ErrorCode; message: string; turnId?: number }];
  /** An engine failed or timed out and the next in its chain was tried. */
  'engine-failover': [kind: string, engine: string, reason: string];
  /** A failed engine answered its trial call (or a user's): it serves again. */
  'engine-recovered': [kind: string, engine: string];
  /** The hub's capability changed (state or reasons); also once at start. */
  capability: [current: Capability, previous: Capability];
}

/** Which of its hubs a satellite is on, from its hello (one hub: the primary of one). */
export interface SatelliteHubLink {
  hubIndex: number;
  hubCount: number;
}

export class HubEvents extends EventEmitter<HubEventMap> {}
