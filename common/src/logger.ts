import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * JSON lines on stdout (or the given destination). Level from `HUGH_LOG_LEVEL` (default info).
 * Secrets are redacted by path so that a config dump can never leak them.
 */
export function createLogger(service: string, options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.HUGH_LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      base: { service },
      redact: { paths: ['*.password', '*.accessKey', '*.secret', '*.token', 'password', 'accessKey', 'secret', 'token'], censor: '[redacted]' },
    },
    options.destination ?? process.stdout,
  );
}

/** A logger that discards everything; for tests and library use without logging. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
