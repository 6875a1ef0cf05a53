import { CAPTURE_SAMPLE_RATE_HZ, SampleFramer } from '@hugh/protocol';
import { PcmRingBuffer, levelDbfs } from '../audio/ring-buffer.js';
import type { WakeWordEngine } from './wake-word-engine.js';

export interface Detection {
  engine: string;
  keyword: string;
  score: number;
  /** RMS level of the last 1.5 s (the wake word) in dBFS; the hub prefers the loudest room. */
  levelDbfs: number;
  /** Samples of the stream consumed when the detection fired: its time is `endSample / 16000` s. */
  endSample: number;
}

export interface DetectorOptions {
  /** After a detection, the same keyword cannot fire again for this long. */
  refractoryMs?: number;
  /** Per-keyword thresholds that override the engines' defaults. */
  thresholds?: Record<string, number>;
  /**
   * Threshold while the satellite plays a reply: barge-in stays possible, but the satellite's own
   * voice (much louder at the mic than the user) must be a far better match to wake it.
   */
  playbackThreshold?: number;
}

/**
 * Feeds audio of any chunk size to one or more engines in their own step sizes and turns scores
 * into detections: threshold (raised while playing), refractory period, and suppression while a
 * chime plays (the satellite must not wake itself).
 */
export class WakeWordDetector {
  /** Set while a chime plays: audio is consumed but nothing can fire. */
  suppressed = false;
  /** Set while a reply plays: `playbackThreshold` applies. */
  playing = false;
  private consumed = 0;
  private readonly framers = new Map<WakeWordEngine, SampleFramer>();
  private readonly lastFired = new Map<string, number>();
  private readonly recent = new PcmRingBuffer(Math.round(CAPTURE_SAMPLE_RATE_HZ * 1.5));
  private readonly refractorySamples: number;

  constructor(
    readonly engines: readonly WakeWordEngine[],
    private readonly options: DetectorOptions = {},
  ) {
    this.refractorySamples = ((options.refractoryMs ?? 2_000) / 1000) * CAPTURE_SAMPLE_RATE_HZ;
    for (const engine of engines) this.framers.set(engine, new SampleFramer(engine.frameSamples));
  }

  get keywords(): string[] {
    return this.engines.flatMap((engine) => engine.keywords);
  }

  thresholdOf(engine: WakeWordEngine, keyword: string): number {
    const base = this.options.thresholds?.[keyword] ?? engine.thresholds.get(keyword) ?? 0.5;
    return this.playing ? Math.max(base, this.options.playbackThreshold ?? 0.8) : base;
  }

  /** Processes samples; resolves with the detections they completed (usually none). */
  async push(samples: Int16Array): Promise<Detection[]> {
    this.recent.write(samples);
    const detections: Detection[] = [];
    const startSample = this.consumed;
    this.consumed += samples.length;
    for (const engine of this.engines) {
      const framer = this.framers.get(engine)!;
      // Where this push's first whole step ends in the stream: the samples queued before it, plus one step.
      let endSample = startSample - framer.pendingSamples;
      for (const step of framer.push(samples)) {
        const scores = await engine.process(step);
        endSample += engine.frameSamples;
        if (this.suppressed) continue;
        for (const { keyword, score } of scores) {
          if (score < this.thresholdOf(engine, keyword)) continue;
          const last = this.lastFired.get(keyword);
          if (last !== undefined && endSample - last < this.refractorySamples) continue;
          this.lastFired.set(keyword, endSample);
          detections.push({ engine: engine.name, keyword, score, levelDbfs: levelDbfs(this.recent.snapshot()), endSample });
          engine.reset();
        }
      }
    }
    return detections;
  }

  async close(): Promise<void> {
    await Promise.all(this.engines.map((engine) => engine.close()));
  }
}
