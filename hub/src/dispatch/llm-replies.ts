import { withStallTimeout, type Logger } from '@hugh/common';
import { type ChatMessage, type ChatModel } from '@hugh/common/clients';
import type { ReplyContext, ReplyGenerator } from '../pipeline/replies.js';
import { APOLOGIES } from './apologies.js';

export interface LlmRepliesOptions {
  systemPrompt: string;
  /** Exchanges kept per satellite as context (a question and its answer each). */
  historyTurns: number;
  /** Longest wait for the first piece of the answer. */
  firstTokenTimeoutMs: number;
  /** Longest silence inside a streaming answer. */
  stallTimeoutMs: number;
  logger: Logger;
}

export const CANT_REACH = APOLOGIES.cantReach;

/**
 * Questions no local intent answers go to a language model, streamed so speech can start on the
 * first sentence. An error, a stall or a garbled stream ends the answer with a short spoken
 * apology within the configured time; the turn never hangs on the model.
 */
export class LlmReplies implements ReplyGenerator {
  private readonly history = new Map<string, ChatMessage[]>();

  constructor(
    private readonly model: ChatModel,
    private readonly options: LlmRepliesOptions,
  ) {}

  async *reply(transcript: string, context: ReplyContext): AsyncIterable<string> {
    const past = this.history.get(context.satelliteId) ?? [];
    const messages: ChatMessage[] = [{ role: 'system', content: this.options.systemPrompt }, ...past, { role: 'user', content: transcript }];
    let answer = '';
    try {
      const pieces = withStallTimeout((signal) => this.model.chat(messages, { signal }), {
        firstItemMs: this.options.firstTokenTimeoutMs,
        stallMs: this.options.stallTimeoutMs,
        signal: context.signal,
        what: this.model.name,
      });
      for await (const piece of pieces) {
        answer += piece;
        yield piece;
      }
    } catch (error) {
      if (context.signal.aborted) return;
      this.options.logger.warn({ model: this.model.name, reason: (error as Error).message }, 'language model failed');
      yield answer ? ` ${APOLOGIES.lostIt}` : APOLOGIES.cantReach;
      return;
    }
    // An answer made ahead of the turn's end joins the conversation only if it became the answer.
    if (context.committed && !(await context.committed)) return;
    const kept = [...(this.history.get(context.satelliteId) ?? []), { role: 'user' as const, content: transcript }, { role: 'assistant' as const, content: answer }];
    this.history.set(context.satelliteId, kept.slice(-2 * this.options.historyTurns));
  }
}
