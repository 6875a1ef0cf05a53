import type { Logger } from '@hugh/common';
import { MAX_CONTROL_BYTES } from '@hugh/protocol';
import type { HubEvents } from '../events.js';
import type { SessionManager } from '../session/session-manager.js';
import type { MqttBus } from '../transport/mqtt-bus.js';

/** A `hermes/tts/say` as Rhasspy sends it: `text`, and optionally the `id`, `siteId` and `sessionId` its `sayFinished` echoes. */
interface Say {
  text: string;
  id: string;
  siteId: string | undefined;
  sessionId: string;
}

function readSay(payload: Buffer): Say {
  if (payload.length > MAX_CONTROL_BYTES) throw new Error(`hermes/tts/say of ${payload.length} bytes is too large`);
  const message = JSON.parse(payload.toString()) as { text?: unknown; id?: unknown; siteId?: unknown; sessionId?: unknown } | null;
  if (typeof message?.text !== 'string' || message.text.trim() === '') throw new Error('hermes/tts/say needs a "text"');
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 256) : '');
  return { text: message.text.trim(), id: text(message.id), siteId: typeof message.siteId === 'string' && message.siteId !== 'default' ? message.siteId : undefined, sessionId: text(message.sessionId) };
}

/**
 * Rhasspy's Hermes topics, for people moving from Rhasspy: wake words are published on
 * `hermes/hotword/<keyword>/detected`, transcripts on `hermes/asr/textCaptured`, intents the local
 * intents answered on `hermes/intent/<name>` (with the words and the turn as session), and
 * `hermes/tts/say` ({text, siteId?, id?, sessionId?}) makes a satellite (siteId = satellite id) or
 * all of them speak, answered by `hermes/tts/sayFinished` {id, siteId, sessionId} once it has been
 * spoken (after `hermes/error/tts` when it could not be). Rhasspy sites (`hermes.sites`) report
 * their own wake words: theirs are not published again.
 */
export class HermesBridge {
  /** The last transcript per satellite: an intent for the same words belongs to that turn. */
  private readonly transcripts = new Map<string, { turnId: number; text: string }>();

  constructor(
    private readonly bus: MqttBus,
    private readonly events: HubEvents,
    private readonly sessions: SessionManager,
    private readonly logger: Logger,
    private readonly hermesSites: ReadonlySet<string> = new Set(),
  ) {}

  async start(): Promise<void> {
    const publish = (topic: string, body: unknown) => this.bus.publish(topic, JSON.stringify(body));
    this.events.on('wake', (siteId, wake) => {
      if (this.hermesSites.has(siteId)) return;
      publish(`hermes/hotword/${wake.keyword}/detected`, { siteId, modelId: wake.keyword, modelVersion: '', modelType: 'universal', currentSensitivity: wake.score, sessionId: String(wake.turnId), sendAudioCaptured: null, lang: null, customEntities: null });
    });
    this.events.on('transcript', (siteId, turnId, text) => {
      this.transcripts.set(siteId, { turnId, text });
      publish('hermes/asr/textCaptured', { text, likelihood: 1, seconds: 0, siteId, sessionId: String(turnId), wakewordId: null, asrTokens: null, lang: null });
    });
    this.events.on('satellite-offline', (siteId) => this.transcripts.delete(siteId));
    this.events.on('intent', (siteId, intent, input) => {
      const heard = this.transcripts.get(siteId);
      publish(`hermes/intent/${intent.name}`, {
        input,
        // A typed question (the dashboard) has no turn: Rhasspy's "no session" is "".
        sessionId: heard?.text === input ? String(heard.turnId) : '',
        siteId,
        intent: { intentName: intent.name, confidenceScore: 1 },
        slots: Object.entries(intent.slots).map(([slotName, value]) => ({ slotName, entity: slotName, value: { kind: 'Unknown', value }, rawValue: value })),
      });
    });
    await this.bus.subscribe('hermes/tts/say', (_topic, payload) => {
      let say: Say;
      try {
        say = readSay(payload);
      } catch (error) {
        return this.logger.warn({ err: error }, 'hermes/tts/say refused');
      }
      const finished = { id: say.id, siteId: say.siteId ?? 'default', sessionId: say.sessionId };
      let spoken: Promise<void>;
      try {
        spoken = this.sessions.announce(say.siteId ? [say.siteId] : [...this.sessions.sessions.keys()], say.text);
      } catch (error) {
        this.logger.warn({ err: error, siteId: say.siteId }, 'hermes/tts/say could not be spoken');
        publish('hermes/error/tts', { error: (error as Error).message, context: say.id, siteId: finished.siteId, sessionId: say.sessionId });
        spoken = Promise.resolve();
      }
      // Rhasspy's dialogue manager waits for this before it listens again.
      void spoken.then(() => publish('hermes/tts/sayFinished', finished));
    });
  }
}
