import { KEYWORD_WINDOW, SAMPLE_RATE_HZ, STEP_SAMPLES } from '../geometry.js';
import type { StreamSet } from './plan.js';
import type { Span } from './render.js';

/** A rendered stream's embeddings and where its phrases and confusables are. */
export interface EmbeddedStream {
  set: StreamSet;
  /** A real recording (not synthesised). */
  real: boolean;
  seconds: number;
  /** Step of `embeddings[0]` (earlier steps have too little audio for an embedding). */
  firstStep: number;
  embeddings: Float32Array[];
  phrases: Span[];
  confusables: Span[];
}

export const POSITIVE = 1;
export const NEGATIVE = 0;
export const IGNORE = -1;

const s = (seconds: number) => seconds * SAMPLE_RATE_HZ;

/** The sample at which the window ending with `embeddings[index]` ends. */
export function windowEndSample(stream: EmbeddedStream, index: number): number {
  return (stream.firstStep + index + 1) * STEP_SAMPLES;
}

/**
 * Positive windows end this long after the phrase: just after it, so that the model has seen
 * what follows ("hey hugh, what…" and not "hey hugo").
 */
const POSITIVE_FROM_S = 0.04;
const POSITIVE_TO_S = 0.4;

/**
 * A label per window (one per embedding, the window ending with it): positive just after a
 * phrase ends (the phrase whole, at the end of the window, where openWakeWord's models fire),
 * negative where no phrase is, or only part of one (its start already left the window, or its end
 * not yet said); windows that hold the whole phrase further back, or nearly all of it, are left
 * out: a detector may fire there or not.
 */
export function windowLabels(stream: EmbeddedStream): Int8Array {
  const labels = new Int8Array(stream.embeddings.length).fill(NEGATIVE);
  for (let index = 0; index < labels.length; index++) {
    if (index < KEYWORD_WINDOW - 1) {
      labels[index] = IGNORE;
      continue;
    }
    const end = windowEndSample(stream, index);
    for (const phrase of stream.phrases) {
      if (end >= phrase.end + s(POSITIVE_FROM_S) && end <= phrase.end + s(POSITIVE_TO_S)) {
        labels[index] = POSITIVE;
        break;
      }
      if ((end > phrase.end - s(0.4) && end < phrase.end + s(POSITIVE_FROM_S)) || (end > phrase.end + s(POSITIVE_TO_S) && end < phrase.start + s(1.9))) labels[index] = IGNORE;
    }
  }
  return labels;
}

/** The 16 embeddings of the window ending at `index`, back to back (1536 floats). */
export function windowInput(embeddings: readonly Float32Array[], index: number, out = new Float32Array(KEYWORD_WINDOW * 96)): Float32Array {
  for (let k = 0; k < KEYWORD_WINDOW; k++) out.set(embeddings[index - KEYWORD_WINDOW + 1 + k]!, k * 96);
  return out;
}

/**
 * Windows over a confusable (while said and 1.2 s after) and all of real speech: the negatives
 * that teach the most (and the rarest), weighted up in training.
 */
export function hardWindows(stream: EmbeddedStream): Uint8Array {
  const hard = new Uint8Array(stream.embeddings.length).fill(stream.real ? 1 : 0);
  for (let index = 0; index < hard.length; index++) {
    const end = windowEndSample(stream, index);
    if (stream.confusables.some((span) => end >= span.start && end <= span.end + s(1.2))) hard[index] = 1;
  }
  return hard;
}
