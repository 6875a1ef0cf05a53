/**
 * `npm run soak`: reliability in figures. Runs the phases (soak, hub restarts, Mosquitto restarts,
 * faults, Convex unreachable) against the real hub (the hugh-hub binary; in-process for Convex, see
 * phase-convex.ts) with satellites from another process, prints a table and
 * writes a JSON report. A benchmark: it measures and reports, it does not assert (e2e/soak-smoke.test.ts
 * checks that `--smoke` completes and writes a valid report).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Phase, PhaseContext } from './context.js';
import { House } from './house.js';
import { parseSoakOptions } from './options.js';
import { convexPhase } from './phase-convex.js';
import { faultsPhase } from './phase-faults.js';
import { mosquittoPhase, restartsPhase } from './phase-restarts.js';
import { soakPhase } from './phase-soak.js';
import { writeSoakReport, type SoakFigure } from './report.js';

const PHASE_RUNNERS: Record<string, Phase> = { soak: soakPhase, restarts: restartsPhase, mosquitto: mosquittoPhase, faults: faultsPhase, convex: convexPhase };

const options = parseSoakOptions(process.argv.slice(2));
if (options) {
  const sharedDir = process.env.HUGH_SHARED_DIR ?? fileURLToPath(new URL('../../../shared', import.meta.url));
  if (!existsSync(`${sharedDir}/models`)) throw new Error(`${sharedDir}/models is missing: the soak needs ../shared beside the repository`);
  const house = await House.create(options.satellites, sharedDir);
  const figures: SoakFigure[] = [];
  const context: PhaseContext = { options, house, sharedDir, figures, log: (line) => process.stderr.write(`soak: ${line}\n`) };
  try {
    for (const [name, phase] of Object.entries(PHASE_RUNNERS)) {
      if (options.skip.includes(name)) continue;
      const startedMs = Date.now();
      context.log(`${name}…`);
      await phase(context);
      context.log(`${name} done in ${((Date.now() - startedMs) / 1000).toFixed(0)} s`);
    }
  } finally {
    await house.close();
  }
  writeSoakReport(options, figures);
  process.exit(0);
}
