import { parseArgs } from 'node:util';

/** What one soak run does; every default lives here. */
export interface SoakOptions {
  minutes: number;
  satellites: number;
  restarts: number;
  smoke: boolean;
  /** Seconds each fault lasts under load (the primary STT down, the TTS down, the LLM stalled, a satellite not reading, Convex unreachable). */
  faultS: number;
  /** Mosquitto restarts (the same load, an external broker instead of the embedded one). */
  brokerRestarts: number;
  /** A satellite starts a turn this often (when the previous one has ended). */
  turnEveryMs: number;
  /** The hub's /metrics are read this often. */
  sampleEveryMs: number;
  out: string | undefined;
  /** Leave phases out: soak, restarts, mosquitto, faults. */
  skip: string[];
}

export const PHASES = ['soak', 'restarts', 'mosquitto', 'faults', 'convex'] as const;

const USAGE = `npm run soak -- [--minutes M] [--satellites N] [--restarts K] [--smoke] [--out FILE] [--skip PHASE,…]
  --minutes M      soak length (default 30)
  --satellites N   satellites in the load generator (default 50)
  --restarts K     hub kill -9 / restart cycles under load (default 20; Mosquitto restarts: K/4, at least 2)
  --fault-s S      seconds each fault lasts (default 60)
  --smoke          CI: 1 minute, 10 satellites, 2 restarts, 5 s faults
  --out FILE       the JSON report (default bench/reports/soak-<date>.json)
  --skip P,…       leave out phases: ${PHASES.join(', ')}`;

export function parseSoakOptions(argv: string[]): SoakOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' },
      satellites: { type: 'string' },
      restarts: { type: 'string' },
      'fault-s': { type: 'string' },
      smoke: { type: 'boolean', default: false },
      out: { type: 'string' },
      skip: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const smoke = values.smoke;
  const number = (name: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name}: ${JSON.stringify(text)} is not a number ≥ 0`);
    return value;
  };
  const restarts = number('restarts', values.restarts, smoke ? 2 : 20);
  const skip = values.skip ? values.skip.split(',') : [];
  for (const phase of skip) if (!(PHASES as readonly string[]).includes(phase)) throw new Error(`--skip: unknown phase ${phase} (${PHASES.join(', ')})`);
  return {
    minutes: number('minutes', values.minutes, smoke ? 1 : 30),
    satellites: Math.max(1, Math.round(number('satellites', values.satellites, smoke ? 10 : 50))),
    restarts: Math.round(restarts),
    brokerRestarts: Math.max(2, Math.round(restarts / 4)),
    faultS: number('fault-s', values['fault-s'], smoke ? 5 : 60),
    smoke,
    turnEveryMs: 8_000,
    sampleEveryMs: smoke ? 2_000 : 5_000,
    out: values.out,
    skip,
  };
}
