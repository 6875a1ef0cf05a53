import { z } from 'zod';
import { endAlignedDtw, unit } from './dtw.js';
import { EMBEDDING_SIZE } from './geometry.js';
import { sigmoid, type KeywordScorer } from './keyword-scorer.js';
import { FEATURES, FeaturesSchema, KeywordNameSchema, decodeFloats, encodeFloats, readModelFile } from './model-file.js';

export const TEMPLATE_FORMAT = 'hugh-wakeword-template';
/** Takes and their length: a wake phrase is a second or two. */
export const MAX_TAKES = 10;
export const MAX_TAKE_STEPS = 40;
/** The query is this much longer than the longest take, so slower speech still fits. */
const QUERY_STRETCH = 1.6;

/**
 * An enrolled wake word (`hugh-satellite enroll`), `<keyword>.enrolled.json`: each take's
 * embedding sequence while the phrase is said, and the DTW distance under which a match counts.
 */
export const TemplateFileSchema = z.strictObject({
  format: z.literal(TEMPLATE_FORMAT),
  version: z.literal(1),
  keyword: KeywordNameSchema,
  phrase: z.string().min(1).max(100),
  features: FeaturesSchema,
  /** Per take: `steps × 96` float32 embeddings, little-endian, base64. */
  takes: z.array(z.strictObject({ steps: z.int().min(2).max(MAX_TAKE_STEPS), embeddings: z.base64() })).min(1).max(MAX_TAKES),
  /** Mean cosine distance along the best alignment at which a match counts (scores 0.5). */
  threshold: z.number().gt(0).lt(2),
  /** Score steepness: a distance `d` scores `sigmoid(sharpness · (1 - d / threshold))`. */
  sharpness: z.number().gt(0).max(100),
  /** What enrolment measured on the takes. */
  report: z.record(z.string(), z.unknown()).default({}),
});

export type TemplateFile = z.infer<typeof TemplateFileSchema>;

export function decodeTakes(file: TemplateFile): Float32Array[][] {
  return file.takes.map((take, index) => {
    const flat = decodeFloats(take.embeddings, take.steps * EMBEDDING_SIZE, `takes.${index}.embeddings`);
    return Array.from({ length: take.steps }, (_, step) => flat.slice(step * EMBEDDING_SIZE, (step + 1) * EMBEDDING_SIZE));
  });
}

export function encodeTemplate(input: { keyword: string; phrase: string; takes: Float32Array[][]; threshold: number; sharpness: number; report: Record<string, unknown> }): TemplateFile {
  return {
    format: TEMPLATE_FORMAT,
    version: 1,
    keyword: input.keyword,
    phrase: input.phrase,
    features: FEATURES,
    takes: input.takes.map((take) => {
      const flat = new Float32Array(take.length * EMBEDDING_SIZE);
      take.forEach((embedding, index) => flat.set(embedding, index * EMBEDDING_SIZE));
      return { steps: take.length, embeddings: encodeFloats(flat) };
    }),
    threshold: input.threshold,
    sharpness: input.sharpness,
    report: input.report,
  };
}

/** The smallest DTW distance of the newest embeddings to any take. */
export function templateDistance(takes: readonly (readonly Float32Array[])[], recent: readonly Float32Array[]): number {
  const query = recent.map(unit);
  return Math.min(...takes.map((take) => endAlignedDtw(take, query)));
}

/** Embeddings a template over these takes needs to look at. */
export function queryLength(takes: readonly (readonly Float32Array[])[]): number {
  return Math.ceil(Math.max(...takes.map((take) => take.length)) * QUERY_STRETCH);
}

/** An enrolled template as a keyword: the distance at its threshold scores 0.5, closer scores higher. */
export class EnrolledKeyword implements KeywordScorer {
  readonly steps: number;
  readonly keyword: string;
  readonly phrase: string;
  private readonly takes: Float32Array[][];

  constructor(
    takes: Float32Array[][],
    readonly threshold: number,
    readonly sharpness: number,
    meta: { keyword: string; phrase: string },
    readonly description: string,
  ) {
    this.takes = takes.map((take) => take.map(unit));
    this.steps = queryLength(takes);
    this.keyword = meta.keyword;
    this.phrase = meta.phrase;
  }

  static async load(path: string): Promise<EnrolledKeyword> {
    return readModelFile(path, (value) => EnrolledKeyword.parse(value, path));
  }

  /** From a parsed template file; throws what is wrong with it. */
  static parse(value: unknown, path: string): EnrolledKeyword {
    const file = TemplateFileSchema.parse(value);
    return new EnrolledKeyword(decodeTakes(file), file.threshold, file.sharpness, file, path);
  }

  distance(recent: readonly Float32Array[]): number {
    return templateDistance(this.takes, recent);
  }

  async score(recent: readonly Float32Array[]): Promise<number> {
    return sigmoid(this.sharpness * (1 - this.distance(recent) / this.threshold));
  }

  async close(): Promise<void> {}
}
