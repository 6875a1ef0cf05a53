import { describe, expect, it } from 'vitest';
import { AsyncQueue, silentLogger } from '@hugh/common';
import type { ChatMessage, ChatModel } from '@hugh/common/clients';
import { LlmReplies, PrefetchingReplies, type ReplyContext, type ReplyGenerator } from '@hugh/hub';

/** A reply the test feeds piece by piece; records each call's transcript and signal. */
function fedReplies() {
  const calls: { transcript: string; signal: AbortSignal; pieces: AsyncQueue<string> }[] = [];
  const inner: ReplyGenerator = {
    reply(transcript, context) {
      const pieces = new AsyncQueue<string>();
      calls.push({ transcript, signal: context.signal, pieces });
      return pieces;
    },
  };
  return { calls, inner };
}
const context = (signal = new AbortController().signal): ReplyContext => ({ satelliteId: 'kitchen', room: undefined, signal });
async function all(stream: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const piece of stream) text += piece;
  return text;
}

describe('PrefetchingReplies: the language model starts on a speculative transcript', () => {
  it('the reply for the same transcript adopts the prefetch: what it said so far, then the rest live, and no second call', async () => {
    const { calls, inner } = fedReplies();
    const replies = new PrefetchingReplies(inner);
    replies.prefetch('what is the capital of france', context());
    calls[0]!.pieces.push('Paris is ');
    const answer = all(replies.reply('what is the capital of france', context()));
    calls[0]!.pieces.push('the capital.');
    calls[0]!.pieces.end();
    expect(await answer).toBe('Paris is the capital.');
    expect(calls).toHaveLength(1);
  });

  it('another transcript drops the prefetch (aborted) and asks afresh; drop() aborts it too', async () => {
    const { calls, inner } = fedReplies();
    const replies = new PrefetchingReplies(inner);
    replies.prefetch('what is', context());
    const answer = all(replies.reply('what is the capital of france', context()));
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[1]!.pieces.end();
    await answer;
    replies.prefetch('set a timer for', context());
    replies.drop('kitchen');
    expect(calls[2]!.signal.aborted).toBe(true);
  });

  it('a dropped prefetch never joins the conversation history, an adopted one does', async () => {
    const asked: ChatMessage[][] = [];
    const model: ChatModel = {
      name: 'scripted',
      async *chat(messages) {
        asked.push(messages);
        yield `answer ${asked.length}.`;
      },
    };
    const llm = new LlmReplies(model, { systemPrompt: 'Be brief.', historyTurns: 4, firstTokenTimeoutMs: 1_000, stallTimeoutMs: 1_000, logger: silentLogger() });
    const replies = new PrefetchingReplies(llm);
    replies.prefetch('half a question', context());
    await new Promise<void>((resolve) => setImmediate(resolve));
    replies.drop('kitchen');
    expect(await all(replies.reply('a whole question', context()))).toBe('answer 2.');
    expect(await all(replies.reply('and another', context()))).toBe('answer 3.');
    expect(asked[2]!.map((message) => message.content)).toEqual(['Be brief.', 'a whole question', 'answer 2.', 'and another']);
  });
});
