import type { Logger } from '@hugh/common';
import { EngineChain, type EngineStatus } from '../engines/chain.js';
import type { ReplyGenerator } from '../pipeline/replies.js';
import type { ConversationAnswer, HomeAssistantApi } from './home-assistant-api.js';

export interface HomeAssistantRepliesOptions {
  /** Longest wait for an answer: beyond it the next stage answers. */
  timeoutMs: number;
  /** How long Home Assistant is skipped after a failure before one trial call. */
  halfOpenAfterMs: number;
  language?: string | undefined;
  agentId?: string | undefined;
  /** Send the satellite's Home Assistant device, so "the lights" are its area's (see HomeAssistantApi). */
  deviceContext: boolean;
  logger: Logger;
  onFailover?: (engine: string, error: Error) => void;
}

/**
 * Error answers whose text answers nothing, so the next stage should: Home Assistant understood no
 * intent, or failed outside intent handling. `no_valid_targets` ("no device called …") and
 * `failed_to_handle` are spoken: an intent was meant for the house, and a language model after them
 * would only pretend to have done it.
 */
const NOT_AN_ANSWER = new Set(['no_intent_match', 'unknown']);

/** What Home Assistant says when it did something and said nothing. */
const DONE = 'Done.';

/**
 * A dispatch stage: the transcript goes to Home Assistant's conversation API, and its spoken answer
 * is the reply; what Home Assistant does not understand goes to `next`. Home Assistant acts on what
 * it understands (it turns the lights on), so this stage runs on final transcripts only, never on a
 * guess. An unreachable, failing or slow Home Assistant costs at most `timeoutMs`; then a circuit
 * breaker (the engine chain's) skips it until `halfOpenAfterMs` has passed and a trial call succeeds.
 * `conversation_id` is kept per satellite, so a follow-up question continues the conversation.
 */
export class HomeAssistantReplies implements ReplyGenerator {
  private readonly chain: EngineChain<HomeAssistantApi>;
  private readonly conversations = new Map<string, string>();

  constructor(
    private readonly next: ReplyGenerator,
    api: HomeAssistantApi,
    private readonly options: HomeAssistantRepliesOptions,
  ) {
    this.chain = new EngineChain('homeAssistant', [{ engine: api, timeoutMs: options.timeoutMs }], options.logger, {
      halfOpenAfterMs: options.halfOpenAfterMs,
      ...(options.onFailover ? { onFailover: options.onFailover } : {}),
    });
  }

  status(): EngineStatus[] {
    return this.chain.status();
  }

  async *reply(transcript: string, context: { satelliteId: string; room: string | undefined; signal: AbortSignal }): AsyncIterable<string> {
    let answer: ConversationAnswer;
    try {
      ({ value: answer } = await this.chain.run((api, signal) => this.ask(api, transcript, context.satelliteId, signal), context.signal));
    } catch (error) {
      if (context.signal.aborted) return;
      this.options.logger.debug({ reason: (error as Error).message }, 'Home Assistant did not answer; the next stage does');
      yield* this.next.reply(transcript, context);
      return;
    }
    if (answer.conversationId) this.conversations.set(context.satelliteId, answer.conversationId);
    if (answer.responseType === 'error' && NOT_AN_ANSWER.has(answer.errorCode ?? 'unknown')) {
      this.options.logger.debug({ code: answer.errorCode, satelliteId: context.satelliteId }, 'Home Assistant has no answer; the next stage does');
      yield* this.next.reply(transcript, context);
      return;
    }
    yield answer.speech || DONE;
  }

  private async ask(api: HomeAssistantApi, text: string, satelliteId: string, signal: AbortSignal): Promise<ConversationAnswer> {
    const request = { text, language: this.options.language, agentId: this.options.agentId, conversationId: this.conversations.get(satelliteId), signal };
    if (this.options.deviceContext) {
      // Home Assistant ends the pipeline run itself when our timeout has passed too.
      const asDevice = await api.processAsDevice(`hugh_${satelliteId}`, { ...request, timeoutS: Math.ceil(this.options.timeoutMs / 1000) });
      if (asDevice) return asDevice;
    }
    return api.process(request);
  }
}
