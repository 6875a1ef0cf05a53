import { existsSync } from 'node:fs';
import { BuiltinKeyword, Porcupine, getBuiltinKeywordPath } from '@picovoice/porcupine-node';
import { HughError } from '@hugh/protocol';
import type { KeywordScore, WakeWordEngine } from './wake-word-engine.js';

export interface PorcupineSettings {
  accessKey: string;
  /** Built-in keyword names (`jarvis`, `computer`, …) or paths to custom `.ppn` files. */
  keywords: string[];
  /** 0..1; higher misses less and false-alarms more. */
  sensitivity: number;
}

function keywordPath(keyword: string): { name: string; path: string } {
  if (keyword.endsWith('.ppn')) {
    if (!existsSync(keyword)) throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake.porcupine.keywords: ${keyword} does not exist`);
    return { name: keyword.replace(/^.*\//, '').replace(/_[a-z]+_v[\d_]+\.ppn$|\.ppn$/, ''), path: keyword };
  }
  const builtin = Object.values(BuiltinKeyword).find((value) => value === keyword.toLowerCase());
  if (!builtin) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake.porcupine.keywords: ${keyword} is neither a .ppn file nor a built-in keyword (${Object.values(BuiltinKeyword).join(', ')})`);
  }
  return { name: builtin, path: getBuiltinKeywordPath(builtin) };
}

/**
 * Picovoice Porcupine. Its AccessKey is checked online when it starts (and again every few weeks),
 * so it can fail on an offline appliance: callers fall back to openWakeWord (see FallbackEngine).
 */
export class PorcupineEngine implements WakeWordEngine {
  readonly name = 'porcupine';
  readonly frameSamples: number;
  readonly keywords: string[];
  readonly thresholds: Map<string, number>;

  private constructor(private readonly porcupine: Porcupine, keywords: string[]) {
    this.frameSamples = porcupine.frameLength;
    this.keywords = keywords;
    this.thresholds = new Map(keywords.map((keyword) => [keyword, 0.5]));
  }

  /** Throws HUGH_ERR_ENGINE_UNAVAILABLE with Porcupine's own reason when it cannot start. */
  static create(settings: PorcupineSettings): PorcupineEngine {
    const keywords = settings.keywords.map(keywordPath);
    try {
      const porcupine = new Porcupine(settings.accessKey, keywords.map((k) => k.path), keywords.map(() => settings.sensitivity));
      return new PorcupineEngine(porcupine, keywords.map((k) => k.name));
    } catch (error) {
      // Porcupine quotes the key in its message; a secret never goes to the logs.
      const reason = (error as Error).message
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .join(' ')
        .replaceAll(settings.accessKey, '[redacted]');
      throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `Porcupine could not start (${(error as Error).constructor.name}): ${reason}`);
    }
  }

  async process(frame: Int16Array): Promise<KeywordScore[]> {
    let index: number;
    try {
      index = this.porcupine.process(frame);
    } catch (error) {
      throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `Porcupine failed: ${(error as Error).message.split('\n')[0]}`, { cause: error });
    }
    return this.keywords.map((keyword, i) => ({ keyword, score: i === index ? 1 : 0 }));
  }

  reset(): void {}

  async close(): Promise<void> {
    this.porcupine.release();
  }
}
