/**
 * `npm run bench`: measures and reports; never asserts. `--smoke` runs every benchmark briefly
 * (CI checks that the suite completes and writes a valid report, not its targets).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeReport, type Benchmark, type Figure } from './report.js';
import { capacity } from './capacity.js';
import { endOfSpeech } from './end-of-speech.js';
import { hubOverhead } from './hub-overhead.js';
import { hubOverheadMany } from './hub-overhead-many.js';
import { localIntents } from './local-intents.js';
import { outettsDecoder } from './outetts-decoder.js';
import { streaming } from './streaming.js';
import { satelliteIdle } from './satellite-idle.js';
import { turnLatency } from './turn-latency.js';
import { wakeWordCpu } from './wake-word.js';
import { wakeWordTrain } from './wake-word-train.js';
import { wakeWordEnroll } from './wake-word-enroll.js';

const BENCHMARKS: Record<string, Benchmark> = { 'wake-word': wakeWordCpu, 'satellite-idle': satelliteIdle, 'end-of-speech': endOfSpeech, 'hub-overhead': hubOverhead, 'local-intents': localIntents, 'outetts-decoder': outettsDecoder, streaming, 'hub-overhead-many': hubOverheadMany, capacity, 'turn-latency': turnLatency, 'wake-word-train': wakeWordTrain, 'wake-word-enroll': wakeWordEnroll };

const smoke = process.argv.includes('--smoke');
const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const sharedDir = process.env.HUGH_SHARED_DIR ?? fileURLToPath(new URL('../../shared', import.meta.url));
if (!existsSync(`${sharedDir}/models`)) throw new Error(`${sharedDir}/models is missing: the benchmarks need ../shared beside the repository`);

/** Left out of the smoke: CI already trains a small model in e2e/wake-word-train.test.ts. */
const NOT_IN_SMOKE = new Set(['wake-word-train']);

const figures: Figure[] = [];
for (const [name, benchmark] of Object.entries(BENCHMARKS)) {
  if (only.length > 0 ? !only.includes(name) : smoke && NOT_IN_SMOKE.has(name)) continue;
  process.stderr.write(`bench: ${name}…\n`);
  figures.push(...(await benchmark({ smoke, sharedDir })));
}
writeReport(figures, smoke);
