import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { OllamaChat, OpenAiChat, type ChatModel } from '@hugh/common/clients';
import { CANT_REACH, LlmReplies } from '@hugh/hub';
import { fakeHttpServer, json } from '../../testing/http-server.js';

type Server = Awaited<ReturnType<typeof fakeHttpServer>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const options = { systemPrompt: 'Be brief.', historyTurns: 2, firstTokenTimeoutMs: 1_000, stallTimeoutMs: 500, logger: silentLogger() };

async function answer(replies: LlmReplies, question: string, satelliteId = 'kitchen'): Promise<string> {
  let text = '';
  for await (const piece of replies.reply(question, { satelliteId, room: undefined, signal: new AbortController().signal })) text += piece;
  return text;
}

const ndjson = (...lines: unknown[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join('');
const sse = (...events: unknown[]) => events.map((event) => `data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`).join('');

describe('Ollama /api/chat adapter (NDJSON wire format against a local server; not a test of a model)', () => {
  it('streams message.content pieces until done, sending model, messages and stream: true', async () => {
    server = await fakeHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(ndjson({ model: 'm', message: { role: 'assistant', content: 'Paris is' }, done: false }));
      res.end(ndjson({ message: { role: 'assistant', content: ' the capital.' }, done: false }, { message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', eval_count: 5, total_duration: 1_000_000 }));
    });
    const replies = new LlmReplies(new OllamaChat(server.url, 'llama3.1:8b'), options);
    expect(await answer(replies, 'what is the capital of france')).toBe('Paris is the capital.');
    const request = server.requests[0]!;
    expect(request.path).toBe('/api/chat');
    expect(request.json).toEqual({ model: 'llama3.1:8b', stream: true, messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'what is the capital of france' }] });
  });

  it('keeps the last exchanges per satellite as context, capped', async () => {
    let n = 0;
    server = await fakeHttpServer((_request, res) => {
      res.writeHead(200).end(ndjson({ message: { content: `Answer ${++n}.` }, done: false }, { done: true }));
    });
    const replies = new LlmReplies(new OllamaChat(server.url, 'm'), options);
    for (const question of ['one', 'two', 'three']) await answer(replies, question);
    await answer(replies, 'elsewhere', 'den');
    const third = server.requests[2]!.json as { messages: { role: string; content: string }[] };
    expect(third.messages.map((message) => message.content)).toEqual(['Be brief.', 'one', 'Answer 1.', 'two', 'Answer 2.', 'three']);
    const fourth = server.requests[3]!.json as { messages: unknown[] };
    expect(fourth.messages).toHaveLength(2); // another satellite, another conversation
    await answer(replies, 'four');
    const fifth = server.requests[4]!.json as { messages: { content: string }[] };
    expect(fifth.messages.map((message) => message.content)).toEqual(['Be brief.', 'two', 'Answer 2.', 'three', 'Answer 3.', 'four']);
  });

  it.each([
    ['a 500', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => json(res, 500, { error: 'model not loaded' })],
    ['an error line', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => void res.writeHead(200).end(ndjson({ error: 'out of memory' }))],
    ['garbage', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => void res.writeHead(200).end('<html>not json</html>\n')],
    ['a stream cut before done', (res: Parameters<Parameters<typeof fakeHttpServer>[0]>[1]) => void res.writeHead(200).end('')],
  ])('%s → the spoken apology', async (_name, answerWith) => {
    server = await fakeHttpServer((_request, res) => answerWith(res));
    expect(await answer(new LlmReplies(new OllamaChat(server.url, 'm'), options), 'hello')).toBe(CANT_REACH);
  });

  it('nothing listening (no Ollama on this machine) → the apology at once', async () => {
    const started = Date.now();
    expect(await answer(new LlmReplies(new OllamaChat('http://127.0.0.1:1', 'm'), options), 'hello')).toBe(CANT_REACH);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('a server that never answers → the apology within the first-token timeout + 1 s', async () => {
    server = await fakeHttpServer(() => undefined);
    const started = Date.now();
    expect(await answer(new LlmReplies(new OllamaChat(server.url, 'm'), options), 'hello')).toBe(CANT_REACH);
    expect(Date.now() - started).toBeLessThan(options.firstTokenTimeoutMs + 1_000);
  });

  it('a stream that stalls mid-answer → what came, then a short apology, within the stall timeout + 1 s', async () => {
    server = await fakeHttpServer((_request, res) => {
      res.writeHead(200);
      res.write(ndjson({ message: { content: 'The answer is' }, done: false }));
    });
    const started = Date.now();
    expect(await answer(new LlmReplies(new OllamaChat(server.url, 'm'), options), 'hello')).toBe('The answer is Sorry, I lost my train of thought.');
    expect(Date.now() - started).toBeLessThan(options.stallTimeoutMs + 1_000);
  });
});

describe('OpenAI /v1/chat/completions adapter (SSE wire format against a local server; not a test of a model)', () => {
  it('streams choices[0].delta.content until [DONE], with stream: true and the bearer key', async () => {
    server = await fakeHttpServer((_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse({ choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] }));
      res.write(sse({ choices: [{ index: 0, delta: { content: 'Two plus two ' }, finish_reason: null }] }).slice(0, 20));
      res.write(sse({ choices: [{ index: 0, delta: { content: 'Two plus two ' }, finish_reason: null }] }).slice(20));
      res.end(sse({ choices: [{ index: 0, delta: { content: 'is four.' }, finish_reason: 'stop' }] }, '[DONE]'));
    });
    const replies = new LlmReplies(new OpenAiChat(server.url, 'Qwen2.5-7B-Instruct', 'sk-home'), options);
    expect(await answer(replies, 'what is two plus two')).toBe('Two plus two is four.');
    const request = server.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sk-home');
    expect(request.json).toMatchObject({ model: 'Qwen2.5-7B-Instruct', stream: true });
  });

  it.each([
    ['garbage events', sse('not json')],
    ['an error event', sse({ error: { message: 'context length exceeded' } })],
    ['no [DONE]', sse({ choices: [{ delta: { content: 'Hi' } }] })],
  ])('%s → an apology', async (_name, body) => {
    server = await fakeHttpServer((_request, res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(body));
    const text = await answer(new LlmReplies(new OpenAiChat(server.url, 'm'), options), 'hello');
    expect(text.endsWith(CANT_REACH) || text.endsWith('Sorry, I lost my train of thought.')).toBe(true);
  });

  // Regression: older vLLM streams its error as a bare `{object: "error"}` then [DONE], which read as an empty or cut answer.
  it("recognises vLLM's older error object in the stream as an error, mid-answer too", async () => {
    const vllmError = { object: 'error', message: "This model's maximum context length is 8192 tokens", type: 'BadRequestError', param: null, code: 400 };
    server = await fakeHttpServer((_request, res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse(vllmError, '[DONE]')));
    const pieces = new OpenAiChat(server.url, 'm').chat([{ role: 'user', content: 'hello' }], { signal: new AbortController().signal });
    await expect((async () => { for await (const _ of pieces) void _; })()).rejects.toMatchObject({ code: 'HUGH_ERR_ENGINE_UNAVAILABLE', message: expect.stringContaining('maximum context length is 8192 tokens') });
    expect(await answer(new LlmReplies(new OpenAiChat(server.url, 'm'), options), 'hello')).toBe(CANT_REACH);

    await server.close();
    server = await fakeHttpServer((_request, res) => void res.writeHead(200, { 'content-type': 'text/event-stream' }).end(sse({ choices: [{ delta: { content: 'Once upon a time' } }] }, vllmError, '[DONE]')));
    expect(await answer(new LlmReplies(new OpenAiChat(server.url, 'm'), options), 'tell me a story')).toBe('Once upon a time Sorry, I lost my train of thought.');
  });
});

describe('LlmReplies with a cancelled turn', () => {
  it('stops quietly: no apology for a barge-in', async () => {
    const slow: ChatModel = {
      name: 'slow',
      async *chat(_messages, { signal }) {
        yield 'Once upon';
        await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
      },
    };
    const turn = new AbortController();
    const pieces: string[] = [];
    setTimeout(() => turn.abort('wake-word'), 100);
    for await (const piece of new LlmReplies(slow, options).reply('story', { satelliteId: 'k', room: undefined, signal: turn.signal })) pieces.push(piece);
    expect(pieces).toEqual(['Once upon']);
  });
});
