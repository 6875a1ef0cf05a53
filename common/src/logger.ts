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
    },
    options.destination ?? process.stdout,
  );
}

const SECRET_FIELD = /^(password|secret|apiKey|accessKey|token|authorization)$/i;

/** A copy of `value` with every secret-looking field replaced, at any depth; untouched parts are shared. */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > 8 || value instanceof Error || ArrayBuffer.isView(value)) return value;
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
