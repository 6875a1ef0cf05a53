/** Where reply text comes from: a stream, so speech can start on the first sentence. */
export interface ReplyGenerator {
  reply(transcript: string, context: { satelliteId: string; room: string | undefined; signal: AbortSignal }): AsyncIterable<string>;
}
