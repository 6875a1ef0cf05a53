import { SAMPLE_RATE_HZ } from '../geometry.js';
import { activeRms, applyRoom, dbToAmplitude, looped, noise, toFloat, toInt16 } from './augment.js';
import type { StreamSpec } from './plan.js';
import type { Rng } from './rng.js';

/** Where something was said in a stream, in samples. */
export interface Span {
  start: number;
  end: number;
  text: string;
  /** Who said it (a voice id). */
  voice: string;
}

export interface RenderedStream {
  samples: Int16Array;
  phrases: Span[];
  confusables: Span[];
}

/** A real recording as it is, backwards, or cut into 0.3-0.9 s pieces put back in a random order. */
function transformed(audio: Float32Array, transform: 'none' | 'reverse' | 'splice', rng: Rng): Float32Array {
  if (transform === 'none') return audio;
  if (transform === 'reverse') return audio.slice().reverse();
  const pieces: Float32Array[] = [];
  for (let at = 0; at < audio.length; ) {
    const length = Math.round(rng.uniform(0.3, 0.9) * SAMPLE_RATE_HZ);
    pieces.push(audio.subarray(at, at + length));
    at += length;
  }
  const out = new Float32Array(audio.length);
  let at = 0;
  for (const piece of rng.shuffle(pieces)) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}

/** A second of silence after the last utterance, so that its windows exist. */
const TAIL_S = 1.2;
const REAL_LEAD_S = 2;

/**
 * Mixes a planned stream: the dry speech (utterances with their gaps, or a real recording),
 * sox's room, the speech level, then the background at its SNR.
 */
export async function renderStream(spec: StreamSpec, utterances: ReadonlyMap<number, Int16Array>, said: readonly { text: string; voice: string }[], realSpeech: readonly Float32Array[], rng: Rng): Promise<RenderedStream> {
  const phrases: Span[] = [];
  const confusables: Span[] = [];
  let dry: Float32Array;
  if (spec.source.kind === 'real') {
    // Quiet before and after, so that a recording shorter than a window (2 s) still makes windows.
    const audio = transformed(realSpeech[spec.source.file]!, spec.source.transform, rng);
    dry = new Float32Array(Math.round(REAL_LEAD_S * SAMPLE_RATE_HZ) + audio.length + Math.round(TAIL_S * SAMPLE_RATE_HZ));
    dry.set(audio, Math.round(REAL_LEAD_S * SAMPLE_RATE_HZ));
  }
  else {
    const segments = spec.source.segments;
    const length = Math.round(segments.reduce((sum, segment) => sum + segment.gapS * SAMPLE_RATE_HZ + utterances.get(segment.utterance)!.length, 0) + TAIL_S * SAMPLE_RATE_HZ);
    dry = new Float32Array(length);
    let at = 0;
    for (const segment of segments) {
      at += Math.round(segment.gapS * SAMPLE_RATE_HZ);
      const audio = utterances.get(segment.utterance)!;
      dry.set(toFloat(audio), at);
      const span = { start: at, end: at + audio.length, ...said[segment.utterance]! };
      if (segment.kind === 'phrase') phrases.push(span);
      if (segment.kind === 'confusable') confusables.push(span);
      at += audio.length;
    }
  }
  const wet = await applyRoom(dry, spec.room);
  const speechRms = activeRms(wet);
  const gain = Number.isNaN(spec.levelDbfs) ? 1 : dbToAmplitude(spec.levelDbfs) / Math.max(1e-9, speechRms);
  const level = speechRms * gain;
  const mix = new Float32Array(wet.length);
  for (let i = 0; i < wet.length; i++) mix[i] = (wet[i] as number) * gain;
  const { background } = spec;
  const bed =
    background.kind === 'quiet'
      ? background.levelDbfs > -150
        ? noise(mix.length, 'white', dbToAmplitude(background.levelDbfs), rng)
        : undefined
      : background.kind === 'noise'
        ? noise(mix.length, background.color, level / dbToAmplitude(background.snrDb), rng)
        : looped(realSpeech[background.file]!, Math.round(background.offsetS * SAMPLE_RATE_HZ), mix.length, level / dbToAmplitude(background.snrDb));
  if (bed) for (let i = 0; i < mix.length; i++) mix[i] = (mix[i] as number) + (bed[i] as number);
  return { samples: toInt16(mix), phrases, confusables };
}
