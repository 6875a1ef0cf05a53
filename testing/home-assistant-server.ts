import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** What the stand-in's agent is asked: the text, and what Home Assistant would know about the asker. */
export interface AgentRequest {
  via: 'rest' | 'websocket';
  text: string;
  language?: string;
  conversationId?: string;
  agentId?: string;
  deviceId?: string;
}

/** How the stand-in fails: it never answers, or answers with an HTTP status (an `error` event over the WebSocket). */
export type AgentFailure = { fail: 'hang' } | { fail: 'status'; status: number; body: string };
/** The agent's answer: a `ConversationResult` dict, or how Home Assistant fails. */
export type AgentAnswer = Record<string, unknown> | AgentFailure;
const failure = (answer: AgentAnswer): AgentFailure | undefined => (typeof answer.fail === 'string' ? (answer as AgentFailure) : undefined);

/** `ConversationResult.as_dict()` of Home Assistant's default agent. */
export const haAnswer = {
  done(speech: string, conversationId: string, success: { name: string; type: string; id: string }[] = []) {
    return { response: { speech: { plain: { speech, extra_data: null } }, card: {}, language: 'en', response_type: 'action_done', data: { targets: [], success, failed: [] } }, conversation_id: conversationId, continue_conversation: false };
  },
  error(code: string, speech: string, conversationId: string) {
    return { response: { speech: { plain: { speech, extra_data: null } }, card: {}, language: 'en', response_type: 'error', data: { code } }, conversation_id: conversationId, continue_conversation: false };
  },
};

/** The REST body keys Home Assistant's `ConversationProcessView` accepts (voluptuous refuses extra keys). */
const REST_KEYS = new Set(['text', 'conversation_id', 'language', 'agent_id']);

/**
 * A local server speaking Home Assistant's documented conversation API shapes: `GET /api/` (what a
 * token check asks), `POST /api/conversation/process` (Bearer token, 401 without it, 400 for a body it would refuse) and the
 * WebSocket API at `/api/websocket` (auth_required → auth → auth_ok | auth_invalid;
 * `config/device_registry/list`; `assist_pipeline/run` from the intent stage: result, then run-start,
 * intent-start, intent-end with the agent's answer, run-end). `agent` answers, or fails as asked.
 * Every request is recorded.
 */
export async function fakeHomeAssistant(options: { token: string; devices?: { id: string; identifiers: [string, string][]; area_id: string | null }[]; agent: (request: AgentRequest) => AgentAnswer | Promise<AgentAnswer> }) {
  const asked: AgentRequest[] = [];
  const wsCommands: Record<string, unknown>[] = [];
  const open = new Set<ServerResponse>();
  const sockets = new Set<WebSocket>();
  const refuse = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    open.add(res);
    res.on('close', () => open.delete(res));
    const authorized = req.headers.authorization === `Bearer ${options.token}`;
    if (req.method === 'GET' && req.url === '/api/') return authorized ? refuse(res, 200, { message: 'API running.' }) : void res.writeHead(401, { 'content-type': 'text/plain' }).end('401: Unauthorized');
    if (req.method !== 'POST' || req.url !== '/api/conversation/process') return refuse(res, 404, { message: 'Not found' });
    if (!authorized) return void res.writeHead(401, { 'content-type': 'text/plain' }).end('401: Unauthorized');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
    } catch {
      return refuse(res, 400, { message: 'Invalid JSON.' });
    }
    const extra = Object.keys(body).find((key) => !REST_KEYS.has(key));
    if (extra !== undefined) return refuse(res, 400, { message: `Message format incorrect: extra keys not allowed @ data['${extra}']` });
    if (typeof body.text !== 'string') return refuse(res, 400, { message: "Message format incorrect: required key not provided @ data['text']" });
    const request: AgentRequest = { via: 'rest', text: body.text };
    if (typeof body.language === 'string') request.language = body.language;
    if (typeof body.conversation_id === 'string') request.conversationId = body.conversation_id;
    if (typeof body.agent_id === 'string') request.agentId = body.agent_id;
    asked.push(request);
    const answer = await options.agent(request);
    const failed = failure(answer);
    if (failed) {
      if (failed.fail === 'status') res.writeHead(failed.status, { 'content-type': 'text/plain' }).end(failed.body);
      return; // hang: held open until the server closes
    }
    refuse(res, 200, answer);
  });

  const wss = new WebSocketServer({ server, path: '/api/websocket' });
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let authenticated = false;
    const send = (message: unknown) => socket.send(JSON.stringify(message));
    send({ type: 'auth_required', ha_version: '2026.4.0' });
    socket.on('message', async (raw) => {
      const message = JSON.parse(raw.toString()) as Record<string, unknown> & { id?: number; type?: string };
      if (!authenticated) {
        if (message.type === 'auth' && message.access_token === options.token) {
          authenticated = true;
          return send({ type: 'auth_ok', ha_version: '2026.4.0' });
        }
        send({ type: 'auth_invalid', message: 'Invalid access token or password' });
        return socket.close();
      }
      wsCommands.push(message);
      const id = message.id;
      if (message.type === 'config/device_registry/list') return send({ id, type: 'result', success: true, result: options.devices ?? [] });
      if (message.type !== 'assist_pipeline/run') return send({ id, type: 'result', success: false, error: { code: 'unknown_command', message: 'Unknown command.' } });
      const input = message.input as { text?: unknown } | undefined;
      if (message.start_stage !== 'intent' || typeof input?.text !== 'string') return send({ id, type: 'result', success: false, error: { code: 'invalid_format', message: 'expected the intent stage with input.text' } });
      const request: AgentRequest = { via: 'websocket', text: input.text };
      if (typeof message.conversation_id === 'string') request.conversationId = message.conversation_id;
      if (typeof message.device_id === 'string') request.deviceId = message.device_id;
      asked.push(request);
      send({ id, type: 'result', success: true, result: null });
      const event = (type: string, data: unknown) => send({ id, type: 'event', event: { type, data, timestamp: new Date().toISOString() } });
      event('run-start', { pipeline: '01hp2qn3txcy889v4ceffyw0nj', language: 'en', conversation_id: request.conversationId ?? '01J0000000000000000000000', runner_data: { stt_binary_handler_id: null, timeout: message.timeout } });
      event('intent-start', { engine: 'conversation.home_assistant', language: 'en', intent_input: input.text, conversation_id: request.conversationId ?? null, device_id: request.deviceId ?? null, prefer_local_intents: false });
      const answer = await options.agent(request);
      const failed = failure(answer);
      if (failed) {
        if (failed.fail === 'status') event('error', { code: 'intent-failed', message: failed.body });
        return; // hang: no more events
      }
      event('intent-end', { processed_locally: true, intent_output: answer });
      event('run-end', null);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    /** What the agent was asked, REST and WebSocket alike, in order. */
    asked,
    /** Every WebSocket command after the login. */
    wsCommands,
    async close() {
      for (const res of open) res.destroy();
      for (const socket of sockets) socket.terminate();
      wss.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
