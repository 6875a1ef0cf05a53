import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export type Route = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

/** The hub's HTTP routes (health, metrics, dashboard), one handler for the plain and the TLS server. */
export function routeRequests(routes: Record<string, Route>): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const route = routes[`${request.method} ${path}`];
    if (!route) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    Promise.resolve(route(request, response)).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: (error as Error).message }));
    });
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/**
 * Options for the hub's HTTP servers: a client that has not sent its whole request head within
 * `headersTimeoutMs` (a slow or stalled WebSocket upgrade included) is disconnected. Node checks
 * these deadlines every `connectionsCheckingInterval`, 30 s by default: too coarse.
 */
export function httpServerOptions(headersTimeoutMs: number) {
  return { headersTimeout: headersTimeoutMs, requestTimeout: 2 * headersTimeoutMs, connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs) };
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}
