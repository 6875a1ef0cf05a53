import { BINS, HOP, N_FFT, PAD } from '@hugh/hub';

/**
 * The forward transform WavTokenizer's frames come from, for tests: zero-pad 480 samples each side,
 * periodic Hann window of 1280, hop 320, DFT → per frame 641 log-magnitudes then 641 phases.
 * Written independently of the decoder (a plain DFT), so a shared mistake cannot hide.
 */
export function spectralFrames(signal: Float64Array): number[][] {
  const frames = signal.length / HOP;
  const padded = new Float64Array(signal.length + 2 * PAD);
  padded.set(signal, PAD);
  const out: number[][] = [];
  for (let t = 0; t < frames; t++) {
    const frame = new Array<number>(2 * BINS);
    for (let k = 0; k < BINS; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < N_FFT; n++) {
        const value = padded[t * HOP + n]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT));
        re += value * Math.cos((2 * Math.PI * k * n) / N_FFT);
        im -= value * Math.sin((2 * Math.PI * k * n) / N_FFT);
      }
      frame[k] = Math.log(Math.max(Math.hypot(re, im), 1e-12));
      frame[BINS + k] = Math.atan2(im, re);
    }
    out.push(frame);
  }
  return out;
}
