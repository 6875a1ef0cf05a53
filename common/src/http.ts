import { HughError } from '@hugh/protocol';

/**
 * fetch that turns every failure into a coded error naming the engine: refused connections,
 * 5xx (503 while a model loads), other non-2xx answers. Aborts follow the caller's signal.
 */
export async function engineFetch(engine: string, url: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(...withUrlCredentials(url, init));
  } catch (error) {
    if (init.signal.aborted) throw init.signal.reason instanceof Error ? init.signal.reason : new HughError('HUGH_ERR_CANCELLED', `${engine}: cancelled`);
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${engine}: ${url} unreachable: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).slice(0, 200);
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${engine}: ${url} answered ${response.status}${body ? `: ${body}` : ''}`);
  }
  return response;
}

/** Parses a JSON body, or fails with a coded error naming the engine. */
export async function engineJson<T>(engine: string, response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `${engine}: malformed JSON answer: ${text.slice(0, 100)}`);
  }
}

/**
 * fetch refuses a URL with `user:password@` in it; engines behind a proxy with Basic auth are
 * configured that way, so the credentials move to an Authorization header (unless one is set).
 */
function withUrlCredentials(url: string, init: RequestInit): [string, RequestInit] {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return [url, init];
  const credentials = Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString('base64');
  parsed.username = parsed.password = '';
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Basic ${credentials}`);
  return [parsed.toString(), { ...init, headers }];
}
