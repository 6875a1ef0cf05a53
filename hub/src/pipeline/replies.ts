/** What a reply is for: the satellite, its room, and the turn's signal (barge-in, cancel). */
export interface ReplyContext {
  satelliteId: string;
  room: string | undefined;
  signal: AbortSignal;
  /**
   * Present when the reply is made ahead of the end of the turn (preemptively, on a speculative
   * transcript): resolves true when it became the answer, false when it was dropped. State that
   * outlives the reply (conversation history) is written only once it resolves true.
   */
  committed?: Promise<boolean>;
}

/** Where reply text comes from: a stream, so speech can start on the first phrase. */
export interface ReplyGenerator {
  reply(transcript: string, context: ReplyContext): AsyncIterable<string>;
}
