import type { Logger } from '@hugh/common';
import { HughError, hubMessage, newTurnId, type ErrorCode, type Topics } from '@hugh/protocol';
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
 * reply), mute (on/off), volume (0-100), listen (starts a turn without the wake word). A bad
 * payload or an unknown satellite is answered on `<prefix>/hub/error` and changes nothing.
 */
export class CommandHandler {
  constructor(
    private readonly bus: MqttBus,
    private readonly topics: Topics,
    private readonly sessions: SessionManager,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribe(this.topics.allSatellites('cmd/+'), (topic, payload) => {
      try {
        this.handle(topic, payload.toString());
      } catch (error) {
        const code: ErrorCode = error instanceof HughError ? error.code : 'HUGH_ERR_INTERNAL';
        const message = (error as Error).message;
        this.logger.warn({ topic, code }, `command refused: ${message}`);
        this.bus.publish(this.topics.hub('error'), JSON.stringify({ code, message, topic }));
      }
    });
  }

  private handle(topic: string, payload: string): void {
    const parsed = this.topics.parse(topic);
    if (parsed.kind !== 'satellite-command') throw new HughError('HUGH_ERR_TOPIC_INVALID', `${topic} is not a command topic`);
    const session = this.sessions.sessions.get(parsed.satelliteId);
    if (!session) throw new HughError('HUGH_ERR_UNKNOWN_SATELLITE', `satellite ${parsed.satelliteId} is not connected`);
    switch (parsed.name) {
      case 'stop':
        session.cancelTurn('stop-command', true);
        return;
      case 'mute': {
        const muted = parseMuted(payload);
        session.muted = muted;
        if (muted) session.cancelTurn('stop-command', true);
        session.link.sendControl(hubMessage({ type: 'mute', muted }));
        return;
      }
      case 'volume': {
        const percent = parsePercent(payload);
        session.volumePercent = percent;
        session.link.sendControl(hubMessage({ type: 'volume', percent }));
        return;
      }
      case 'listen':
        session.link.sendControl(hubMessage({ type: 'listen', turnId: newTurnId('hub') }));
        return;
      default:
        throw new HughError('HUGH_ERR_UNKNOWN_MESSAGE_TYPE', `unknown command ${parsed.name} (stop, mute, volume, listen)`);
    }
  }
}
