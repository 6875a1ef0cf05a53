import type { KeywordScore, WakeWordEngine } from '@hugh/satellite';

/** A scripted engine: the score of step n is `scores[n]` (0 after the end). */
export class ScriptedEngine implements WakeWordEngine {
  readonly name = 'scripted';
  readonly frameSamples = 1280;
  readonly keywords = ['hey_test'];
  readonly thresholds = new Map([['hey_test', 0.5]]);
  step = 0;
  resets = 0;

  constructor(private readonly scores: number[]) {}

  async process(frame: Int16Array): Promise<KeywordScore[]> {
    if (frame.length !== this.frameSamples) throw new Error(`bad step ${frame.length}`);
    return [{ keyword: 'hey_test', score: this.scores[this.step++] ?? 0 }];
  }

  reset(): void {
    this.resets++;
  }

  async close(): Promise<void> {}
}
