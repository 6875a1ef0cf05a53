/** Where reply text comes from: a stream, so speech can start on the first sentence. */
export interface ReplyGenerator {
  reply(transcript: string, context: { satelliteId: string; room: string | undefined; signal: AbortSignal }): AsyncIterable<string>;
}

function spokenTime(now: Date): string {
  return now.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' });
}

/**
 * Replies the hub can give alone, until intent dispatch is configured: the time, the date, and
 * otherwise what it heard. Matching is loose on purpose: transcripts arrive lower-case and
 * unpunctuated from the local recogniser.
 */
export class LocalReplies implements ReplyGenerator {
  constructor(private readonly now: () => Date = () => new Date()) {}

  async *reply(transcript: string): AsyncIterable<string> {
    const text = transcript.toLowerCase();
    if (/\btime\b/.test(text)) yield `It's ${spokenTime(this.now())}.`;
    else if (/\b(date|day|today)\b/.test(text)) yield `Today is ${this.now().toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric' })}.`;
    else yield `I heard: ${transcript}. I can't answer that yet.`;
  }
}
