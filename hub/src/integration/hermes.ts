import type { Logger } from '@hugh/common';
import type { HubEvents } from '../events.js';
import type { SessionManager } from '../session/session-manager.js';
import type { MqttBus } from '../transport/mqtt-bus.js';

/**
 * Rhasspy's Hermes topics, for people moving from Rhasspy: wake words are published on
 * `hermes/hotword/<keyword>/detected`, transcripts on `hermes/asr/textCaptured`, and
 * `hermes/tts/say` ({text, siteId?}) makes a satellite (siteId = satellite id) or all of them speak.
 */
export class HermesBridge {
  constructor(
    private readonly bus: MqttBus,
    private readonly events: HubEvents,
    private readonly sessions: SessionManager,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.events.on('wake', (siteId, wake) =>
      this.bus.publish(
        `hermes/hotword/${wake.keyword}/detected`,
        JSON.stringify({ siteId, modelId: wake.keyword, modelVersion: '', modelType: 'universal', currentSensitivity: wake.score, sessionId: String(wake.turnId), sendAudioCaptured: null, lang: null, customEntities: null }),
      ),
    );
    this.events.on('transcript', (siteId, turnId, text) =>
      this.bus.publish('hermes/asr/textCaptured', JSON.stringify({ text, likelihood: 1, seconds: 0, siteId, sessionId: String(turnId), wakewordId: null, asrTokens: null, lang: null })),
    );
    this.events.on('intent', (siteId, intent) =>
      this.bus.publish(
        `hermes/intent/${intent.name}`,
        JSON.stringify({ input: '', intent: { intentName: intent.name, confidenceScore: 1 }, siteId, slots: Object.entries(intent.slots).map(([slotName, value]) => ({ slotName, entity: slotName, value: { kind: 'Unknown', value }, rawValue: value })) }),
      ),
    );
    await this.bus.subscribe('hermes/tts/say', (_topic, payload) => {
      try {
        const message = JSON.parse(payload.toString()) as { text?: unknown; siteId?: unknown };
        if (typeof message.text !== 'string' || message.text.trim() === '') throw new Error('hermes/tts/say needs a "text"');
        const targets = typeof message.siteId === 'string' && message.siteId !== 'default' ? [message.siteId] : [...this.sessions.sessions.keys()];
        this.sessions.announce(targets, message.text.trim());
      } catch (error) {
        this.logger.warn({ err: error }, 'hermes/tts/say refused');
      }
    });
  }
}
