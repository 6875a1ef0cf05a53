import type { Logger } from '@hugh/common';
import type { ReplyGenerator } from '../pipeline/replies.js';
import type { ChatMessage, ChatModel } from '@hugh/common';

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

export const CANT_REACH = "Sorry, I can't reach my language model right now.";
const LOST_IT = 'Sorry, I lost my train of thought.';

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

  async *reply(transcript: string, context: { satelliteId: string; room: string | undefined; signal: AbortSignal }): AsyncIterable<string> {
    const past = this.history.get(context.satelliteId) ?? [];
    const messages: ChatMessage[] = [{ role: 'system', content: this.options.systemPrompt }, ...past, { role: 'user', content: transcript }];
    const watchdog = new AbortController();
    const signal = AbortSignal.any([context.signal, watchdog.signal]);
    let timer = setTimeout(() => watchdog.abort('first-token'), this.options.firstTokenTimeoutMs);
    let answer = '';
    try {
      for await (const piece of this.model.chat(messages, { signal })) {
        clearTimeout(timer);
        answer += piece;
        yield piece;
        // Only the model's silence counts: the time the pipeline spends speaking between pulls does not.
        timer = setTimeout(() => watchdog.abort('stall'), this.options.stallTimeoutMs);
      }
    } catch (error) {
      if (context.signal.aborted) return;
      this.options.logger.warn({ model: this.model.name, reason: watchdog.signal.aborted ? watchdog.signal.reason : (error as Error).message }, 'language model failed');
      yield answer ? ` ${LOST_IT}` : CANT_REACH;
      return;
    } finally {
      clearTimeout(timer);
    }
    const kept = [...past, { role: 'user' as const, content: transcript }, { role: 'assistant' as const, content: answer }];
    this.history.set(context.satelliteId, kept.slice(-2 * this.options.historyTurns));
  }
}
