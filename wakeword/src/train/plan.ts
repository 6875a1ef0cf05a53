import { COMMANDS, GENERIC_CONFUSABLES, SENTENCES, SOUND_ALIKES } from './phrases.js';
import type { Rng } from './rng.js';
import type { Utterance } from './synthesize.js';
import type { Voice } from './voices.js';

/** How many of each thing a run makes: `FULL` for the real model, small ones for CI. */
export interface TrainSizes {
  /** Wake-phrase utterances (training voices) for training. */
  positives: number;
  /** Confusable utterances for training. */
  confusables: number;
  /** Ordinary sentences (no wake phrase) for training. */
  sentences: number;
  /** Augmented copies of each real speech recording used for training. */
  realSpeechCopies: number;
  /** Share of the training counts made again, fresh, for calibrating the threshold. */
  validationShare: number;
  /** Held-out voices saying "<phrase>, <command>". */
  evalPositives: number;
  /** Held-out voices saying confusables. */
  evalConfusables: number;
  /** Held-out voices saying ordinary sentences. */
  evalSentences: number;
  /** Minutes of augmented held-out real speech to count false accepts on. */
  evalSpeechMinutes: number;
  /** Training passes over the windows. */
  epochs: number;
  /** Units in the classifier's hidden layer. */
  hidden: number;
}

export const FULL_SIZES: TrainSizes = {
  positives: 1400,
  confusables: 1000,
  sentences: 700,
  realSpeechCopies: 16,
  validationShare: 0.15,
  evalPositives: 300,
  evalConfusables: 300,
  evalSentences: 100,
  evalSpeechMinutes: 40,
  epochs: 18,
  hidden: 32,
};

/** A short run for CI and `npm run bench -- --smoke`: same code paths, a few hundred utterances. */
export const SMALL_SIZES: TrainSizes = {
  positives: 100,
  confusables: 60,
  sentences: 24,
  realSpeechCopies: 4,
  validationShare: 0.25,
  evalPositives: 12,
  evalConfusables: 12,
  evalSentences: 4,
  evalSpeechMinutes: 1,
  epochs: 16,
  hidden: 24,
};

export type Background = { kind: 'quiet'; levelDbfs: number } | { kind: 'noise'; color: 'white' | 'pink' | 'brown'; snrDb: number } | { kind: 'speech'; file: number; offsetS: number; snrDb: number };

/** What sox does to a stream's speech (one room, one microphone per stream). */
export interface Room {
  reverb?: { reverberance: number; hfDamping: number; roomScale: number; preDelayMs: number };
  eq: { frequencyHz: number; q: number; gainDb: number }[];
  pitchCents: number;
  /** Real speech only (no labels to move): sox tempo. */
  tempo: number;
}

export interface Segment {
  utterance: number;
  /** Silence before it, seconds. */
  gapS: number;
  kind: 'phrase' | 'confusable' | 'other';
}

export type StreamSet = 'train' | 'validation' | 'eval-recall' | 'eval-confusable' | 'eval-sentences' | 'eval-speech';

export interface StreamSpec {
  set: StreamSet;
  /** Synthesised utterances one after the other, or a real recording. */
  source: { kind: 'utterances'; segments: Segment[] } | { kind: 'real'; file: number; transform: 'none' | 'reverse' | 'splice' };
  /** Speech level (RMS of the loud part) in dBFS. */
  levelDbfs: number;
  background: Background;
  room: Room;
}

export interface Plan {
  utterances: Utterance[];
  streams: StreamSpec[];
}

/**
 * What a wake phrase must not wake on. `confusables`: other assistants' wake words, phrases with
 * "you", the phrase's other words alone, its last word's sound-alikes alone ("hugo", "huge") and
 * the words reversed; the ≤ 5 % target is on these. `nearMisses`: the phrase with its last word
 * swapped for a sound-alike ("hey hugo", "hey human"), one consonant away; trained on, reported apart.
 */
export function confusablesOf(phrase: string): { confusables: string[]; nearMisses: string[] } {
  const words = phrase.toLowerCase().split(/\s+/).filter(Boolean);
  const last = words.at(-1) ?? '';
  const head = words.slice(0, -1).join(' ');
  const alikes = SOUND_ALIKES[last] ?? ['you', 'who', 'there'];
  // The last word alone is not among them: "Hugh, what time is it?" may well wake "hey hugh".
  const confusables = [...GENERIC_CONFUSABLES, ...words.slice(0, -1), ...alikes, `${last} ${head}`.trim()];
  const nearMisses = head ? alikes.map((word) => `${head} ${word}`) : [];
  const keep = (texts: string[], except: string[] = []) => [...new Set(texts)].filter((text) => !contains(text, phrase) && !except.includes(text));
  const kept = keep(confusables);
  return { confusables: kept, nearMisses: keep(nearMisses, kept) };
}

function normalised(text: string): string {
  return ` ${text.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()} `;
}

function contains(text: string, phrase: string): boolean {
  return normalised(text).includes(normalised(phrase));
}

/** The ways the phrase is written for the synthesisers: punctuation changes their prosody. */
function phraseTexts(phrase: string): string[] {
  const words = phrase.split(/\s+/);
  return [phrase, `${phrase}!`, `${phrase}?`, `${phrase}.`, words.length > 1 ? `${words[0]}, ${words.slice(1).join(' ')}` : phrase];
}

function room(rng: Rng, real: boolean): Room {
  return {
    ...(rng.next() < 0.55 ? { reverb: { reverberance: rng.uniform(10, 80), hfDamping: rng.uniform(10, 90), roomScale: rng.uniform(10, 100), preDelayMs: rng.uniform(0, 20) } } : {}),
    eq: Array.from({ length: rng.next() < 0.5 ? rng.int(1, 2) : 0 }, () => ({ frequencyHz: Math.round(Math.exp(rng.uniform(Math.log(150), Math.log(6000)))), q: rng.uniform(0.5, 2), gainDb: rng.uniform(-9, 9) })),
    pitchCents: rng.next() < 0.35 ? Math.round(rng.uniform(-200, 200)) : 0,
    tempo: real && rng.next() < 0.6 ? rng.uniform(0.85, 1.15) : 1,
  };
}

function background(rng: Rng, realFiles: number, hard: boolean): Background {
  const roll = rng.next();
  if (roll < 0.25) return { kind: 'quiet', levelDbfs: rng.uniform(-75, -55) };
  if (roll < 0.65 || realFiles === 0) return { kind: 'noise', color: rng.pick(['white', 'pink', 'brown'] as const), snrDb: hard ? rng.uniform(3, 25) : rng.uniform(10, 30) };
  return { kind: 'speech', file: rng.int(0, realFiles - 1), offsetS: rng.uniform(0, 30), snrDb: hard ? rng.uniform(5, 20) : rng.uniform(12, 25) };
}

interface PlanInput {
  phrase: string;
  trainVoices: Voice[];
  heldOutVoices: Voice[];
  /** Real speech recordings for training (as background too) and for evaluation. */
  trainSpeech: { index: number; seconds: number }[];
  evalSpeech: { index: number; seconds: number }[];
  /** Words for random word sequences (see negativeWords). */
  words: string[];
  sizes: TrainSizes;
}

/**
 * Everything a run will synthesise and mix, decided up front from the seed, so that the result
 * does not depend on the order in which concurrent work finishes.
 */
export function makePlan(input: PlanInput, rng: Rng): Plan {
  const utterances: Utterance[] = [];
  const streams: StreamSpec[] = [];
  const { confusables: targets, nearMisses } = confusablesOf(input.phrase);
  const confusables = [...targets, ...nearMisses];
  const sentences = SENTENCES.filter((text) => !contains(text, input.phrase));
  const commands = COMMANDS.filter((text) => !contains(text, input.phrase));
  const speak = (text: string, voices: Voice[]): number => {
    const voice = rng.pick(voices);
    utterances.push({ text, voice, rate: rng.uniform(0.75, 1.3), pitch: rng.uniform(25, 75) });
    return utterances.length - 1;
  };
  const trainFiles = input.trainSpeech.length;
  /** Ordinary speech: a built-in sentence, or (half the time) 3 to 8 random words, for phonetic variety. */
  const ordinary = () => (rng.next() < 0.5 || input.words.length === 0 ? rng.pick(sentences) : Array.from({ length: rng.int(3, 8) }, () => rng.pick(input.words)).join(' '));

  /** Training streams: ~25 s each, the three kinds of segment shuffled together, in harder mixes. */
  const kinds = rng.shuffle([
    ...Array<'phrase'>(input.sizes.positives).fill('phrase'),
    ...Array<'confusable'>(input.sizes.confusables).fill('confusable'),
    ...Array<'other'>(input.sizes.sentences).fill('other'),
  ]);
  for (let start = 0; start < kinds.length; start += 12) {
    const segments: Segment[] = [{ utterance: speak(rng.pick(sentences), input.trainVoices), gapS: 2.2, kind: 'other' }];
    for (const kind of kinds.slice(start, start + 12)) {
      const gapS = rng.uniform(0.15, 1.2);
      if (kind === 'phrase') {
        segments.push({ utterance: speak(rng.pick(phraseTexts(input.phrase)), input.trainVoices), gapS, kind });
        // Usually a command follows at once, as people say it; sometimes nothing.
        if (rng.next() < 0.7) segments.push({ utterance: speak(rng.pick(commands), input.trainVoices), gapS: rng.uniform(0, 0.35), kind: 'other' });
      } else segments.push({ utterance: speak(kind === 'confusable' ? rng.pick(confusables) : ordinary(), input.trainVoices), gapS, kind });
    }
    streams.push({ set: 'train', source: { kind: 'utterances', segments }, levelDbfs: rng.uniform(-38, -14), background: background(rng, trainFiles, true), room: room(rng, false) });
  }
  for (const { index } of input.trainSpeech) {
    for (let copy = 0; copy < input.sizes.realSpeechCopies; copy++) {
      // Reversed and respliced copies keep a real voice and make new sequences of sounds.
      const transform = copy % 8 === 7 ? 'none' : (['none', 'reverse', 'splice'] as const)[copy % 3]!;
      streams.push({ set: copy % 8 === 7 ? 'validation' : 'train', source: { kind: 'real', file: index, transform }, levelDbfs: rng.uniform(-38, -14), background: background(rng, 0, true), room: room(rng, true) });
    }
  }

  /** Test streams: one utterance (or phrase + command) every few seconds, in everyday mixes. */
  const spaced = (set: StreamSet, voices: Voice[], count: number, make: () => Segment[]) => {
    for (let start = 0; start < count; start += 10) {
      const segments: Segment[] = [{ utterance: speak(rng.pick(sentences), voices), gapS: 2.2, kind: 'other' }];
      for (let i = start; i < Math.min(count, start + 10); i++) segments.push(...make());
      streams.push({ set, source: { kind: 'utterances', segments }, levelDbfs: rng.uniform(-35, -18), background: background(rng, 0, false), room: room(rng, false) });
    }
  };
  /** The same tests for held-out voices (evaluation) and, fewer, for training voices with fresh utterances (calibration). */
  const tests = (voices: Voice[], sets: [StreamSet, StreamSet, StreamSet], counts: [number, number, number]) => {
    spaced(sets[0], voices, counts[0], () => [
      { utterance: speak(rng.pick([input.phrase, `${input.phrase},`]), voices), gapS: 2.6, kind: 'phrase' },
      { utterance: speak(rng.pick(commands), voices), gapS: rng.uniform(0, 0.3), kind: 'other' },
    ]);
    spaced(sets[1], voices, counts[1], () => [{ utterance: speak(rng.pick(confusables), voices), gapS: 2.6, kind: 'confusable' }]);
    spaced(sets[2], voices, counts[2], () => [{ utterance: speak(ordinary(), voices), gapS: rng.uniform(0.3, 1.5), kind: 'other' }]);
  };
  const share = (count: number) => Math.round(count * input.sizes.validationShare);
  tests(input.trainVoices, ['validation', 'validation', 'validation'], [share(input.sizes.positives), share(input.sizes.confusables), share(input.sizes.sentences)]);
  tests(input.heldOutVoices, ['eval-recall', 'eval-confusable', 'eval-sentences'], [input.sizes.evalPositives, input.sizes.evalConfusables, input.sizes.evalSentences]);
  const evalSeconds = input.evalSpeech.reduce((sum, file) => sum + file.seconds, 0);
  if (evalSeconds > 0) {
    for (let seconds = 0; seconds < input.sizes.evalSpeechMinutes * 60; ) {
      for (const { index, seconds: length } of input.evalSpeech) {
        // The first copy of each recording is as it was; the rest are augmented.
        const plain = seconds < evalSeconds;
        streams.push({
          set: 'eval-speech',
          source: { kind: 'real', file: index, transform: 'none' },
          levelDbfs: plain ? Number.NaN : rng.uniform(-35, -15),
          background: plain ? { kind: 'quiet', levelDbfs: -200 } : background(rng, 0, false),
          room: plain ? { eq: [], pitchCents: 0, tempo: 1 } : room(rng, true),
        });
        seconds += length;
      }
    }
  }
  return { utterances, streams };
}
