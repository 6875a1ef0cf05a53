import { HughError } from '@hugh/protocol';
import { engineFetch } from '../http.js';
import { bodyLines, type ChatMessage, type ChatModel } from './chat-model.js';

/** Ollama `POST /api/chat {model, messages, stream: true}`: NDJSON lines `{message: {content}, done}`. */
export class OllamaChat implements ChatModel {
  readonly name: string;

  constructor(
    private readonly baseUrl: string,
    private readonly model: string,
  ) {
    this.name = `ollama ${baseUrl} ${model}`;
  }

  async *chat(messages: ChatMessage[], options: { signal: AbortSignal }): AsyncIterable<string> {
    const response = await engineFetch(this.name, new URL('/api/chat', this.baseUrl).toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: this.model, messages, stream: true }),
      signal: options.signal,
    });
    if (!response.body) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: empty answer`);
    for await (const line of bodyLines(response.body)) {
      if (!line.trim()) continue;
      let event: { message?: { content?: unknown }; done?: unknown; error?: unknown };
      try {
        event = JSON.parse(line) as typeof event;
      } catch {
        throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: malformed stream line ${JSON.stringify(line.slice(0, 80))}`);
      }
      if (typeof event.error === 'string') throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: ${event.error}`);
      if (typeof event.message?.content === 'string' && event.message.content) yield event.message.content;
      if (event.done === true) return;
    }
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${this.name}: stream ended without done`);
  }
}
