import { EventEmitter } from 'node:events';
import type { ErrorCode, SatelliteState } from '@hugh/protocol';
import type { TurnRecord } from './pipeline/turn-record.js';
import type { WakeInfo } from './session/turn.js';

/** What happens in the hub, for integrations (MQTT events, Home Assistant), metrics and the dashboard. */
export interface HubEventMap {
  'satellite-online': [satelliteId: string, info: { room: string | undefined; softwareVersion: string; transport: 'mqtt' | 'ws' }];
  'satellite-offline': [satelliteId: string];
  state: [satelliteId: string, state: SatelliteState];
  wake: [satelliteId: string, wake: WakeInfo & { turnId: number }];
  transcript: [satelliteId: string, turnId: number, text: string];
  turn: [record: TurnRecord];
  'arbitration-lost': [satelliteId: string, turnId: number, winner: string];
  volume: [satelliteId: string, percent: number];
  error: [satelliteId: string | undefined, error: { code: ErrorCode; message: string; turnId?: number }];
}

export class HubEvents extends EventEmitter<HubEventMap> {}
