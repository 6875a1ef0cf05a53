import { createParser } from 'eventsource-parser';
import { HughError } from '@hugh/protocol';

/**
 * The `data` of each server-sent event of a streamed answer, as it arrives (OpenAI-compatible chat,
 * llama-server's `/completion` with `stream: true`).
 */
export async function* sseData(engine: string, response: Response): AsyncIterable<string> {
  if (!response.body) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${engine}: empty answer`);
  const events: string[] = [];
  const parser = createParser({ onEvent: (event) => events.push(event.data) });
  const decoder = new TextDecoder();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    yield* events.splice(0);
  }
}

/** One event's JSON, or a coded error naming the engine. */
export function sseJson<T>(engine: string, data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${engine}: malformed event ${JSON.stringify(data.slice(0, 80))}`);
  }
}
