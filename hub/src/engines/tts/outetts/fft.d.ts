// fft.js ships no types; this is the part of its API used here (v4).
declare module 'fft.js' {
  export default class FFT {
    constructor(size: number);
    createComplexArray(): number[];
    /** Inverse complex FFT of interleaved [re, im, …] data, divided by the size. */
    inverseTransform(out: number[], data: number[]): void;
  }
}
