import { silentLogger } from '@hugh/common';
import { OllamaChat } from '@hugh/common/clients';
import { HubConfigSchema, createPipeline, startHub, toConvexRecord } from '@hugh/hub';
import { ConvexTestBackend, startTestWorker, TEST_CONVEX_SECRET } from '../../testing/convex-backend.js';
import { waitFor } from '../../testing/net.js';
import { runFor, startLoad, type Phase } from './context.js';
import { ENGINE_TIMEOUT_MS } from './house.js';
import { HubSampler } from './hub-sampler.js';
import { figure } from './report.js';
import { describeFailures, summarize, turnsIn } from './turn-stats.js';

/** After Convex is back, the records held meanwhile must all be delivered within this time (the outbox backs off to 60 s, a new record flushes at once). */
const DELIVERY_TIMEOUT_MS = 90_000;

/**
 * Convex unreachable under load. There is no Convex server here: the real Convex functions run on
 * convex-test (testing/convex-backend.ts), which only an in-process hub can be given, so this phase
 * runs the hub in the soak runner's process (same config, same engines) with an LLM worker on the
 * same backend; the satellites still come from the load generator's process. `down()` makes every
 * call wait as the Convex client does while disconnected, for the hub and the worker alike.
 * Figures: turns keep being answered (by the local LLM once `convex.submitTimeoutMs` passes), the
 * outbox holds the turn records and, once Convex is back, each reaches Convex exactly once.
 */
export const convexPhase: Phase = async (context) => {
  const { house, options, figures } = context;
  // What a Convex deployment has in its environment: the functions check the hub's secret against it.
  process.env.HUGH_CONVEX_SECRET = TEST_CONVEX_SECRET;
  const backend = new ConvexTestBackend();
  const port = backend.port();
  const config = HubConfigSchema.parse({
    ...house.hubConfig(),
    convex: { secret: TEST_CONVEX_SECRET, submitTimeoutMs: ENGINE_TIMEOUT_MS, firstTextTimeoutMs: ENGINE_TIMEOUT_MS, stallTimeoutMs: ENGINE_TIMEOUT_MS },
  });
  const logger = silentLogger();
  const hub = await startHub(config, { logger, services: (hubContext) => createPipeline(config, logger, hubContext, { convex: port }) });
  const models = [...new Set(config.routing.flatMap((route) => route.models))];
  const worker = startTestWorker(port, 'soak-worker', Object.fromEntries(models.map((model) => [model, new OllamaChat(house.llm.url, model)])));
  const kept = new Map<string, number>();
  hub.events.on('turn', (record) => kept.set(toConvexRecord(record).key, Date.now()));
  const sampler = new HubSampler(house.httpUrl, Math.min(options.sampleEveryMs, 1_000));
  const load = startLoad(context, `mqtt://127.0.0.1:${house.mqttPort}`);
  try {
    await load.waitReady();
    sampler.start();
    const outageMs = options.faultS * 1_000;
    await runFor(outageMs);
    const before = sampler.samples.at(-1)!;
    const fromMs = Date.now();
    backend.down();
    context.log(`convex: unreachable for ${options.faultS} s`);
    await runFor(outageMs);
    const toMs = Date.now();
    const keptDuringOutage = [...kept.values()].filter((atMs) => atMs >= fromMs && atMs < toMs).length;
    backend.up();
    const upMs = Date.now();
    // When the last record held during the outage reaches Convex (a records:put call that got through).
    const heldKeys = [...kept.keys()];
    const putKeys = () => new Set(backend.calls.filter((call) => call.name === 'records:put').map((call) => (call.args as { record: { key: string } }).record.key));
    const heldDelivered = waitFor(() => {
      const sent = putKeys();
      return heldKeys.every((key) => sent.has(key));
    }, 'the held turn records to reach Convex', DELIVERY_TIMEOUT_MS).then(
      () => Date.now() - upMs,
      () => Number.NaN,
    );
    await runFor(outageMs);
    await load.stop();
    const deliveredMs = await heldDelivered;
    // Every record the hub kept in the phase, the recovery's included, is stored: wait for the last of them.
    const storedKeys = async () => (await backend.t.run((ctx) => ctx.db.query('turnRecords').collect())).map((row) => row.key);
    try {
      await waitFor(async () => {
        const sent = putKeys();
        return [...kept.keys()].every((key) => sent.has(key));
      }, 'every turn record to reach Convex', DELIVERY_TIMEOUT_MS);
    } catch {
      // reported below as records missing
    }
    const keys = await storedKeys();
    const stored = new Set(keys);
    const missing = [...kept.keys()].filter((key) => !stored.has(key)).length;
    const sends = backend.calls.filter((call) => call.name === 'records:put').length;
    const turns = summarize(turnsIn(load.turns, fromMs, toMs));
    const peak = Math.max(...sampler.between(fromMs, Date.now()).map((sample) => sample.rssBytes));
    const conditions = `Convex (the real functions on convex-test, in the soak runner's process with an in-process hub: no Convex server runs here) unreachable for ${options.faultS} s under the load of ${house.satellites.length} satellites (a turn every ${options.turnEveryMs / 1000} s each) from another process; convex.submitTimeoutMs, firstTextTimeoutMs and stallTimeoutMs ${ENGINE_TIMEOUT_MS} ms, then the local LLM answers (at once while Convex is skipped after a failed submit, convex.halfOpenAfterMs 15 s)`;
    figures.push(
      figure('convex unreachable: turns answered / started', turns.started ? (turns.answered / turns.started) * 100 : Number.NaN, '%', `${conditions}; turns started during the outage: ${turns.answered} of ${turns.started}; failed: ${describeFailures(turns.failures)}`, { text: '100 %', check: (value) => value >= 100 }),
      figure('convex unreachable: end of audio to reply start, max', turns.replyMaxMs, 'ms', `${conditions}; p50 ${turns.replyP50Ms.toFixed(0)} ms`, { text: `≤ ${ENGINE_TIMEOUT_MS + 1_000} ms (time-out + 1 s)`, check: (value) => value <= ENGINE_TIMEOUT_MS + 1_000 }),
      figure('convex unreachable: turn records kept during the outage', keptDuringOutage, 'records', `${conditions}; held in the outbox (SQLite) while Convex was away`),
      figure('convex unreachable: records missing in Convex afterwards', missing, 'records', `${conditions}; of ${kept.size} records the hub kept in the phase, waited for up to ${DELIVERY_TIMEOUT_MS / 1000} s after Convex came back`, { text: '0', check: (value) => value === 0 }),
      figure('convex unreachable: records stored more than once', keys.length - stored.size, 'records', `${conditions}; ${sends} records:put calls for ${kept.size} records (a resend after a lost answer is ignored by key)`, { text: '0', check: (value) => value === 0 }),
      figure('convex unreachable: last held record delivered after Convex came back', deliveredMs, 'ms', `${conditions}; the ${heldKeys.length} records kept up to the end of the outage; the outbox retries with backoff (1 s doubling to 60 s) and flushes on every new record`),
      // No target: this process also holds convex-test's in-memory database, which grows with every
      // turn, conversation and record, so its growth is not the hub's (the faults phase measures the hub alone).
      figure('convex unreachable: RSS peak over before (hub and in-memory Convex together)', ((peak - before.rssBytes) / before.rssBytes) * 100, '%', `${conditions}; the soak runner's process (hub, convex-test's database and the worker), /metrics every ${sampler.intervalMs / 1000} s`),
    );
  } finally {
    sampler.stop();
    load.kill();
    await worker.stop();
    await hub.close();
    backend.close();
  }
};
