import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON lines on stdout (or the given destination). Level from `HUGH_LOG_LEVEL` (default info).
 * Secret-looking fields (password, secret, token…) are redacted at any depth, so a config dump cannot leak them.
 */
export function createLogger(service: string, options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.HUGH_LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      base: { service },
      // pino's redact paths have no recursive wildcard: walk the logged object instead, at any depth.
      formatters: { log: (object) => redactSecrets(object) as Record<string, unknown> },
      // The message too: a URL with a password in it must not reach the log through a template string.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactUrl(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    options.destination ?? process.stdout,
  );
}

const SECRET_FIELD = /^(password|secret|apiKey|accessKey|token|authorization)$/i;
/** `scheme://user:password@` in any text: the password goes. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*):[^\s/@]*@/gi;

/** `mqtt://hub:PW@broker:1883` → `mqtt://hub:[redacted]@broker:1883`; text without such a URL is returned as it is. */
export function redactUrl(text: string): string {
  return text.includes('@') ? text.replace(URL_CREDENTIALS, '$1:[redacted]@') : text;
}

/** A copy of `value` with every secret-looking field and every password inside a URL replaced, at any depth; untouched parts are shared. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrl(value);
  if (value instanceof Error) {
    // pino serialises errors itself; give it one whose message and stack carry no URL password.
    const message = redactUrl(value.message);
    const stack = value.stack === undefined ? undefined : redactUrl(value.stack);
    if (message === value.message && stack === value.stack) return value;
    return Object.assign(Object.create(Object.getPrototypeOf(value) as object) as Error, value, { message, stack });
  }
  if (typeof value !== 'object' || value === null || depth > 8 || ArrayBuffer.isView(value)) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  for (const [key, child] of Object.entries(value)) {
    const replaced = SECRET_FIELD.test(key) && child !== undefined && child !== '' ? '[redacted]' : redactSecrets(child, depth + 1);
    if (replaced !== child) {
      copy ??= Array.isArray(value) ? [...value] : { ...value };
      (copy as Record<string, unknown>)[key] = replaced;
    }
  }
  return copy ?? value;
}

/** A logger that discards everything; for tests and library use without logging. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
