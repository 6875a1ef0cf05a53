import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../testing/net.js';
import { newLogTally, runFor, startHubProcess, startLoad, type Phase } from './context.js';
import { HubSampler, sampleHub, type HubSample } from './hub-sampler.js';
import { figure } from './report.js';
import { describeFailures, summarize, turnsIn } from './turn-stats.js';

const MiB = 2 ** 20;
/** Memory before this share of the run is warm-up (V8 sizing its heap, caches filling) and not counted as growth. */
const WARM_UP_SHARE = 0.1;
/** Start, middle and end are each this share of the run: 10–20 %, 50–60 %, 90–100 %. */
const WINDOW_SHARE = 0.1;

/** Waits for the hub to be idle again after the load: no satellite, and its sockets and handles back to the baseline (keep-alive sockets to the engines close after a few seconds). */
async function settle(url: string, baseline: HubSample): Promise<HubSample> {
  let last = await sampleHub(url);
  try {
    await waitFor(async () => {
      last = await sampleHub(url);
      return last.satellites === 0 && last.sockets <= baseline.sockets && last.handles <= baseline.handles;
    }, 'the hub to return to its idle handles', 20_000);
  } catch {
    // Not back: the figures say by how much.
  }
  return last;
}

/**
 * Soak: N satellites each doing a turn every few seconds for M minutes against the real hub
 * binary; memory, event-loop lag, frames dropped and turns answered, and the hub's handles and
 * sockets when idle before the load and after it.
 */
export const soakPhase: Phase = async (context) => {
  const { house, options, figures } = context;
  const hub = house.hub();
  await startHubProcess(hub);
  try {
    // A moment for the hub's own start-up work (the first capability check) to end before the baseline.
    await sleep(2_000);
    const idleBefore = await sampleHub(house.httpUrl);
    const sampler = new HubSampler(house.httpUrl, options.sampleEveryMs);
    const load = startLoad(context, `mqtt://127.0.0.1:${house.mqttPort}`);
    await load.waitReady();
    const startMs = Date.now();
    sampler.start();
    const durationMs = options.minutes * 60_000;
    context.log(`soak: ${options.satellites} satellites for ${options.minutes} min`);
    const tally = newLogTally();
    await runFor(durationMs, hub, tally);
    const endMs = Date.now();
    sampler.stop();
    await load.stop();
    const idleAfter = await settle(house.httpUrl, idleBefore);

    const samples = sampler.between(startMs, endMs);
    // Each point is a window of the run: RSS its median, heap its floor (the lowest read, after a
    // collection), so that where a read falls in the GC cycle does not pass for growth.
    const window = (fromShare: number) => {
      const inside = sampler.between(startMs + durationMs * fromShare, startMs + durationMs * (fromShare + WINDOW_SHARE));
      const rss = inside.map((sample) => sample.rssBytes).sort((a, b) => a - b);
      return { rssBytes: rss[Math.floor(rss.length / 2)] ?? Number.NaN, heapUsedBytes: Math.min(...inside.map((sample) => sample.heapUsedBytes)) };
    };
    const atStart = window(WARM_UP_SHARE);
    const atMiddle = window(0.5);
    const atEnd = window(1 - WINDOW_SHARE);
    const last = samples.at(-1)!;
    const turns = summarize(turnsIn(load.turns, startMs, endMs));
    const conditions = `${options.satellites} satellites (HubClient over MQTT, embedded broker) in another process, a turn every ${options.turnEveryMs / 1000} s each (welcome-3s.wav paced as a microphone + 1 s silence), ${options.minutes} min; real hugh-hub binary, Silero VAD; whisper.cpp, Ollama and OpenAI TTS modelled over their wire formats at GPU-like latencies`;
    const memory = `${conditions}; read from /metrics every ${options.sampleEveryMs / 1000} s; start = 10–20 % of the run (the first 10 % is warm-up), middle = 50–60 %, end = 90–100 %; RSS the median of each window, heap used its lowest read (the floor after a collection)`;
    const growth = (from: number, to: number) => ((to - from) / from) * 100;
    const droppedFrames = last.framesDropped - (samples[0]?.framesDropped ?? 0);
    const framesIn = last.framesIn - (samples[0]?.framesIn ?? 0);
    figures.push(
      figure('soak: turns started', turns.started, 'turns', conditions),
      figure('soak: turns answered / started', (turns.answered / turns.started) * 100, '%', `${conditions}; ${turns.answered} of ${turns.started}; failed: ${describeFailures(turns.failures)}`, { text: '100 %', check: (value) => value >= 100 }),
      figure('soak: end of audio to reply start, p50', turns.replyP50Ms, 'ms', conditions),
      figure('soak: end of audio to reply start, p99', turns.replyP99Ms, 'ms', conditions),
      figure('soak: frames lost inside turns', tally.missingFrames, 'frames', `${conditions}; gaps in the frames' sequence numbers the hub logged ("audio frames missing"), of ${framesIn} frames in`, { text: '0', check: (value) => value === 0 }),
      figure('soak: frames dropped by the hub', droppedFrames, 'frames', `${conditions}; hugh_audio_frames_dropped_total over the run, of ${framesIn} frames in: frames still in flight when the hub stopped listening, duplicates, reply frames a congested link refused`),
      figure('soak: hub log lines at level error or worse', tally.errorLines, 'lines', `${conditions}; ${tally.errors.join('; ') || 'none'}`, { text: '0', check: (value) => value === 0 }),
      figure('soak: frames the satellites could not send', load.stopped?.unsentFrames ?? Number.NaN, 'frames', `${conditions}; of ${load.stopped?.sentFrames ?? 0} sent (link down)`, { text: '0', check: (value) => value === 0 }),
      figure('soak: hub RSS at start', atStart.rssBytes / MiB, 'MiB', memory),
      figure('soak: hub RSS in the middle', atMiddle.rssBytes / MiB, 'MiB', memory),
      figure('soak: hub RSS at end', atEnd.rssBytes / MiB, 'MiB', memory),
      figure('soak: hub RSS growth, start to end', growth(atStart.rssBytes, atEnd.rssBytes), '%', memory, { text: '< 10 %', check: (value) => value < 10 }),
      figure('soak: hub heap used at start', atStart.heapUsedBytes / MiB, 'MiB', memory),
      figure('soak: hub heap used in the middle', atMiddle.heapUsedBytes / MiB, 'MiB', memory),
      figure('soak: hub heap used at end', atEnd.heapUsedBytes / MiB, 'MiB', memory),
      figure('soak: hub heap growth, start to end', growth(atStart.heapUsedBytes, atEnd.heapUsedBytes), '%', memory, { text: '< 10 %', check: (value) => value < 10 }),
      figure('soak: hub event-loop lag p99, worst interval', Math.max(...samples.map((sample) => sample.eventLoopLagP99Ms)), 'ms', `${memory}; prom-client's p99 over each interval between reads`),
      figure('soak: hub event-loop lag p99, median interval', [...samples.map((sample) => sample.eventLoopLagP99Ms)].sort((a, b) => a - b)[Math.floor(samples.length / 2)] ?? Number.NaN, 'ms', `${memory}; prom-client's p99 over each interval between reads`),
    );
    const idle = `idle hub before the load (2 s after start) and after it (satellites gone, up to 20 s for keep-alive sockets to close); ${options.satellites} satellites for ${options.minutes} min between`;
    figures.push(
      figure('soak: hub handles, idle before', idleBefore.handles, 'handles', idle),
      figure('soak: hub handles, idle after − before', idleAfter.handles - idleBefore.handles, 'handles', idle, { text: '0', check: (value) => value <= 0 }),
      figure('soak: hub sockets, idle before', idleBefore.sockets, 'sockets', idle),
      figure('soak: hub sockets, idle after − before', idleAfter.sockets - idleBefore.sockets, 'sockets', idle, { text: '0', check: (value) => value <= 0 }),
      figure('soak: hub open file descriptors, idle after − before', idleAfter.openFds - idleBefore.openFds, 'fds', idle, { text: '0', check: (value) => value <= 0 }),
    );
  } finally {
    await hub.kill();
  }
};
