import type { WakeInfo } from './turn.js';

export interface WakeCandidate {
  satelliteId: string;
  turnId: number;
  wake: WakeInfo;
}

/**
 * Several satellites hearing one wake word: the first wake opens a window (400 ms by default, as
 * Willow's server does); when it closes, the satellite that heard it best (loudest, then highest
 * score) keeps its turn and the others are told to stand down. Turns start at once meanwhile, so
 * the winner loses no time.
 */
export class WakeArbiter {
  private readonly windows = new Map<string, { candidates: WakeCandidate[]; timer: NodeJS.Timeout }>();

  constructor(
    private readonly windowMs: number,
    private readonly decide: (winner: WakeCandidate, losers: WakeCandidate[]) => void,
  ) {}

  report(candidate: WakeCandidate): void {
    if (this.windowMs <= 0) return;
    const key = candidate.wake.keyword;
    const open = this.windows.get(key);
    if (open) {
      open.candidates.push(candidate);
      return;
    }
    const window = {
      candidates: [candidate],
      timer: setTimeout(() => {
        this.windows.delete(key);
        const ranked = [...window.candidates].sort((a, b) => b.wake.levelDbfs - a.wake.levelDbfs || b.wake.score - a.wake.score);
        const [winner, ...losers] = ranked;
        if (winner && losers.length > 0) this.decide(winner, losers);
      }, this.windowMs),
    };
    window.timer.unref();
    this.windows.set(key, window);
  }

  close(): void {
    for (const { timer } of this.windows.values()) clearTimeout(timer);
    this.windows.clear();
  }
}
