import { runFor, startHubProcess, startLoad, type Phase } from './context.js';
import { ENGINE_TIMEOUT_MS } from './house.js';
import { HubSampler } from './hub-sampler.js';
import { figure } from './report.js';
import { describeFailures, summarize, turnsIn } from './turn-stats.js';

interface Fault {
  name: string;
  /** The engine chain whose failovers (hugh_engine_failovers_total) show the fallback answered. */
  chain?: string;
  /** What fails, and what answers instead. */
  what: string;
  begin(): Promise<void> | void;
  end(): Promise<void> | void;
}

/** Memory that grows more than this during a fault (peak over the RSS just before it) is not bounded. */
const MAX_FAULT_GROWTH_PERCENT = 20;

/**
 * Faults under load, one after another, each for `faultS` and followed by as long again to
 * recover: the primary STT server killed, the TTS server killed, the LLM stalling, a satellite that
 * stops reading its socket. For each, the turns started meanwhile must be answered (by the
 * fallback) within the engine time-out + 1 s of the end of their audio, and the hub's RSS stay bounded.
 */
export const faultsPhase: Phase = async (context) => {
  const { house, options, figures } = context;
  const hub = house.hub();
  await startHubProcess(hub);
  const sampler = new HubSampler(house.httpUrl, Math.min(options.sampleEveryMs, 1_000));
  const load = startLoad(context, `mqtt://127.0.0.1:${house.mqttPort}`, true);
  const stalledId = house.stalled!.id;
  const faults: Fault[] = [
    { name: 'primary STT killed', chain: 'stt', what: 'whisper.cpp server closed (connections refused) and brought back; fallback: the second whisper.cpp server', begin: () => house.stt.kill(), end: () => house.stt.revive() },
    { name: 'TTS killed', chain: 'tts', what: 'OpenAI TTS server closed (streams cut, connections refused) and brought back; fallback: espeak-ng', begin: () => house.tts.kill(), end: () => house.tts.revive() },
    { name: 'LLM stalling', what: 'Ollama takes /api/chat and sends nothing after the headers; fallback: the apology after llm.firstTokenTimeoutMs', begin: () => house.llm.engines.setLlmStalled(true), end: () => house.llm.engines.setLlmStalled(false) },
    { name: 'satellite not reading', what: 'one more satellite (WebSocket) stops reading its socket while it keeps sending turns; the hub drops it at a missed heartbeat and it comes back', begin: () => load.send({ cmd: 'stall' }), end: () => load.send({ cmd: 'unstall' }) },
  ];
  try {
    await load.waitReady();
    sampler.start();
    const faultMs = options.faultS * 1_000;
    // Before the first fault: the baseline every fault is compared with.
    await runFor(faultMs, hub);
    for (const fault of faults) {
      const before = sampler.samples.at(-1)!;
      const fromMs = Date.now();
      await fault.begin();
      context.log(`faults: ${fault.name} for ${options.faultS} s`);
      await runFor(faultMs, hub);
      const toMs = Date.now();
      await fault.end();
      await runFor(faultMs, hub);
      const turns = summarize(turnsIn(load.turns, fromMs, toMs, stalledId));
      const peak = Math.max(...sampler.between(fromMs, Date.now()).map((sample) => sample.rssBytes));
      const conditions = `${fault.what}; ${options.faultS} s under the load of ${house.satellites.length} satellites (a turn every ${options.turnEveryMs / 1000} s each), then as long to recover; engine time-outs ${ENGINE_TIMEOUT_MS} ms; turns started during the fault${fault.name === 'satellite not reading' ? ', the stalled satellite\'s own left out' : ''}`;
      if (fault.chain) {
        const after = sampler.samples.at(-1)!;
        figures.push(figure(`faults, ${fault.name}: ${fault.chain} failovers to the fallback`, (after.failovers[fault.chain] ?? 0) - (before.failovers[fault.chain] ?? 0), 'calls', `${conditions}; hugh_engine_failovers_total{kind="${fault.chain}"} over the fault and the recovery (an open breaker skips the dead engine without a failover until its half-open trial)`));
      }
      if (fault.name === 'satellite not reading') {
        const drops = load.downs.filter((down) => down.id === stalledId && down.atMs >= fromMs && down.atMs < toMs).length;
        figures.push(figure(`faults, ${fault.name}: times its connection was dropped`, drops, 'drops', `${conditions}; by a missed heartbeat, the hub's (10 s) or the satellite's own (10 s, it reads no pong either)`));
      }
      figures.push(
        figure(`faults, ${fault.name}: turns answered / started`, (turns.answered / turns.started) * 100, '%', `${conditions}; ${turns.answered} of ${turns.started}; failed: ${describeFailures(turns.failures)}`, { text: '100 %', check: (value) => value >= 100 }),
        figure(`faults, ${fault.name}: end of audio to reply start, max`, turns.replyMaxMs, 'ms', `${conditions}; p50 ${turns.replyP50Ms.toFixed(0)} ms`, { text: `≤ ${ENGINE_TIMEOUT_MS + 1_000} ms (time-out + 1 s)`, check: (value) => value <= ENGINE_TIMEOUT_MS + 1_000 }),
        figure(`faults, ${fault.name}: hub RSS peak over before`, ((peak - before.rssBytes) / before.rssBytes) * 100, '%', `${conditions}; /metrics every ${sampler.intervalMs / 1000} s, during the fault and the recovery, over the last read before it`, { text: `< ${MAX_FAULT_GROWTH_PERCENT} %`, check: (value) => value < MAX_FAULT_GROWTH_PERCENT }),
      );
    }
    sampler.stop();
    await load.stop();
  } finally {
    sampler.stop();
    load.kill();
    await hub.kill();
  }
};
