import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HomeAssistantApi, HomeAssistantReplies, HubConfigSchema, createReplyStages, LocalIntentReplies, type ReplyGenerator } from '@hugh/hub';
import { fakeHomeAssistant, haAnswer, type AgentAnswer, type AgentRequest } from '../../testing/home-assistant-server.js';
import { freePort } from '../../testing/net.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.long-lived-token-for-tests';

/** The next stage: says what reached it. */
const next: ReplyGenerator = {
  async *reply(transcript) {
    yield `next stage: ${transcript}`;
  },
};

type Server = Awaited<ReturnType<typeof fakeHomeAssistant>>;
let server: Server | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await server?.close();
  server = undefined;
});

async function ask(replies: ReplyGenerator, text: string, satelliteId = 'kitchen', signal = new AbortController().signal): Promise<string> {
  let out = '';
  for await (const piece of replies.reply(text, { satelliteId, room: 'Kitchen', signal })) out += piece;
  return out;
}

function stage(url: string, options: { deviceContext?: boolean; timeoutMs?: number; token?: string; agentId?: string } = {}) {
  return new HomeAssistantReplies(next, new HomeAssistantApi(url, options.token ?? TOKEN), {
    timeoutMs: options.timeoutMs ?? 1_000,
    halfOpenAfterMs: 15_000,
    language: 'en',
    agentId: options.agentId,
    deviceContext: options.deviceContext ?? false,
    logger: silentLogger(),
  });
}

/** Home Assistant's default agent in miniature: lights on and off; nothing else. */
function lightsAgent(request: AgentRequest): AgentAnswer {
  const match = /^turn (on|off) (?:the )?(.*?)\s*lights?$/.exec(request.text);
  const conversationId = request.conversationId ?? `conv-${request.text.length}`;
  if (!match) return haAnswer.error('no_intent_match', "Sorry, I couldn't understand that", conversationId);
  return haAnswer.done(`Turned ${match[1]} the lights`, conversationId, [{ name: match[2] || 'Kitchen', type: 'area', id: 'kitchen' }]);
}

describe('Home Assistant conversation stage over REST (its documented request and response shapes)', () => {
  it('posts text, language and agent with the token, speaks response.speech.plain.speech, and keeps conversation_id per satellite', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, agent: lightsAgent });
    const replies = stage(server.url, { agentId: 'conversation.home_assistant' });
    expect(await ask(replies, 'turn on the kitchen lights')).toBe('Turned on the lights');
    expect(await ask(replies, 'turn off the lights')).toBe('Turned off the lights');
    expect(await ask(replies, 'turn off the lights', 'den')).toBe('Turned off the lights');
    expect(server.asked).toEqual([
      { via: 'rest', text: 'turn on the kitchen lights', language: 'en', agentId: 'conversation.home_assistant' },
      { via: 'rest', text: 'turn off the lights', language: 'en', agentId: 'conversation.home_assistant', conversationId: 'conv-26' },
      { via: 'rest', text: 'turn off the lights', language: 'en', agentId: 'conversation.home_assistant' }, // another satellite, another conversation
    ]);
  });

  it.each([
    ['no_intent_match', 'next stage: tell me a story'],
    ['unknown', 'next stage: tell me a story'],
    ['no_valid_targets', 'Sorry, I am not aware of any device called garage'],
    ['failed_to_handle', 'Sorry, I am not aware of any device called garage'],
  ])('an error answer with code %s: %s', async (code, expected) => {
    server = await fakeHomeAssistant({ token: TOKEN, agent: (request) => haAnswer.error(code, 'Sorry, I am not aware of any device called garage', request.conversationId ?? 'c1') });
    expect(await ask(stage(server.url), 'tell me a story')).toBe(expected);
  });

  it('an action done without words is confirmed', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, agent: () => haAnswer.done('', 'c1') });
    expect(await ask(stage(server.url), 'turn on the fan')).toBe('Done.');
  });

  it.each([
    ['a refused token (401)', { fail: 'status', status: 401, body: '401: Unauthorized' } as const, 'wrong-token-but-long-enough'],
    ['a server error (500)', { fail: 'status', status: 500, body: '500 Internal Server Error' } as const, TOKEN],
    ['a malformed answer', { response: 'not an object' }, TOKEN],
  ])('%s: the next stage answers, and Home Assistant is skipped until its breaker half-opens', async (_name, failure, token) => {
    vi.useFakeTimers({ toFake: ['Date'] }); // the breaker's half-open clock; the network runs in real time
    server = await fakeHomeAssistant({ token: TOKEN, agent: () => failure });
    const replies = stage(server.url, { token });
    expect(await ask(replies, 'turn on the lights')).toBe('next stage: turn on the lights');
    const calls = server.asked.length;
    expect(replies.status()).toEqual([{ name: expect.stringContaining('home-assistant http://127.0.0.1'), state: 'open' }]);
    expect(await ask(replies, 'turn on the lights')).toBe('next stage: turn on the lights');
    expect(server.asked.length).toBe(calls); // skipped: not asked again
    vi.advanceTimersByTime(15_000);
    expect(await ask(replies, 'turn on the lights')).toBe('next stage: turn on the lights');
    expect(replies.status()[0]!.state).toBe('open');
  });

  it('a Home Assistant that hangs costs its timeout once, then is skipped', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, agent: () => ({ fail: 'hang' }) });
    const replies = stage(server.url, { timeoutMs: 800 });
    const started = performance.now();
    expect(await ask(replies, 'turn on the lights')).toBe('next stage: turn on the lights');
    const waitedMs = performance.now() - started;
    // A bound on a wait the code makes (its timeout), not a performance claim.
    expect(waitedMs).toBeGreaterThanOrEqual(750);
    expect(waitedMs).toBeLessThan(1_800);
    const again = performance.now();
    expect(await ask(replies, 'turn on the lights')).toBe('next stage: turn on the lights');
    expect(performance.now() - again).toBeLessThan(200);
  });

  it('an unreachable Home Assistant: the next stage answers', async () => {
    expect(await ask(stage(`http://127.0.0.1:${await freePort()}`), 'turn on the lights')).toBe('next stage: turn on the lights');
  });

  it('a cancelled turn stops quietly: neither an answer nor the next stage', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, agent: () => ({ fail: 'hang' }) });
    const replies = stage(server.url, { timeoutMs: 5_000 });
    const turn = new AbortController();
    const answer = ask(replies, 'turn on the lights', 'kitchen', turn.signal);
    setTimeout(() => turn.abort('wake-word'), 100);
    expect(await answer).toBe('');
    expect(replies.status()[0]!.state).toBe('closed'); // a barge-in is no failure of Home Assistant
  });
});

describe('Home Assistant conversation stage with device context (WebSocket API)', () => {
  const devices = [
    { id: 'dev-kitchen-satellite', identifiers: [['mqtt', 'hugh_kitchen']] as [string, string][], area_id: 'kitchen' },
    { id: 'dev-zigbee-bulb', identifiers: [['zha', '00:11:22']] as [string, string][], area_id: 'kitchen' },
  ];

  it("asks as the satellite's Home Assistant device (found by discovery's identifier), so its area is the context", async () => {
    server = await fakeHomeAssistant({ token: TOKEN, devices, agent: lightsAgent });
    const replies = stage(server.url, { deviceContext: true });
    expect(await ask(replies, 'turn on the lights')).toBe('Turned on the lights');
    expect(await ask(replies, 'turn off the lights')).toBe('Turned off the lights');
    expect(server.asked).toEqual([
      { via: 'websocket', text: 'turn on the lights', deviceId: 'dev-kitchen-satellite' },
      { via: 'websocket', text: 'turn off the lights', deviceId: 'dev-kitchen-satellite', conversationId: 'conv-18' },
    ]);
    expect(server.wsCommands.filter((command) => command.type === 'config/device_registry/list')).toHaveLength(1); // the registry read is cached
    expect(server.wsCommands.find((command) => command.type === 'assist_pipeline/run')).toMatchObject({ start_stage: 'intent', end_stage: 'intent', timeout: 1 });
  });

  it('a satellite Home Assistant has no device for is asked over REST', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, devices, agent: lightsAgent });
    const replies = stage(server.url, { deviceContext: true });
    expect(await ask(replies, 'turn on the lights', 'den')).toBe('Turned on the lights');
    expect(await ask(replies, 'turn on the lights', 'den')).toBe('Turned on the lights');
    expect(server.asked.map((request) => request.via)).toEqual(['rest', 'rest']);
    expect(server.wsCommands).toHaveLength(1); // the second turn knew from the cache: no connection at all
  });

  it('a refused token (auth_invalid) or a pipeline error: the next stage answers', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, devices, agent: lightsAgent });
    expect(await ask(stage(server.url, { deviceContext: true, token: 'not-the-token-but-long' }), 'turn on the lights')).toBe('next stage: turn on the lights');
    await server.close();
    server = await fakeHomeAssistant({ token: TOKEN, devices, agent: () => ({ fail: 'status', status: 500, body: 'pipeline broke' }) });
    expect(await ask(stage(server.url, { deviceContext: true }), 'turn on the lights')).toBe('next stage: turn on the lights');
  });
});

describe('the dispatch order', () => {
  const local = (stageNext: ReplyGenerator, unknownDevices: 'answer' | 'next') => new LocalIntentReplies(stageNext, { devices: [], unknownDevices, now: () => new Date(2026, 0, 1, 9, 30) });

  it('local intents → Home Assistant → LLM: a time question stays local, an unknown device goes to Home Assistant, a story to the LLM', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, agent: lightsAgent });
    const config = HubConfigSchema.parse({ homeAssistant: { url: server.url, token: TOKEN, deviceContext: false } });
    const { replies, homeAssistant } = createReplyStages(config, { llm: next, local, logger: silentLogger() });
    expect(homeAssistant).toBeDefined();
    expect(await ask(replies, 'what time is it')).toBe("It's 9:30 AM.");
    expect(await ask(replies, 'turn on the kitchen lights')).toBe('Turned on the lights');
    expect(await ask(replies, 'tell me a story')).toBe('next stage: tell me a story');
    expect(server.asked.map((request) => request.text)).toEqual(['turn on the kitchen lights', 'tell me a story']);
  });

  it('Home Assistant first, then local intents; without homeAssistant.url the stage is left out and local intents say what they do not know', async () => {
    server = await fakeHomeAssistant({ token: TOKEN, agent: lightsAgent });
    const first = createReplyStages(HubConfigSchema.parse({ homeAssistant: { url: server.url, token: TOKEN, deviceContext: false }, dispatch: { order: ['homeAssistant', 'local', 'llm'] } }), { llm: next, local, logger: silentLogger() });
    expect(await ask(first.replies, 'what time is it')).toBe("It's 9:30 AM.");
    expect(server.asked.map((request) => request.text)).toEqual(['what time is it']); // Home Assistant was asked first
    const without = createReplyStages(HubConfigSchema.parse({}), { llm: next, local, logger: silentLogger() });
    expect(without.homeAssistant).toBeUndefined();
    expect(await ask(without.replies, 'turn on the kitchen lights')).toBe("I don't know a device called kitchen lights.");
  });
});
