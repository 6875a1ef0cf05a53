import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** Parsed multipart or JSON body, when it is one. */
  form?: FormData;
  json?: unknown;
}

/**
 * A local HTTP server for engine adapters' wire-format tests. It records every request and answers
 * with the handler; `hang` requests are held open until the server closes.
 */
export async function fakeHttpServer(handler: (request: RecordedRequest, response: ServerResponse) => void | Promise<void>) {
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const type = req.headers['content-type'] ?? '';
    const request: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
    if (type.startsWith('multipart/form-data')) request.form = await new Response(body, { headers: { 'content-type': type } }).formData();
    if (type.startsWith('application/json')) request.json = JSON.parse(body.toString());
    requests.push(request);
    open.add(res);
    res.on('close', () => open.delete(res));
    await handler(request, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const res of open) res.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive sockets too: close() alone waits for them
      await closed;
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
