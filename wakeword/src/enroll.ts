import { HughError } from '@hugh/protocol';
import { clipEmbeddings } from './clip-features.js';
import { unit } from './dtw.js';
import type { FeatureModels } from './feature-models.js';
import { SAMPLE_RATE_HZ, STEP_SAMPLES } from './geometry.js';
import { roomTone, speechBounds } from './speech-bounds.js';
import { MAX_TAKES, MAX_TAKE_STEPS, encodeTemplate, queryLength, templateDistance, type TemplateFile } from './template.js';

/** Room tone before a take, so that its first embeddings see quiet as a stream would (and exist at all). */
const LEAD_S = 2;
const TAIL_S = 0.8;
/** A take's template runs from 0.25 s into its speech (its first embeddings would mostly hear the quiet before) to just after its end: what follows the phrase in use (a command) is mostly not in it. */
const FROM_ONSET_S = 0.25;
const AFTER_END_S = 0.06;
/** The threshold is the worst leave-one-out distance times this: room for a take a little less like the others. */
const MARGIN = 2;
/** Half the threshold's distance scores 0.95 (sigmoid(6 · 0.5)): a good take passes a raised playback threshold too. */
const SHARPNESS = 6;
/**
 * A floor under the threshold. Chosen on 8 espeak-ng dev voices that are not the bench's speakers:
 * their later sayings (rate 0.85-1.15, pitch 36-64, before a command) came within 0.012-0.043 of
 * their takes, and no window of the shared real recordings came closer than 0.16.
 */
const MIN_THRESHOLD = 0.05;
const MIN_SPEECH_S = 0.25;
const MAX_SPEECH_S = 2.5;

export interface Take {
  /** What it is called in errors (a file name, "take 2"). */
  name: string;
  samples: Int16Array;
}

interface EmbeddedTake {
  name: string;
  /** All embeddings of the padded take, and where the template part and the speech end are. */
  embeddings: Float32Array[];
  from: number;
  to: number;
  endIndex: number;
}

async function embedTake(models: FeatureModels, take: Take): Promise<EmbeddedTake> {
  const bounds = speechBounds(take.samples);
  const seconds = bounds ? (bounds.end - bounds.start) / SAMPLE_RATE_HZ : 0;
  if (!bounds) throw new HughError('HUGH_ERR_CONFIG_INVALID', `${take.name}: no speech found (is the microphone on?)`);
  if (seconds < MIN_SPEECH_S || seconds > MAX_SPEECH_S) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `${take.name}: ${seconds.toFixed(2)} s of speech; a take is the wake phrase alone (${MIN_SPEECH_S}-${MAX_SPEECH_S} s)`);
  }
  const lead = Math.round(LEAD_S * SAMPLE_RATE_HZ);
  const speech = take.samples.subarray(bounds.start, bounds.end);
  const padded = new Int16Array(lead + speech.length + Math.round(TAIL_S * SAMPLE_RATE_HZ));
  padded.set(roomTone(take.samples, lead), 0);
  padded.set(speech, lead);
  padded.set(roomTone(take.samples, padded.length - lead - speech.length), lead + speech.length);
  const { firstStep, embeddings } = await clipEmbeddings(models, padded);
  const indexAt = (sample: number) => Math.round(sample / STEP_SAMPLES) - firstStep - 1;
  const from = Math.max(0, indexAt(lead + FROM_ONSET_S * SAMPLE_RATE_HZ));
  const endIndex = indexAt(lead + speech.length + AFTER_END_S * SAMPLE_RATE_HZ);
  const to = Math.min(embeddings.length - 1, endIndex, from + MAX_TAKE_STEPS - 1);
  return { name: take.name, embeddings, from, to, endIndex };
}

/** The best distance of a take to the other templates, around where its speech ends. */
function bestDistance(take: EmbeddedTake, templates: Float32Array[][], queryLengthSteps: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let end = Math.max(queryLengthSteps, take.endIndex - 4); end <= Math.min(take.embeddings.length - 1, take.endIndex + 6); end++) {
    best = Math.min(best, templateDistance(templates, take.embeddings.slice(end - queryLengthSteps + 1, end + 1)));
  }
  return best;
}

/**
 * An enrolled template from a speaker's takes of the wake phrase: each take's embeddings while it
 * is said. The threshold comes from the takes themselves: each is matched against the others
 * (leave one out), and the worst of those distances, with a margin, is where a match ends.
 */
export async function enrollTemplate(models: FeatureModels, input: { keyword: string; phrase: string; takes: Take[] }): Promise<TemplateFile> {
  if (input.takes.length < 2 || input.takes.length > MAX_TAKES) throw new HughError('HUGH_ERR_CONFIG_INVALID', `enroll needs 2 to ${MAX_TAKES} takes of the wake phrase, got ${input.takes.length} (3 are a good start)`);
  const embedded: EmbeddedTake[] = [];
  for (const take of input.takes) embedded.push(await embedTake(models, take));
  const templates = embedded.map((take) => take.embeddings.slice(take.from, take.to + 1));
  const units = templates.map((template) => template.map(unit));
  const looDistances = embedded.map((take, index) => {
    const others = units.filter((_, other) => other !== index);
    return bestDistance(take, others, queryLength(others));
  });
  const worst = Math.max(...looDistances);
  if (!Number.isFinite(worst)) throw new HughError('HUGH_ERR_CONFIG_INVALID', 'enroll: the takes could not be aligned (each needs a clear take of the phrase)');
  // A floor, for takes that are nearly one recording: a new take is never that close.
  const threshold = Math.min(1.99, Math.max(MIN_THRESHOLD, worst * MARGIN));
  return encodeTemplate({
    keyword: input.keyword,
    phrase: input.phrase,
    takes: templates,
    threshold,
    sharpness: SHARPNESS,
    report: { takes: embedded.map((take) => take.name), looDistances: looDistances.map((d) => Number(d.toFixed(4))), margin: MARGIN },
  });
}
