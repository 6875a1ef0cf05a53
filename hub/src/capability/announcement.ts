import type { Capability } from '@hugh/protocol';
import type { HubEvents } from '../events.js';

/** One sentence per source of reduced capability, in the hub's own voice. */
const SENTENCES: Record<string, string> = {
  tts: "I'm running on my backup voice.",
  stt: "I'm listening with my backup ears today, so I may mishear you.",
  dispatch: 'My main brain is offline, so a smaller model is answering.',
};
const OTHER = "I'm running with reduced capability.";

/** What the hub says about a degraded capability: a sentence per source, each once. */
export function capabilitySentence(capability: Capability): string {
  const sentences = capability.reasons.map((reason) => SENTENCES[reason.source] ?? OTHER);
  return [...new Set(sentences)].join(' ');
}

/**
 * `capability.announce`: when the hub becomes degraded it says so once, on the satellite of the
 * next answered turn, as an announcement right after that satellite has finished playing the
 * reply (its state is idle again). Nothing in the turn's pipeline changes, and the reply is never
 * cut. Back to full before anyone spoke: nothing is said. Down: there is no voice to say it with,
 * so it waits until a voice is back.
 */
export class CapabilityAnnouncer {
  private sentence: string | undefined;
  private waitingFor: string | undefined;

  constructor(
    events: HubEvents,
    private readonly announce: (satelliteId: string, text: string) => boolean,
  ) {
    events.on('turn', (record) => {
      if (this.sentence && record.outcome === 'answered') this.waitingFor = record.satelliteId;
    });
    events.on('state', (satelliteId, state) => {
      if (state !== 'idle' || satelliteId !== this.waitingFor || !this.sentence) return;
      this.waitingFor = undefined;
      if (this.announce(satelliteId, this.sentence)) this.sentence = undefined;
    });
  }

  update(current: Capability, previous: Capability): void {
    if (current.state === 'full') this.sentence = this.waitingFor = undefined;
    else if (current.state === 'degraded' && (previous.state !== 'degraded' || this.sentence)) this.sentence = capabilitySentence(current);
  }
}
