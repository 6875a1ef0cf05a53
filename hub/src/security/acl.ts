import type { ErrorCode, Topics } from '@hugh/protocol';
import { filterCovers, filterMatches } from '../transport/mqtt-filter.js';

/**
/**
 * Who a broker client is: a satellite (its own namespace only), a Rhasspy site (its own Hermes
 * audio server and hotword topics), an integration (events and commands), or a satellite's failover
 * probe (its login, under `hugh-probe.<id>`: the hub's availability, nothing else).
 */
export type Actor = { role: 'satellite'; id: string } | { role: 'rhasspy'; id: string } | { role: 'integration'; id: string | undefined } | { role: 'probe'; id: string };

export interface TopicRule {
  role: Actor['role'];
  access: 'publish' | 'subscribe';
  /** An MQTT filter; `{id}` stands for the satellite's or site's own id. */
  filter: string;
  why: string;
}

/** Where a Rhasspy site's wake word is published: its topic names the wake word, its payload the site. */
const HOTWORD_DETECTED = 'hermes/hotword/+/detected';

export type AclVerdict = { ok: true } | { ok: false; code: ErrorCode; reason: string };

/** Topics longer than this are refused outright: no rule needs one, and a 60 KB topic is an attack. */
export const MAX_TOPIC_BYTES = 1024;

export interface AclSettings {
  topics: Topics;
  /** Home Assistant's discovery prefix (`homeassistant`). */
  discoveryPrefix: string;
  /** Extra filters integrations may publish on (`auth.integrationPublish`), e.g. another device's command topic. */
  integrationPublish?: readonly string[];
}

/**
 * The one rule table of who may publish and subscribe what. The embedded broker enforces it, and
 * `hugh-hub mosquitto-acl` prints it as a Mosquitto ACL for an external broker. It is an allow-list:
 * anything not granted here is refused, `$` topics included (only the hub, in-process, uses them).
 */
export class TopicAcl {
  readonly rules: readonly TopicRule[];

  constructor(private readonly settings: AclSettings) {
    const p = settings.topics.prefix;
    const ha = settings.discoveryPrefix;
    const satellite = (access: TopicRule['access'], filter: string, why: string): TopicRule => ({ role: 'satellite', access, filter, why });
    const integration = (access: TopicRule['access'], filter: string, why: string): TopicRule => ({ role: 'integration', access, filter, why });
    const rhasspy = (access: TopicRule['access'], filter: string, why: string): TopicRule => ({ role: 'rhasspy', access, filter, why });
    const probe = (access: TopicRule['access'], filter: string, why: string): TopicRule => ({ role: 'probe', access, filter, why });
    this.rules = [
      satellite('publish', `${p}/sat/{id}/up/ctl`, 'its control messages to the hub'),
      satellite('publish', `${p}/sat/{id}/up/audio`, 'its audio, after the wake word'),
      satellite('publish', `${p}/sat/{id}/availability`, 'online, and offline as its will'),
      satellite('subscribe', `${p}/sat/{id}/down/ctl`, "the hub's control messages"),
      satellite('subscribe', `${p}/sat/{id}/down/audio`, 'reply audio'),
      satellite('subscribe', `${p}/hub/availability`, 'when to say hello again'),
      probe('subscribe', `${p}/hub/availability`, 'is this hub up (a failover probe, with its own client id)'),
      integration('publish', `${p}/sat/+/cmd/+`, 'commands: stop, mute, volume, listen, say'),
      integration('publish', `${p}/hub/cmd/say`, 'announcements to a room or the house'),
      integration('publish', `${ha}/status`, "Home Assistant's birth message: discovery is sent again"),
      integration('publish', 'hermes/tts/say', 'Rhasspy text to speech'),
      ...(settings.integrationPublish ?? []).map((filter) => integration('publish', filter, 'auth.integrationPublish')),
      integration('subscribe', `${p}/sat/+/availability`, 'satellite availability'),
      integration('subscribe', `${p}/sat/+/state`, 'assist state'),
      integration('subscribe', `${p}/sat/+/volume`, 'volume'),
      integration('subscribe', `${p}/sat/+/link`, 'which of its hubs a satellite is on'),
      integration('subscribe', `${p}/sat/+/event/#`, 'wake, transcript, reply, turn, error events (text only)'),
      integration('subscribe', `${p}/hub/availability`, 'hub availability'),
      integration('subscribe', `${p}/hub/error`, 'answers to bad commands'),
      integration('subscribe', `${p}/hub/capability`, 'full, degraded or down, with the reasons'),
      integration('subscribe', `${ha}/#`, "discovery configs, as Home Assistant's MQTT integration reads them"),
      ...['hotword', 'asr', 'intent', 'nlu', 'tts', 'dialogueManager', 'error'].map((kind) => integration('subscribe', `hermes/${kind}/#`, 'Rhasspy events (never audioServer: it carries audio)')),
      rhasspy('publish', 'hermes/audioServer/{id}/audioFrame', 'its microphone, as WAV chunks'),
      rhasspy('publish', 'hermes/audioServer/{id}/playFinished', 'a reply has been played'),
      rhasspy('publish', HOTWORD_DETECTED, 'its wake word (the embedded broker checks that the payload names its own site)'),
      rhasspy('publish', 'hermes/error/+', "its services' errors"),
      rhasspy('subscribe', 'hermes/audioServer/{id}/audioFrame', 'its own microphone, which its wake word service listens to'),
      rhasspy('subscribe', 'hermes/audioServer/{id}/playBytes/#', 'replies to play'),
      rhasspy('subscribe', 'hermes/hotword/toggleOn', 'wake word on again (after a reply, or unmuted)'),
      rhasspy('subscribe', 'hermes/hotword/toggleOff', 'wake word off (a turn, a reply, muted)'),
      rhasspy('subscribe', 'hermes/asr/startListening', 'stream to the hub (a microphone sending over UDP switches to MQTT)'),
      rhasspy('subscribe', 'hermes/asr/stopListening', 'stop streaming'),
    ];
  }

  private allowed(actor: Actor, access: TopicRule['access']): string[] {
    return this.rules.filter((rule) => rule.role === actor.role && rule.access === access).map((rule) => (actor.id !== undefined ? rule.filter.replaceAll('{id}', actor.id) : rule.filter));
  }

  /**
   * Whether `actor` may publish on the concrete topic `topic`, and, where a rule reads the payload
   * (a Rhasspy site's hotword must name its own site), with `payload`. The embedded broker passes the
   * payload; a Mosquitto ACL sees topics only, so there a site could wake another site.
   */
  mayPublish(actor: Actor, topic: string, payload?: Uint8Array): AclVerdict {
    if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) return { ok: false, code: 'HUGH_ERR_TOPIC_INVALID', reason: `topic longer than ${MAX_TOPIC_BYTES} bytes` };
    const shown = topic.slice(0, 120);
    if (!this.allowed(actor, 'publish').some((filter) => filterMatches(filter, topic))) {
      const who = actor.role === 'satellite' ? `satellite ${actor.id}` : actor.role === 'rhasspy' ? `Rhasspy site ${actor.id}` : actor.role === 'probe' ? `probe ${actor.id}` : 'integrations';
      return { ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: `${who} may not publish on ${shown}` };
    }
    if (actor.role === 'rhasspy' && payload !== undefined && filterMatches(HOTWORD_DETECTED, topic) && payloadSiteId(payload) !== actor.id) {
      return { ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: `Rhasspy site ${actor.id} may only report its own wake word (siteId "${actor.id}") on ${shown}` };
    }
    return { ok: true };
  }

  /** Whether `actor` may subscribe to `filter`: only when a rule covers everything it can match. */
  maySubscribe(actor: Actor, filter: string): boolean {
    if (Buffer.byteLength(filter) > MAX_TOPIC_BYTES) return false;
    return this.allowed(actor, 'subscribe').some((allowed) => filterCovers(allowed, filter));
  }

  /**
   * The same rules as a Mosquitto ACL file (`acl_file`): one block per login, no `pattern` lines
   * (a pattern applies to every user, so an integration could pose as a satellite of its name).
   */
  mosquitto(accounts: { hubUser: string; hubPublish: readonly string[]; satellites: readonly string[]; integrations: readonly string[]; rhasspySites?: readonly string[] }): string {
    const lines = [
      "# H.U.G.H. Voice ACL for Mosquitto, printed by `hugh-hub mosquitto-acl` from the hub's rule table.",
      '# Anything not granted is refused. Print it again after `hugh-hub satellite add|remove`, then reload Mosquitto.',
      '',
      '# the hub (mqtt.username): its own tree, discovery, Rhasspy, and the device command topics it publishes',
      `user ${accounts.hubUser}`,
      ...[...new Set([`${this.settings.topics.prefix}/#`, `${this.settings.discoveryPrefix}/#`, 'hermes/#', ...accounts.hubPublish])].map((filter) => `topic readwrite ${filter}`),
    ];
    const block = (actor: Actor, name: string) => [
      '',
      `user ${name}`,
      ...this.allowed(actor, 'publish').map((filter) => `topic write ${filter}`),
      ...this.allowed(actor, 'subscribe').map((filter) => `topic read ${filter}`),
    ];
    for (const id of accounts.satellites) lines.push(...block({ role: 'satellite', id }, id));
    for (const id of accounts.integrations) lines.push(...block({ role: 'integration', id }, id));
    if (accounts.rhasspySites?.length) lines.push('', "# Rhasspy sites: Mosquitto cannot check that a site's hotword payload names its own site (the embedded broker does)");
    for (const id of accounts.rhasspySites ?? []) lines.push(...block({ role: 'rhasspy', id }, id));
    return `${lines.join('\n')}\n`;
  }
}

/** The `siteId` of a Hermes JSON payload; undefined for anything else. */
function payloadSiteId(payload: Uint8Array): string | undefined {
  if (payload.byteLength > 16 * 1024) return undefined;
  try {
    const siteId = (JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString()) as { siteId?: unknown } | null)?.siteId;
    return typeof siteId === 'string' ? siteId : undefined;
  } catch {
    return undefined;
  }
}
