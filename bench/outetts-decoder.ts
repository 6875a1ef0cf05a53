import { decodeSpectralFrames } from '@hugh/hub';
import type { Benchmark } from './report.js';

/** CPU time of the OuteTTS inverse STFT (done on the hub, not the GPU) per second of 24 kHz audio. */
export const outettsDecoder: Benchmark = async ({ smoke }) => {
  const seconds = smoke ? 2 : 20;
  let seed = 1;
  const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 4_294_967_296);
  const frames = Array.from({ length: 75 * seconds }, () => Array.from({ length: 1282 }, (_, i) => (i < 641 ? random() - 3 : random() * 6)));
  decodeSpectralFrames(frames.slice(0, 75));
  const started = performance.now();
  decodeSpectralFrames(frames);
  const ms = (performance.now() - started) / seconds;
  return [{ name: 'OuteTTS inverse STFT CPU per second of audio', value: ms, unit: 'ms', conditions: `${seconds} s of random spectral frames (75 per second), n_fft 1280 as 5 × 256-point fft.js transforms` }];
};
