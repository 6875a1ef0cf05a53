/** One reading of the hub's /metrics (prom-client's default metrics, prefix hugh_, and the hub's own counters). */
export interface HubSample {
  atMs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** p99 of the event-loop delay since the previous scrape (prom-client resets its histogram on each). */
  eventLoopLagP99Ms: number;
  handles: number;
  sockets: number;
  openFds: number;
  framesIn: number;
  framesDropped: number;
  satellites: number;
  /** Engine calls that failed over to the next engine of their chain, by kind (stt, tts, llm…), since the hub started. */
  failovers: Record<string, number>;
}

/** `hugh_engine_failovers_total{kind="stt",engine="…"} 3` summed by kind. */
function failoversByKind(text: string): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const match of text.matchAll(/^hugh_engine_failovers_total\{[^}]*kind="([^"]+)"[^}]*\} (\S+)$/gm)) byKind[match[1]!] = (byKind[match[1]!] ?? 0) + Number(match[2]);
  return byKind;
}

/** The value of a metric line `name{labels} value`, summed over the label sets that match. */
function metric(text: string, name: string, labels = ''): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    found = true;
  }
  return found ? sum : Number.NaN;
}

export async function sampleHub(httpUrl: string): Promise<HubSample> {
  const response = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET /metrics: HTTP ${response.status}`);
  const text = await response.text();
  return {
    atMs: Date.now(),
    rssBytes: metric(text, 'hugh_process_resident_memory_bytes'),
    heapUsedBytes: metric(text, 'hugh_nodejs_heap_size_used_bytes'),
    eventLoopLagP99Ms: metric(text, 'hugh_nodejs_eventloop_lag_p99_seconds') * 1000,
    handles: metric(text, 'hugh_nodejs_active_handles_total'),
    sockets: metric(text, 'hugh_nodejs_active_handles', 'type="Socket"') || 0,
    openFds: metric(text, 'hugh_process_open_fds'),
    framesIn: metric(text, 'hugh_audio_frames_in_total'),
    framesDropped: metric(text, 'hugh_audio_frames_dropped_total'),
    satellites: metric(text, 'hugh_satellites_connected'),
    failovers: failoversByKind(text),
  };
}

/** Samples the hub every `intervalMs` until stopped; a failed scrape (hub restarting) is skipped. */
export class HubSampler {
  readonly samples: HubSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private url: string;

  constructor(url: string, readonly intervalMs: number) {
    this.url = url;
  }

  start(): void {
    const tick = async () => {
      try {
        this.samples.push(await sampleHub(this.url));
      } catch {
        // The hub is down (a restart phase): nothing to read.
      }
      if (this.timer) this.timer = setTimeout(() => void tick(), this.intervalMs);
    };
    this.timer = setTimeout(() => void tick(), 0);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The sample nearest to `atMs`. */
  at(atMs: number): HubSample | undefined {
    let best: HubSample | undefined;
    for (const sample of this.samples) if (!best || Math.abs(sample.atMs - atMs) < Math.abs(best.atMs - atMs)) best = sample;
    return best;
  }

  between(fromMs: number, toMs: number): HubSample[] {
    return this.samples.filter((sample) => sample.atMs >= fromMs && sample.atMs <= toMs);
  }
}
