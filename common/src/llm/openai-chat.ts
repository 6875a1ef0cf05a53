import { HughError } from '@hugh/protocol';
import { engineFetch } from '../http.js';
import { sseData, sseJson } from '../sse.js';
import type { ChatMessage, ChatModel } from './chat-model.js';

/**
 * OpenAI-compatible `POST /v1/chat/completions {stream: true}` (vLLM, llama.cpp server, Ollama's
 * /v1): server-sent events `data: {choices: [{delta: {content}}]}` … `data: [DONE]`. An error in the
 * stream comes as OpenAI's `{error: {message}}` or, from older vLLM, as a bare error object
 * `{object: "error", message, type, code}` (which has no `choices` and would otherwise end the answer empty).
 */
export class OpenAiChat implements ChatModel {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
    private readonly apiKey?: string,
  ) {
    this.name = `openai-chat ${baseUrl} ${model}`;
  }

  async *chat(messages: ChatMessage[], options: { signal: AbortSignal }): AsyncIterable<string> {
    const response = await engineFetch(this.name, new URL('/v1/chat/completions', this.baseUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}) },
      body: JSON.stringify({ model: this.model, messages, stream: true }),
      signal: options.signal,
    });
    for await (const event of sseData(this.name, response)) {
      if (event === '[DONE]') return;
      const data = sseJson<{ choices?: { delta?: { content?: unknown } }[]; error?: { message?: unknown }; object?: unknown; message?: unknown }>(this.name, event);
      if (data.error) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${String(data.error.message ?? 'error')}`);
      // vLLM's older error shape: {object: "error", message, type, code}.
      if (data.object === 'error') throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${String(data.message ?? 'error')}`);
      const content = data.choices?.[0]?.delta?.content;
      if (typeof content === 'string' && content) yield content;
    }
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: stream ended without [DONE]`);
  }
}
