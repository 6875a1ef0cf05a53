import WebSocket from 'ws';
import { engineFetch, engineJson } from '@hugh/common';
import { HughError } from '@hugh/protocol';

/** What one conversation turn sends Home Assistant. */
export interface ConversationRequest {
  text: string;
  language?: string | undefined;
  conversationId?: string | undefined;
  agentId?: string | undefined;
  signal: AbortSignal;
}

/** Home Assistant's answer, as far as the hub needs it (`ConversationResult.as_dict()`). */
export interface ConversationAnswer {
  responseType: string;
  /** `response.data.code` of an error answer: no_intent_match, no_valid_targets, failed_to_handle, unknown. */
  errorCode: string | undefined;
  /** `response.speech.plain.speech`; '' when there is none. */
  speech: string;
  conversationId: string | undefined;
}

/** One entry of Home Assistant's device registry, as far as the hub needs it. */
interface RegistryDevice {
  id: string;
  identifiers: [string, string][];
}

/** Largest message taken from Home Assistant's WebSocket: a house's device registry fits; a runaway stream does not. */
const MAX_WS_MESSAGE_BYTES = 8 * 1024 * 1024;

/** Reads a `ConversationResult.as_dict()`; anything else is a malformed answer. */
function readAnswer(what: string, body: unknown): ConversationAnswer {
  const result = body as { response?: { response_type?: unknown; data?: { code?: unknown }; speech?: { plain?: { speech?: unknown } } }; conversation_id?: unknown } | null;
  const response = result?.response;
  if (typeof response !== 'object' || response === null || typeof response.response_type !== 'string') {
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${what}: answer without response.response_type`);
  }
  const speech = response.speech?.plain?.speech;
  return {
    responseType: response.response_type,
    errorCode: typeof response.data?.code === 'string' ? response.data.code : undefined,
    speech: typeof speech === 'string' ? speech.trim() : '',
    conversationId: typeof result!.conversation_id === 'string' ? result!.conversation_id : undefined,
  };
}

/**
 * Home Assistant's conversation API. `POST /api/conversation/process` takes `text`, `language`,
 * `conversation_id` and `agent_id` and nothing else (homeassistant/components/conversation/http.py:
 * extra keys are refused), so it cannot say which satellite heard the question. The WebSocket API's
 * `assist_pipeline/run` (intent stage only) takes a `device_id`, which Home Assistant's own
 * satellites send: its default agent then reads "the lights" as the lights of that device's area.
 * The satellites are Home Assistant devices already (MQTT discovery, identifiers `hugh_<id>`), so
 * their device ids are looked up in the device registry (`config/device_registry/list`).
 */
export class HomeAssistantApi {
  readonly name: string;
  private readonly wsUrl: string;
  private devices: { byIdentifier: Map<string, string>; atMs: number } | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    /** How long a device registry read is trusted; a satellite not found in it is looked for again after `missRetryMs`. */
    private readonly cache: { ttlMs: number; missRetryMs: number } = { ttlMs: 10 * 60_000, missRetryMs: 60_000 },
  ) {
    this.name = `home-assistant ${new URL(baseUrl).origin}`;
    const ws = new URL('/api/websocket', baseUrl);
    ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
    this.wsUrl = ws.toString();
  }

  /** The REST call: no device context. */
  async process(request: ConversationRequest): Promise<ConversationAnswer> {
    const response = await engineFetch(this.name, new URL('/api/conversation/process', this.baseUrl).toString(), {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        text: request.text,
        ...(request.language ? { language: request.language } : {}),
        ...(request.conversationId ? { conversation_id: request.conversationId } : {}),
        ...(request.agentId ? { agent_id: request.agentId } : {}),
      }),
      signal: request.signal,
    });
    return readAnswer(this.name, await engineJson(this.name, response));
  }

  /**
   * The turn as the satellite's own Home Assistant device asked it, when Home Assistant knows the
   * device (`identifier`: discovery's `hugh_<id>`); otherwise (undefined) the caller uses `process`.
   * The preferred Assist pipeline's agent and language answer: the WebSocket call takes neither.
   */
  async processAsDevice(identifier: string, request: ConversationRequest & { timeoutS: number }): Promise<ConversationAnswer | undefined> {
    const cached = this.cached(identifier);
    if (cached.fresh && cached.deviceId === undefined) return undefined; // known not to be there: no connection for nothing
    return this.session(request.signal, async (call) => {
      const deviceId = cached.fresh ? cached.deviceId : await this.readDevices(call).then((devices) => devices.get(identifier));
      if (deviceId === undefined) return undefined;
      let intentEnd: unknown;
      await call(
        {
          type: 'assist_pipeline/run',
          start_stage: 'intent',
          end_stage: 'intent',
          input: { text: request.text },
          conversation_id: request.conversationId ?? null,
          device_id: deviceId,
          timeout: request.timeoutS,
        },
        (event) => {
          if (event.type === 'intent-end') intentEnd = (event.data as { intent_output?: unknown } | undefined)?.intent_output;
          if (event.type === 'error') throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: pipeline error ${String((event.data as { code?: unknown })?.code)}: ${String((event.data as { message?: unknown })?.message).slice(0, 200)}`);
          return event.type === 'run-end';
        },
      );
      if (intentEnd === undefined) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: the pipeline ended without an intent-end`);
      return readAnswer(this.name, intentEnd);
    });
  }

  /** The cached device registry id for an MQTT identifier, and whether the cache may be trusted for it. */
  private cached(identifier: string): { fresh: boolean; deviceId: string | undefined } {
    const deviceId = this.devices?.byIdentifier.get(identifier);
    const ageMs = this.devices ? Date.now() - this.devices.atMs : Number.POSITIVE_INFINITY;
    return { fresh: ageMs < (deviceId === undefined ? this.cache.missRetryMs : this.cache.ttlMs), deviceId };
  }

  /** Reads the device registry: MQTT identifier → device id. */
  private async readDevices(call: WsCall): Promise<Map<string, string>> {
    const list = (await call({ type: 'config/device_registry/list' })) as RegistryDevice[];
    const byIdentifier = new Map<string, string>();
    for (const device of Array.isArray(list) ? list : []) {
      for (const pair of Array.isArray(device?.identifiers) ? device.identifiers : []) {
        if (Array.isArray(pair) && pair[0] === 'mqtt' && typeof pair[1] === 'string' && typeof device.id === 'string') byIdentifier.set(pair[1], device.id);
      }
    }
    this.devices = { byIdentifier, atMs: Date.now() };
    return byIdentifier;
  }

  /**
   * One WebSocket connection for one turn: authenticate, run `work`, close. A connection per turn
   * costs a handshake on the LAN and needs no reconnect logic; the caller's signal (its timeout)
   * closes the socket wherever it is.
   */
  private async session<T>(signal: AbortSignal, work: (call: WsCall) => Promise<T>): Promise<T> {
    const socket = new WebSocket(this.wsUrl, { maxPayload: MAX_WS_MESSAGE_BYTES, handshakeTimeout: 10_000 });
    const waiters = new Map<number, (message: WsMessage) => void>();
    let failure: Error | undefined;
    let authenticated: (() => void) | undefined;
    let failAll: (error: Error) => void = () => undefined;
    const fail = (error: Error) => {
      failure ??= error;
      failAll(failure);
    };
    const ready = new Promise<void>((resolve, reject) => {
      authenticated = resolve;
      failAll = (error) => {
        reject(error);
        for (const waiter of waiters.values()) waiter({ type: '_failed' });
      };
    });
    ready.catch(() => undefined);
    // The caller's time-out or cancel: the engine chain tells a cancelled turn from a slow Home Assistant.
    const onAbort = () => fail(signal.reason instanceof Error ? signal.reason : new HughError('HUGH_ERR_TIMEOUT', `${this.name}: no answer in time`));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (error) => fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${this.wsUrl} unreachable: ${error.message}`)));
    socket.on('close', () => fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: the WebSocket closed`)));
    socket.on('message', (raw) => {
      let message: WsMessage;
      try {
        message = JSON.parse(raw.toString()) as WsMessage;
      } catch {
        return fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: a WebSocket message that is not JSON`));
      }
      if (typeof message !== 'object' || message === null) return fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: a WebSocket message that is not an object`));
      if (message.type === 'auth_required') socket.send(JSON.stringify({ type: 'auth', access_token: this.token }));
      else if (message.type === 'auth_ok') authenticated?.();
      else if (message.type === 'auth_invalid') fail(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: Home Assistant refused the token (auth_invalid): check homeAssistant.token`));
      else if (typeof message.id === 'number') waiters.get(message.id)?.(message);
    });
    let nextId = 1;
    const call: WsCall = (command, onEvent) =>
      new Promise((resolve, reject) => {
        if (failure) return reject(failure);
        const id = nextId++;
        let result: unknown;
        let resulted = false;
        let ended = onEvent === undefined;
        waiters.set(id, (message) => {
          try {
            if (message.type === '_failed') throw failure;
            if (message.type === 'result') {
              if (!message.success) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${String(command.type)} failed: ${String(message.error?.code)}: ${String(message.error?.message).slice(0, 200)}`);
              result = message.result;
              resulted = true;
            } else if (message.type === 'event' && onEvent) ended ||= onEvent(message.event ?? {});
            if (resulted && ended) {
              waiters.delete(id);
              resolve(result);
            }
          } catch (error) {
            waiters.delete(id);
            reject(error as Error);
          }
        });
        socket.send(JSON.stringify({ id, ...command }));
      });
    try {
      await ready;
      return await work(call);
    } finally {
      signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('close');
      socket.on('error', () => undefined);
      socket.terminate();
    }
  }
}

type WsMessage = { id?: number; type: string; success?: boolean; result?: unknown; error?: { code?: unknown; message?: unknown }; event?: { type?: unknown; data?: unknown } };
/** Sends a command and resolves with its result; with `onEvent`, once `onEvent` has also said the run is over. */
type WsCall = (command: Record<string, unknown>, onEvent?: (event: { type?: unknown; data?: unknown }) => boolean) => Promise<unknown>;
