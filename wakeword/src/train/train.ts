import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import { TrainedKeyword, encodeClassifier } from '../classifier.js';
import { clipEmbeddings } from '../clip-features.js';
import { FeatureModels } from '../feature-models.js';
import { SAMPLE_RATE_HZ } from '../geometry.js';
import { keywordOf } from '../keyword-scorer.js';
import { OnnxKeyword } from '../onnx-keyword.js';
import { readWavAs16kMono } from '../wav.js';
import { toFloat } from './augment.js';
import { compareCpu } from './cpu.js';
import { hardWindows, windowLabels, type EmbeddedStream } from './dataset.js';
import { assess } from './assess.js';
import { embeddingStats, fitClassifier, foldedLayers, standardise } from './fit.js';
import { FULL_SIZES, confusablesOf, makePlan, type TrainSizes } from './plan.js';
import { mapLimit } from './pool.js';
import { renderStream } from './render.js';
import { buildReport, type TrainReport } from './report.js';
import { Rng } from './rng.js';
import { synthesize } from './synthesize.js';
import { negativeWords } from './words.js';
import { discoverVoices, splitVoices, voiceId, type Voice } from './voices.js';

export interface TrainOptions {
  /** What is said, e.g. "hey hugh"; the keyword is its name (`hey_hugh`). */
  phrase: string;
  /** Where `<keyword>.trained.json` and `<keyword>.report.json` are written. */
  outDir: string;
  /** openWakeWord's melspectrogram.onnx and embedding_model.onnx (and hey_jarvis_v0.1.onnx for the CPU comparison). */
  modelsDir: string;
  /** Real speech recordings (WAV files or folders of them): negatives, backgrounds, and the held-out false-accept test. */
  speech?: string[];
  /** Real speech for the false-accept test only; when unset, the longest `speech` recording is held out for it. */
  evalSpeech?: string[];
  seed?: number;
  sizes?: Partial<TrainSizes>;
  /** Training voices instead of every voice found (the held-out ones then must be given too). */
  voices?: { train: Voice[]; heldOut: Voice[] };
  /** Concurrent synthesisers and feature runs (default: the machine's cores). */
  threads?: number;
  log?: (line: string) => void;
}

export interface TrainResult {
  modelPath: string;
  reportPath: string;
  report: TrainReport;
}

function speechFiles(paths: readonly string[]): string[] {
  return paths.flatMap((path) => {
    if (!statSync(path, { throwIfNoEntry: false })) throw new HughError('HUGH_ERR_CONFIG_INVALID', `speech: ${path} does not exist`);
    return statSync(path).isDirectory()
      ? readdirSync(path)
          .filter((name) => name.toLowerCase().endsWith('.wav'))
          .sort()
          .map((name) => join(path, name))
      : [path];
  });
}

/**
 * Makes a keyword model for `phrase` from synthetic voices, offline: synthesise, mix, embed with
 * the real openWakeWord models, train, calibrate on fresh training-voice audio, evaluate on
 * voices and real speech it never saw, and write the model and its report.
 */
export async function trainWakeWord(options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const keyword = keywordOf(options.phrase);
  if (!keyword || options.phrase.length > 60) throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake-word train: ${JSON.stringify(options.phrase.slice(0, 80))} is not a wake phrase (a few words, at most 60 characters)`);
  const phrase = options.phrase.trim().toLowerCase().replace(/\s+/g, ' ');
  const seed = options.seed ?? 1;
  const sizes = { ...FULL_SIZES, ...options.sizes };
  const threads = options.threads ?? availableParallelism();
  const rng = new Rng(seed);
  const times: Record<string, number> = {};
  const phase = (name: string, since: number) => {
    times[name] = Math.round((performance.now() - since) / 100) / 10;
    log(`${name}: ${times[name]} s`);
  };

  let since = performance.now();
  const split = options.voices ?? splitVoices(await discoverVoices(), rng.fork('voices'));
  if (split.train.length === 0 || split.heldOut.length === 0) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'wake-word train needs espeak-ng or flite with several voices (apt-get install espeak-ng flite)');
  log(`voices: ${split.train.length} for training, ${split.heldOut.length} held out`);

  // The false-accept test's recordings: those given, or the longest one held out; the rest train (and make backgrounds).
  const given = speechFiles(options.evalSpeech ?? []);
  const files = [...speechFiles(options.speech ?? []), ...given];
  const recordings = files.map((file) => toFloat(readWavAs16kMono(file)));
  const longest = recordings.length > 1 ? recordings.reduce((best, audio, index) => (audio.length > recordings[best]!.length ? index : best), 0) : -1;
  const held = new Set(given.length > 0 ? given.map((_, index) => files.length - given.length + index) : longest >= 0 ? [longest] : []);
  const seconds = (index: number) => recordings[index]!.length / SAMPLE_RATE_HZ;
  const trainSpeech = recordings.map((_, index) => ({ index, seconds: seconds(index) })).filter(({ index }) => !held.has(index));
  const evalSpeech = [...held].map((index) => ({ index, seconds: seconds(index) }));

  const words = negativeWords(phrase);
  const plan = makePlan({ phrase, trainVoices: split.train, heldOutVoices: split.heldOut, trainSpeech, evalSpeech, words: words.words, sizes }, rng.fork('plan'));
  log(`plan: ${plan.utterances.length} utterances in ${plan.streams.length} streams`);
  const said = plan.utterances.map((utterance) => ({ text: utterance.text, voice: voiceId(utterance.voice) }));
  const models = await FeatureModels.load(options.modelsDir);
  // Per stream: synthesise its utterances, mix, embed. onnxruntime runs on this thread while the
  // synthesisers and sox of the streams in flight run in their own processes: two cores busy.
  const streams: EmbeddedStream[] = await mapLimit(plan.streams, threads + 1, async (spec, index) => {
    const audio = new Map<number, Int16Array>();
    const used = spec.source.kind === 'utterances' ? spec.source.segments.map((segment) => segment.utterance) : [];
    for (const utterance of used) audio.set(utterance, await synthesize(plan.utterances[utterance]!));
    const rendered = await renderStream(spec, audio, said, recordings, rng.fork(`stream-${index}`));
    const { firstStep, embeddings } = await clipEmbeddings(models, rendered.samples);
    if (index % 50 === 49) log(`streams: ${index + 1} of ${plan.streams.length}`);
    return { set: spec.set, real: spec.source.kind === 'real', seconds: rendered.samples.length / SAMPLE_RATE_HZ, firstStep, embeddings, phrases: rendered.phrases, confusables: rendered.confusables };
  });
  phase('synthesis and features', since);

  since = performance.now();
  const training = streams.filter((stream) => stream.set === 'train');
  const flats = training.map((stream) => {
    const flat = new Float32Array(stream.embeddings.length * 96);
    stream.embeddings.forEach((embedding, index) => flat.set(embedding, index * 96));
    return flat;
  });
  const stats = embeddingStats(flats);
  for (const flat of flats) standardise(flat, stats);
  const labelled = training.map((stream, index) => ({ flat: flats[index]!, labels: windowLabels(stream), hard: hardWindows(stream) }));
  const windows = { positive: 0, negative: 0 };
  for (const { labels } of labelled) for (const label of labels) if (label >= 0) windows[label === 1 ? 'positive' : 'negative']++;
  log(`training windows: ${windows.positive} positive, ${windows.negative} negative`);
  const weights = fitClassifier(labelled, { hidden: sizes.hidden, epochs: sizes.epochs, onEpoch: (epoch, loss) => log(`epoch ${epoch}/${sizes.epochs}: loss ${loss.toFixed(4)}`) }, rng.fork('fit'));
  const layers = foldedLayers(weights, stats);
  phase('training', since);

  since = performance.now();
  const { nearMisses } = confusablesOf(phrase);
  const assessment = assess(new TrainedKeyword(layers, 0.5, { keyword, phrase }, 'in training'), streams, (text) => nearMisses.includes(text), log);
  const { threshold } = assessment.calibration;
  let cpu: { trained: number; builtin: number } | undefined;
  try {
    const jarvis = await OnnxKeyword.load(join(options.modelsDir, 'hey_jarvis_v0.1.onnx'));
    const sample = evalSpeech[0] ? readWavAs16kMono(files[evalSpeech[0].index]!) : new Int16Array(SAMPLE_RATE_HZ * 20);
    const [trainedCpu, builtinCpu] = await compareCpu(models, [new TrainedKeyword(layers, threshold, { keyword, phrase }, 'trained'), jarvis], sample.subarray(0, SAMPLE_RATE_HZ * 20));
    cpu = { trained: trainedCpu!, builtin: builtinCpu! };
    await jarvis.close();
  } catch (error) {
    log(`CPU comparison skipped: ${(error as Error).message}`);
  }
  await models.close();
  phase('evaluation', since);

  times.total = Math.round((performance.now() - started) / 100) / 10;
  const report = buildReport({
    keyword,
    phrase,
    seed,
    sizes,
    times,
    voices: { train: split.train.map(voiceId), heldOut: split.heldOut.map(voiceId) },
    wordList: words.source,
    speech: { train: trainSpeech.map(({ index }) => basename(files[index]!)), heldOut: evalSpeech.map(({ index }) => basename(files[index]!)) },
    windows,
    ...assessment,
    ...(evalSpeech.length === 0 ? { realSpeech: undefined } : {}),
    cpu,
  });
  mkdirSync(options.outDir, { recursive: true });
  const modelPath = join(options.outDir, `${keyword}.trained.json`);
  const reportPath = join(options.outDir, `${keyword}.report.json`);
  // Whole or not at all: a satellite loading the model while a crash or power cut hits never reads half of one.
  writeFileAtomic(modelPath, `${JSON.stringify(encodeClassifier({ keyword, phrase, layers, threshold, report: report.summary }))}\n`, 0o644);
  writeFileAtomic(reportPath, `${JSON.stringify(report, null, 2)}\n`, 0o644);
  return { modelPath, reportPath, report };
}
