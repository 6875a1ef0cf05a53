export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A language model that streams its answer as text pieces. */
export interface ChatModel {
  readonly name: string;
  chat(messages: ChatMessage[], options: { signal: AbortSignal }): AsyncIterable<string>;
}

/** Lines of a streamed HTTP body, decoded as UTF-8 across chunk boundaries. */
export async function* bodyLines(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      yield buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
    }
  }
  buffer += decoder.decode();
  if (buffer) yield buffer;
}
