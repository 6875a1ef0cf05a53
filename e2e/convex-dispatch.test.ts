import type { ServerResponse } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { OllamaChat, OpenAiChat, type ChatModel, type ConvexPort } from '@hugh/common/clients';
import { CANT_REACH, ConvexReplies, DEFAULT_ROUTES, LlmReplies, ModelRouter, PrefetchingReplies } from '@hugh/hub';
import { api } from '../convex/_generated/api.js';
import { ConvexTestBackend, startTestWorker, TEST_CONVEX_SECRET as secret } from '../testing/convex-backend.js';
import { fakeHttpServer, json } from '../testing/http-server.js';
import { waitFor } from '../testing/net.js';

// The hub's Convex dispatcher and the LLM worker, on the real Convex functions (convex-test's
// backend behind the interface ConvexClient implements). The workers' LLMs are local servers that
// speak Ollama's NDJSON and OpenAI's SSE: these tests prove the wire and the queue, not a model.

type Server = Awaited<ReturnType<typeof fakeHttpServer>>;
const cleanups: (() => Promise<unknown> | unknown)[] = [];
beforeEach(() => {
  vi.stubEnv('HUGH_CONVEX_SECRET', secret);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ndjsonLine = (content: string) => `${JSON.stringify({ model: 'm', message: { role: 'assistant', content }, done: false })}\n`;
const sseEvent = (content: string) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

/** Writes the pieces with a pause between them, the way a model streams tokens. */
async function ollamaAnswer(res: ServerResponse, pieces: string[], pauseMs = 40) {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  for (const piece of pieces) {
    res.write(ndjsonLine(piece));
    await sleep(pauseMs); // paces the fake model's tokens (not a wait)
  }
  res.end(`${JSON.stringify({ model: 'm', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', eval_count: pieces.length })}\n`);
}

async function server(handler: Parameters<typeof fakeHttpServer>[0]): Promise<Server> {
  const started = await fakeHttpServer(handler);
  cleanups.push(() => started.close());
  return started;
}

function startWorker(port: ConvexPort, workerId: string, models: Record<string, ChatModel>, leaseRenewMs = 5_000) {
  const worker = startTestWorker(port, workerId, models, { leaseRenewMs });
  cleanups.push(() => worker.stop(0));
  return worker;
}

/** The hub side, with a local dispatcher behind it that answers from `localUrl` (or nothing). */
function hubReplies(port: ConvexPort, localUrl = 'http://127.0.0.1:9', timeouts: Partial<{ submitTimeoutMs: number; firstTextTimeoutMs: number; stallTimeoutMs: number; halfOpenAfterMs: number; now: () => number }> = {}) {
  const local = new LlmReplies(new OllamaChat(localUrl, 'llama3.2:3b'), { systemPrompt: 'Local.', historyTurns: 2, firstTokenTimeoutMs: 1_000, stallTimeoutMs: 1_000, logger: silentLogger() });
  return new ConvexReplies(port, local, {
    secret,
    router: new ModelRouter(DEFAULT_ROUTES),
    submitTimeoutMs: 500,
    firstTextTimeoutMs: 3_000,
    stallTimeoutMs: 3_000,
    halfOpenAfterMs: 15_000,
    logger: silentLogger(),
    ...timeouts,
  });
}

async function ask(replies: ConvexReplies, question: string, signal = new AbortController().signal) {
  const pieces: { text: string; atMs: number }[] = [];
  for await (const text of replies.reply(question, { satelliteId: 'kitchen', room: 'kitchen', signal })) pieces.push({ text, atMs: Date.now() });
  return { text: pieces.map((piece) => piece.text).join(''), pieces };
}

function backend() {
  const created = new ConvexTestBackend();
  cleanups.push(() => created.close());
  return created;
}

const turnsOf = (convex: ConvexTestBackend) => convex.t.run((ctx) => ctx.db.query('turns').collect());

describe('hub ↔ Convex ↔ worker', () => {
  it('streams an Ollama answer into the turn in batches and out of the hub as it grows; the conversation carries to the next question', async () => {
    const convex = backend();
    const llm = await server((_request, res) => void ollamaAnswer(res, ['The sky ', 'looks blue ', 'because air ', 'scatters blue light.', ' Sunsets ', 'are red.']));
    startWorker(convex.port(), 'vm-llm-1', { 'llama3.3:70b': new OllamaChat(llm.url, 'llama3.3:70b') });
    const replies = hubReplies(convex.port());

    const first = await ask(replies, 'why is the sky blue');
    expect(first.text).toBe('The sky looks blue because air scatters blue light. Sunsets are red.');
    expect(first.pieces.length).toBeGreaterThan(1); // heard while the model was still talking
    const [turn] = await turnsOf(convex);
    expect(turn).toMatchObject({ status: 'done', model: 'llama3.3:70b', workerId: 'vm-llm-1', attempts: 1 });
    expect(turn!.chunks).toBeGreaterThanOrEqual(2);
    expect(turn!.chunks).toBeLessThan(6); // batched: fewer writes than tokens
    expect(llm.requests[0]!.json).toMatchObject({ model: 'llama3.3:70b', stream: true });

    await ask(replies, 'and at night');
    const second = llm.requests[1]!.json as { messages: { role: string; content: string }[] };
    expect(second.messages.slice(1).map((message) => message.content)).toEqual(['why is the sky blue', first.text, 'and at night']);
    // Convex saw text and metadata only.
    expect(JSON.stringify(convex.calls)).not.toMatch(/audio|pcm|wav/i);
  });

  it('works the same with an OpenAI-compatible server (SSE), routing a coding question to its model', async () => {
    const convex = backend();
    const llm = await server(async (_request, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of ['Use ', 'a list ', 'comprehension.']) {
        res.write(sseEvent(piece));
        await sleep(30); // paces the fake model's tokens (not a wait)
      }
      res.end(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
    startWorker(convex.port(), 'vm-llm-2', { 'codestral:22b': new OpenAiChat(llm.url, 'codestral') });
    const { text } = await ask(hubReplies(convex.port()), 'how do I filter a list in python');
    expect(text).toBe('Use a list comprehension.');
    expect(llm.requests[0]!.path).toBe('/v1/chat/completions');
    expect((await turnsOf(convex))[0]).toMatchObject({ model: 'codestral:22b', status: 'done' });
  });

  it('a model that fails moves the turn down the routing order to the next live model', async () => {
    const convex = backend();
    const broken = await server((_request, res) => json(res, 500, { error: 'CUDA out of memory' }));
    const small = await server((_request, res) => void ollamaAnswer(res, ['Eight ', 'billion ', 'says hi.']));
    startWorker(convex.port(), 'big', { 'llama3.3:70b': new OllamaChat(broken.url, 'llama3.3:70b') });
    startWorker(convex.port(), 'small', { 'llama3.1:8b': new OllamaChat(small.url, 'llama3.1:8b') });
    await waitFor(async () => (await convex.t.query(api.workers.list, { secret })).length === 2, 'both workers\' heartbeats, so both models count as live');
    const { text } = await ask(hubReplies(convex.port()), 'tell me something about the weather in spring and autumn');
    expect(text).toBe('Eight billion says hi.');
    expect((await turnsOf(convex))[0]).toMatchObject({ status: 'done', model: 'llama3.1:8b', workerId: 'small', attempts: 2 });
  });

  it('a worker that dies mid-turn costs one lease: the turn is reclaimed and answered, the hub says it starts again', async () => {
    const convex = backend();
    await convex.t.mutation(api.settings.set, { secret, leaseMs: 800 });
    const dying = await server(async (_request, res) => {
      res.writeHead(200);
      res.write(ndjsonLine('I was about to say. '));
      // …and never another word: this worker's machine is gone.
    });
    const alive = await server((_request, res) => void ollamaAnswer(res, ['A whole answer.']));
    // The dying worker's link to Convex is cut after its first write: no heartbeat, no fail.
    let cut = false;
    const port = convex.port();
    const severed: ConvexPort = {
      ...port,
      mutation: async (fn, args) => {
        if (cut) return new Promise(() => undefined);
        const result = await port.mutation(fn, args);
        if ((fn as unknown as Record<symbol, string>)[Symbol.for('functionName')] === 'turns:append') cut = true;
        return result;
      },
    };
    startWorker(severed, 'dies', { 'llama3.3:70b': new OllamaChat(dying.url, 'llama3.3:70b') }, 200);
    const replies = hubReplies(convex.port(), undefined, { firstTextTimeoutMs: 5_000, stallTimeoutMs: 5_000 });
    const answer = ask(replies, 'tell me a long story about dragons');
    // The dying worker has claimed the turn and written its first words before the other one starts.
    await waitFor(async () => (await turnsOf(convex))[0]?.workerId === 'dies' && cut, 'the first worker to claim and write');
    startWorker(convex.port(), 'lives', { 'llama3.3:70b': new OllamaChat(alive.url, 'llama3.3:70b') });
    const started = Date.now();
    const { text } = await answer;
    expect(text).toBe('I was about to say.  Sorry, let me start that again. A whole answer.');
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await turnsOf(convex))[0]).toMatchObject({ status: 'done', workerId: 'lives', attempts: 2 });
  });
});

describe('when Convex or the workers do not answer', () => {
  it('Convex unreachable: the local dispatcher answers within one timeout', async () => {
    const convex = backend();
    convex.down();
    const local = await server((_request, res) => void ollamaAnswer(res, ['Local ', 'answer.'], 5));
    const started = Date.now();
    const { text } = await ask(hubReplies(convex.port(), local.url, { submitTimeoutMs: 500 }), 'what is the meaning of life');
    expect(text).toBe('Local answer.');
    expect(Date.now() - started).toBeLessThan(1_500);
    // When Convex comes back, the late submit is withdrawn so no worker answers nobody.
    convex.up();
    await vi.waitFor(async () => expect((await turnsOf(convex))[0]).toMatchObject({ status: 'cancelled' }));
  });

  it('Convex unreachable: after one turn waited for it, the next ones skip it until halfOpenAfterMs, then one tries it again', async () => {
    const convex = backend();
    convex.down();
    const local = await server((_request, res) => void ollamaAnswer(res, ['Local.'], 5));
    let nowMs = 1_000_000;
    const replies = hubReplies(convex.port(), local.url, { submitTimeoutMs: 300, halfOpenAfterMs: 15_000, now: () => nowMs });
    expect((await ask(replies, 'what is the meaning of life')).text).toBe('Local.');
    const waiting = convex.pending; // the first turn's submit, still queued in the "client"
    const started = Date.now();
    expect((await ask(replies, 'and what about the universe')).text).toBe('Local.');
    expect(Date.now() - started).toBeLessThan(300); // no submit time-out waited for
    expect(convex.pending).toBe(waiting); // and nothing more sent to Convex
    // Past halfOpenAfterMs, Convex is back: the next turn goes to it again (and to its worker).
    nowMs += 15_000;
    convex.up();
    startWorker(convex.port(), 'vm-llm-1', { 'llama3.3:70b': new OllamaChat(local.url, 'llama3.3:70b'), 'llama3.1:8b': new OllamaChat(local.url, 'llama3.1:8b') });
    expect((await ask(replies, 'tell me about the stars')).text).toBe('Local.');
    await vi.waitFor(async () => expect((await turnsOf(convex)).map((turn) => turn.text)).toContain('tell me about the stars'));
  });

  it('no worker takes the turn: the local dispatcher answers after firstTextTimeoutMs and the turn is withdrawn', async () => {
    const convex = backend();
    const started = Date.now();
    const { text } = await ask(hubReplies(convex.port(), undefined, { firstTextTimeoutMs: 600 }), 'what is the meaning of life');
    expect(text).toBe(CANT_REACH); // no local model either
    expect(Date.now() - started).toBeLessThan(2_500);
    await vi.waitFor(async () => expect((await turnsOf(convex))[0]).toMatchObject({ status: 'cancelled' }));
  });

  it('barge-in: the hub withdraws the turn and the worker stops its model', async () => {
    const convex = backend();
    let modelStopped = false;
    const llm = await server((_request, res) => {
      res.on('close', () => (modelStopped = true));
      res.writeHead(200);
      res.write(ndjsonLine('This will be a very long answer. '));
      const timer = setInterval(() => res.write(ndjsonLine('More. ')), 50);
      res.on('close', () => clearInterval(timer));
    });
    startWorker(convex.port(), 'w', { 'llama3.3:70b': new OllamaChat(llm.url, 'llama3.3:70b') }, 150);
    const controller = new AbortController();
    const pieces: string[] = [];
    for await (const piece of hubReplies(convex.port()).reply('tell me everything about the moon', { satelliteId: 'kitchen', room: undefined, signal: controller.signal })) {
      pieces.push(piece);
      controller.abort();
    }
    expect(pieces[0]).toMatch(/^This will be a very long answer\./);
    await vi.waitFor(() => expect(modelStopped).toBe(true), { timeout: 3_000 });
    expect((await turnsOf(convex))[0]).toMatchObject({ status: 'cancelled' });
  });

  it('a speculation dropped because the user spoke on withdraws its Convex turn, and the worker stops its model', async () => {
    const convex = backend();
    let modelStopped = false;
    const llm = await server((_request, res) => {
      res.on('close', () => (modelStopped = true));
      res.writeHead(200);
      const timer = setInterval(() => res.write(ndjsonLine('Still answering. ')), 50);
      res.on('close', () => clearInterval(timer));
    });
    startWorker(convex.port(), 'w', { 'llama3.3:70b': new OllamaChat(llm.url, 'llama3.3:70b') }, 150);
    const turn = new AbortController();
    const replies = new PrefetchingReplies(hubReplies(convex.port()));
    replies.prefetch('tell me everything about the', { satelliteId: 'kitchen', room: undefined, signal: turn.signal });
    await vi.waitFor(async () => expect((await turnsOf(convex))[0]).toMatchObject({ status: 'streaming' }), { timeout: 5_000 });
    replies.drop('kitchen');
    await vi.waitFor(async () => expect((await turnsOf(convex))[0]).toMatchObject({ status: 'cancelled' }), { timeout: 3_000 });
    await vi.waitFor(() => expect(modelStopped).toBe(true), { timeout: 3_000 });
    expect(turn.signal.aborted).toBe(false);
  });
});
