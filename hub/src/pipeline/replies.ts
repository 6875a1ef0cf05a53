/** Where reply text comes from: a stream, so speech can start on the first sentence. */
export interface ReplyGenerator {
  reply(transcript: string, context: { satelliteId: string; room: string | undefined; signal: AbortSignal }): AsyncIterable<string>;
}

/**
 * What the hub says to a question no local intent answers, until a language model is configured
 * (intent dispatch): that it heard, and what.
 */
export class LocalReplies implements ReplyGenerator {
  async *reply(transcript: string): AsyncIterable<string> {
    yield `I heard: ${transcript}. I can't answer that yet.`;
  }
}
