import type { Logger } from '@hugh/common';
import { HughError, type ErrorCode, type Topics } from '@hugh/protocol';
import type { HubEvents } from '../events.js';
import type { SessionManager } from '../session/session-manager.js';
import type { MqttBus } from '../transport/mqtt-bus.js';

/** Parses `on`/`off`/`true`/`false` or `{"muted": bool}`. */
function parseMuted(payload: string): boolean {
  const text = payload.trim().toLowerCase();
  if (['on', 'true', '1'].includes(text)) return true;
  if (['off', 'false', '0'].includes(text)) return false;
  try {
    const value = JSON.parse(payload) as { muted?: unknown };
    if (typeof value?.muted === 'boolean') return value.muted;
  } catch {
    // fall through to the error
  }
  throw new HughError('HUGH_ERR_MESSAGE_INVALID', 'mute: payload must be on, off, true, false or {"muted": true|false}');
}

/** Parses plain text or `{"text": "…", "room"?: "…"}`. */
function parseSay(payload: string): { text: string; room?: string } {
  let text: unknown = payload;
  let room: unknown;
  if (payload.trimStart().startsWith('{')) {
    try {
      ({ text, room } = JSON.parse(payload) as { text?: unknown; room?: unknown });
    } catch {
      throw new HughError('HUGH_ERR_MESSAGE_INVALID', 'say: payload is neither text nor valid JSON');
    }
  }
  if (typeof text !== 'string' || text.trim() === '' || text.length > 4_000) throw new HughError('HUGH_ERR_MESSAGE_INVALID', 'say: text must be 1-4000 characters');
  if (room !== undefined && typeof room !== 'string') throw new HughError('HUGH_ERR_MESSAGE_INVALID', 'say: room must be a string');
  return { text: text.trim(), ...(room !== undefined ? { room } : {}) };
}

/** Parses `55` or `{"percent": 55}`, 0..100. */
function parsePercent(payload: string): number {
  let value: unknown = Number(payload.trim());
  if (payload.trim() === '' || Number.isNaN(value)) {
    try {
      value = (JSON.parse(payload) as { percent?: unknown })?.percent;
    } catch {
      value = undefined;
    }
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
    throw new HughError('HUGH_ERR_MESSAGE_INVALID', 'volume: payload must be an integer 0-100 or {"percent": 0-100}');
  }
  return value;
}

/**
 * Commands from home automation on `<prefix>/sat/<id>/cmd/<name>`: stop (cuts the turn and the
 * reply), mute (on/off), volume (0-100), listen (starts a turn without the wake word), say (an
 * announcement); and `<prefix>/hub/cmd/say` for a room or the whole house. A bad
 * payload or an unknown satellite is answered on `<prefix>/hub/error` and changes nothing.
 */
export class CommandHandler {
  constructor(
    private readonly bus: MqttBus,
    private readonly topics: Topics,
    private readonly sessions: SessionManager,
    private readonly events: HubEvents,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.events.on('command', (satelliteId, name, payload) => this.guard(`(spoken) ${satelliteId} ${name}`, () => this.execute(satelliteId, name, payload)));
    await this.bus.subscribe(this.topics.allSatellites('cmd/+'), (topic, payload) => this.guard(topic, () => this.handle(topic, payload.toString())));
    await this.bus.subscribe(this.topics.hub('cmd/say'), (topic, payload) => this.guard(topic, () => this.sayToHouse(payload.toString())));
  }

  /** Runs a command; a refusal is logged and answered on `hub/error`, and changes nothing. */
  private guard(topic: string, work: () => void): void {
    try {
      work();
    } catch (error) {
      const code: ErrorCode = error instanceof HughError ? error.code : 'HUGH_ERR_INTERNAL';
      const message = (error as Error).message;
      this.logger.warn({ topic, code }, `command refused: ${message}`);
      this.bus.publish(this.topics.hub('error'), JSON.stringify({ code, message, topic }));
    }
  }

  /** `hub/cmd/say`: plain text for every satellite, or `{"text", "room"?}` for one room's. */
  private sayToHouse(payload: string): void {
    const { text, room } = parseSay(payload);
    const sessions = [...this.sessions.sessions.values()].filter((session) => room === undefined || session.hello.room?.toLowerCase() === room.toLowerCase());
    if (sessions.length === 0) throw new HughError('HUGH_ERR_UNKNOWN_SATELLITE', room ? `no connected satellite in room ${room}` : 'no satellite is connected');
    this.sessions.announce(sessions.map((session) => session.satelliteId), text);
  }

  private handle(topic: string, payload: string): void {
    const parsed = this.topics.parse(topic);
    if (parsed.kind !== 'satellite-command') throw new HughError('HUGH_ERR_TOPIC_INVALID', `${topic} is not a command topic`);
    this.execute(parsed.satelliteId, parsed.name, payload);
  }

  private execute(satelliteId: string, name: string, payload: string): void {
    const session = this.sessions.sessions.get(satelliteId);
    if (!session) throw new HughError('HUGH_ERR_UNKNOWN_SATELLITE', `satellite ${satelliteId} is not connected`);
    switch (name) {
      case 'stop':
        session.stop();
        return;
      case 'mute':
        session.setMuted(parseMuted(payload));
        return;
      case 'volume':
        session.setVolume(parsePercent(payload));
        return;
      case 'say':
        this.sessions.announce([session.satelliteId], parseSay(payload).text);
        return;
      case 'listen':
        session.requestListen();
        return;
      default:
        throw new HughError('HUGH_ERR_UNKNOWN_MESSAGE_TYPE', `unknown command ${name} (stop, mute, volume, listen, say)`);
    }
  }
}
