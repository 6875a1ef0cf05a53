import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { HughError } from '@hugh/protocol';
import type { LoadedConfig } from './config.js';
import { fetchModelsCommand, modelFileProblem } from './models.js';

/** What one doctor check found: fine, or wrong together with the fix in words. */
export type CheckOutcome = { ok: true; detail: string } | { ok: false; detail: string; fix: string };

/** One line of `doctor`: a name (the setting or part it is about) and how to find out. */
export interface DoctorCheck {
  name: string;
  run(): Promise<CheckOutcome>;
}

export const pass = (detail: string): CheckOutcome => ({ ok: true, detail });
export const fail = (detail: string, fix: string): CheckOutcome => ({ ok: false, detail, fix });

/** `✔ name: detail` or `✘ name: detail → fix`. */
export function formatCheck(name: string, outcome: CheckOutcome): string {
  return outcome.ok ? `✔ ${name}: ${outcome.detail}` : `✘ ${name}: ${outcome.detail} → ${outcome.fix}`;
}

/**
 * Runs every check at once (each bounds its own waits), prints one line per check in the order
 * given, and says whether all passed. A check that throws is a ✘ with its message.
 */
export async function runChecks(checks: DoctorCheck[], write: (line: string) => void): Promise<boolean> {
  const running = checks.map((check) => check.run().catch((error: unknown) => fail((error as Error).message, 'this check itself failed; the message says why')));
  let allOk = true;
  for (const [index, check] of checks.entries()) {
    const outcome = await running[index]!;
    allOk &&= outcome.ok;
    write(formatCheck(check.name, outcome));
  }
  return allOk;
}

/**
 * Loads the config for `doctor`: a bad value becomes the ✘ line that names the field (and `undefined`),
 * instead of the usual exit, so doctor can say what to fix in its own format.
 */
export function loadForDoctor<T>(load: () => LoadedConfig<T>, write: (line: string) => void): LoadedConfig<T> | undefined {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof HughError) || error.code !== 'HUGH_ERR_CONFIG_INVALID') throw error;
    write(formatCheck('config', fail(`${error.code}: ${error.message}`, 'correct the field named above (hugh-hub --help / hugh-satellite --help list every setting)')));
    return undefined;
  }
}

/** The config line: which file (or the defaults), and each start-up warning (secrets others can read) as a ✘. */
export function configChecks(loaded: LoadedConfig<unknown>): DoctorCheck[] {
  const source = loaded.configFile ?? 'no config file: defaults, environment and flags';
  return [
    { name: 'config', run: async () => pass(`valid (${source})`) },
    ...loaded.warnings.map((warning) => ({ name: 'config permissions', run: async () => fail(warning, 'chmod 640 the file (owner root, group hugh) or move the secrets to the environment file') })),
  ];
}

/**
 * A models check: every file there and, when scripts/models.json knows it, with the tested sha256.
 * `fetchDir` is the models folder scripts/fetch-models.mjs fills (its --dir), named in the fix.
 */
export function modelsCheck(files: string[], fetchDir: string): DoctorCheck {
  return {
    name: 'models',
    async run() {
      const problems = files.map(modelFileProblem).filter((problem) => problem !== undefined);
      if (problems.length === 0) return pass(`${files.map((file) => basename(file)).join(', ')} in ${dirname(files[0] ?? fetchDir)}, sha256 as tested`);
      return fail(problems.join('; '), `delete the wrong files, then run ${fetchModelsCommand(fetchDir)} (as root when installed)`);
    },
  };
}

/** A folder the program writes to: created if missing (private, as the hub keeps its state dir), then a file written and removed. */
export function writableCheck(name: string, dir: string): DoctorCheck {
  return {
    name,
    async run() {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const probe = join(dir, `.doctor-${process.pid}`);
        writeFileSync(probe, '');
        rmSync(probe);
        return pass(`${dir} is writable`);
      } catch (error) {
        return fail(`${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, `run as the user the service runs as (sudo -u hugh …), or chown hugh:hugh ${dir}`);
      }
    },
  };
}

/** Opens a TCP connection to host:port and closes it; rejects with the socket's error or on time-out. */
export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
    socket.once('error', (error: NodeJS.ErrnoException) => reject(new Error(error.code ?? error.message)));
  });
}

/** The failure of a fetch in words: the cause's code (ECONNREFUSED) rather than "fetch failed". */
export function fetchFailure(error: unknown): string {
  const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
  if ((error as Error).name === 'TimeoutError') return 'no answer in time';
  return cause?.code ?? cause?.message ?? (error as Error).message;
}
