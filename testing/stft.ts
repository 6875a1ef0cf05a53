import { BINS, HOP, N_FFT, PAD } from '@hugh/hub';

/**
 * The forward transform WavTokenizer's frames come from, for tests: zero-pad 480 samples each side,
 * periodic Hann window of 1280, hop 320, DFT → per frame 641 log-magnitudes then 641 phases.
 * Written independently of the decoder (a plain DFT), so a shared mistake cannot hide.
 */
const COS = Float64Array.from({ length: N_FFT }, (_, m) => Math.cos((2 * Math.PI * m) / N_FFT));
const SIN = Float64Array.from({ length: N_FFT }, (_, m) => Math.sin((2 * Math.PI * m) / N_FFT));

export function spectralFrames(signal: Float64Array): number[][] {
  const frames = signal.length / HOP;
  const padded = new Float64Array(signal.length + 2 * PAD);
  padded.set(signal, PAD);
  const out: number[][] = [];
  const windowed = new Float64Array(N_FFT);
  for (let t = 0; t < frames; t++) {
    for (let n = 0; n < N_FFT; n++) windowed[n] = padded[t * HOP + n]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N_FFT));
    const frame = new Array<number>(2 * BINS);
    for (let k = 0; k < BINS; k++) {
      let re = 0;
      let im = 0;
      // e^{-2πi·kn/N} from a table: kn mod N gives the same angle.
      for (let n = 0, m = 0; n < N_FFT; n++, m = m + k >= N_FFT ? m + k - N_FFT : m + k) {
        re += windowed[n]! * COS[m]!;
        im -= windowed[n]! * SIN[m]!;
      }
      frame[k] = Math.log(Math.max(Math.hypot(re, im), 1e-12));
      frame[BINS + k] = Math.atan2(im, re);
    }
    out.push(frame);
  }
  return out;
}
