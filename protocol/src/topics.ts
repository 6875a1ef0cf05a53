import { HughError } from './errors.js';
import { SATELLITE_ID_PATTERN } from './ids.js';

/**
 * The MQTT topic tree. Everything of one satellite lives under `<prefix>/sat/<id>/`, so a broker
 * ACL can confine a satellite to its own namespace (Mosquitto: `pattern write hugh/sat/%u/up/#`).
 *
 * | topic                          | direction            | payload                       | retained |
 * |--------------------------------|----------------------|-------------------------------|----------|
 * | sat/<id>/up/ctl                | satellite → hub      | control message (JSON)        | no       |
 * | sat/<id>/up/audio              | satellite → hub      | audio frame (binary)          | no       |
 * | sat/<id>/down/ctl              | hub → satellite      | control message (JSON)        | no       |
 * | sat/<id>/down/audio            | hub → satellite      | audio frame (binary)          | no       |
 * | sat/<id>/availability          | satellite (its will) | "online" / "offline"          | yes      |
 * | sat/<id>/state                 | hub → integrations   | state name                    | yes      |
 * | sat/<id>/volume                | hub → integrations   | 0-100                         | yes      |
 * | sat/<id>/link                  | hub → integrations   | {hubIndex, hubCount, primary, transport} | yes |
 * | sat/<id>/event/<name>          | hub → integrations   | JSON event                    | no       |
 * | sat/<id>/cmd/<name>            | integrations → hub   | JSON or plain command payload | no       |
 * | hub/availability               | hub (its will)       | "online" / "offline"          | yes      |
 * | hub/error                      | hub → integrations   | JSON error answer to commands | no       |
 * | hub/cmd/say                    | integrations → hub   | text, or {text, room?}        | no       |
 * | hub/capability                 | hub → integrations   | {state, reasons, sinceMs}     | yes      |
 */
export const DEFAULT_TOPIC_PREFIX = 'hugh';

/** `link`: which of its hubs the satellite is on (the hub that serves it publishes it). */
export type SatelliteChannel = 'up/ctl' | 'up/audio' | 'down/ctl' | 'down/audio' | 'availability' | 'state' | 'volume' | 'link';
const SATELLITE_CHANNELS: readonly SatelliteChannel[] = ['up/ctl', 'up/audio', 'down/ctl', 'down/audio', 'availability', 'state', 'volume', 'link'];
/** `cmd/say`: announcements to a room or the whole house. */
export type HubChannel = 'availability' | 'error' | 'cmd/say' | 'capability';
const HUB_CHANNELS: readonly HubChannel[] = ['availability', 'error', 'cmd/say', 'capability'];

export type ParsedTopic =
  | { kind: 'satellite'; satelliteId: string; channel: SatelliteChannel }
  | { kind: 'satellite-event'; satelliteId: string; name: string }
  | { kind: 'satellite-command'; satelliteId: string; name: string }
  | { kind: 'hub'; channel: HubChannel };

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

function checkPrefix(prefix: string): void {
  if (prefix.length === 0 || /[+#\u0000]/.test(prefix) || prefix.startsWith('$') || prefix.startsWith('/') || prefix.endsWith('/')) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `topic prefix ${JSON.stringify(prefix)} must be non-empty, without + # or a leading $ or /`);
  }
}

function checkId(satelliteId: string): void {
  if (!SATELLITE_ID_PATTERN.test(satelliteId)) {
    throw new HughError('HUGH_ERR_TOPIC_INVALID', `invalid satellite id ${JSON.stringify(satelliteId)}`);
  }
}

/** Topic builders for one prefix. */
export class Topics {
  constructor(readonly prefix: string = DEFAULT_TOPIC_PREFIX) {
    checkPrefix(prefix);
  }

  satellite(satelliteId: string, channel: SatelliteChannel): string {
    checkId(satelliteId);
    return `${this.prefix}/sat/${satelliteId}/${channel}`;
  }

  event(satelliteId: string, name: string): string {
    checkId(satelliteId);
    return `${this.prefix}/sat/${satelliteId}/event/${name}`;
  }

  command(satelliteId: string, name: string): string {
    checkId(satelliteId);
    return `${this.prefix}/sat/${satelliteId}/cmd/${name}`;
  }

  /** Subscription filter for one channel of every satellite, e.g. `hugh/sat/+/up/ctl`. */
  allSatellites(channel: SatelliteChannel | 'cmd/+' | 'event/+'): string {
    return `${this.prefix}/sat/+/${channel}`;
  }

  hub(channel: HubChannel): string {
    return `${this.prefix}/hub/${channel}`;
  }

  /** Parses a concrete topic; throws HUGH_ERR_TOPIC_INVALID for anything outside the tree. */
  /** Every audio frame's topic is parsed twice (broker ACL, transport): valid results are kept. */
  private readonly parsed = new Map<string, ParsedTopic>();

  parse(topic: string): ParsedTopic {
    let result = this.parsed.get(topic);
    if (!result) {
      result = this.parseUncached(topic);
      if (this.parsed.size >= 4096) this.parsed.clear(); // bounded: topics from clients are untrusted
      this.parsed.set(topic, result);
    }
    return result;
  }

  private parseUncached(topic: string): ParsedTopic {
    const invalid = () => new HughError('HUGH_ERR_TOPIC_INVALID', `topic ${JSON.stringify(topic.slice(0, 200))} is outside the ${this.prefix}/ tree`);
    if (!topic.startsWith(`${this.prefix}/`)) throw invalid();
    const parts = topic.slice(this.prefix.length + 1).split('/');
    const hubChannel = parts.slice(1).join('/');
    if (parts[0] === 'hub' && (HUB_CHANNELS as readonly string[]).includes(hubChannel)) return { kind: 'hub', channel: hubChannel as HubChannel };
    if (parts[0] !== 'sat' || parts.length < 3) throw invalid();
    const satelliteId = parts[1] ?? '';
    if (!SATELLITE_ID_PATTERN.test(satelliteId)) throw invalid();
    const rest = parts.slice(2).join('/');
    if ((SATELLITE_CHANNELS as readonly string[]).includes(rest)) {
      return { kind: 'satellite', satelliteId, channel: rest as SatelliteChannel };
    }
    if (parts.length === 4 && (parts[2] === 'event' || parts[2] === 'cmd') && NAME_PATTERN.test(parts[3] ?? '')) {
      const name = parts[3] as string;
      return parts[2] === 'event' ? { kind: 'satellite-event', satelliteId, name } : { kind: 'satellite-command', satelliteId, name };
    }
    throw invalid();
  }
}

/** MQTT client id of a satellite; the embedded broker's ACL reads the satellite id from it. */
export const SATELLITE_CLIENT_ID_PREFIX = 'hugh-sat-';

export function satelliteClientId(satelliteId: string): string {
  return `${SATELLITE_CLIENT_ID_PREFIX}${satelliteId}`;
}

/** The satellite id after `prefix` in a client id, when it is one. */
function idAfter(prefix: string, clientId: string): string | undefined {
  if (!clientId.startsWith(prefix)) return undefined;
  const id = clientId.slice(prefix.length);
  return SATELLITE_ID_PATTERN.test(id) ? id : undefined;
}

/** The satellite id a client id claims, or undefined for other clients (integrations, tools). */
export function satelliteIdFromClientId(clientId: string): string | undefined {
  return idAfter(SATELLITE_CLIENT_ID_PREFIX, clientId);
}

/**
 * MQTT client id of a satellite's failover probe: a real login with the satellite's credentials
 * that the broker grants nothing but the hub's availability, under an id of its own so that it can
 * never take over (MQTT 3.1.1 §3.1.4-2) the satellite's live session. `.` is not allowed in
 * satellite ids, so no satellite can be named like a probe.
 */
export const PROBE_CLIENT_ID_PREFIX = 'hugh-probe.';

export function probeClientId(satelliteId: string): string {
  return `${PROBE_CLIENT_ID_PREFIX}${satelliteId}`;
}

/** The satellite whose probe a client id claims to be, or undefined. */
export function satelliteIdFromProbeClientId(clientId: string): string | undefined {
  return idAfter(PROBE_CLIENT_ID_PREFIX, clientId);
}
