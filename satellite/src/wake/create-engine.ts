import type { Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import { FallbackEngine } from './fallback-engine.js';
import { OpenWakeWordEngine, type OpenWakeWordKeyword } from './openwakeword.js';
import type { PorcupineSettings } from './porcupine.js';
import type { WakeWordEngine } from './wake-word-engine.js';

export interface WakeSettings {
  modelsDir: string;
  keywords: OpenWakeWordKeyword[];
  porcupine?: Partial<PorcupineSettings> & { keywords: string[]; sensitivity: number };
}

/**
 * openWakeWord by default; Porcupine when an AccessKey is configured and it starts, with
 * openWakeWord behind it. A Porcupine that cannot start is reported plainly, never fatal.
 */
export async function createWakeEngine(settings: WakeSettings, logger: Logger): Promise<WakeWordEngine> {
  const openWakeWord = await OpenWakeWordEngine.load(settings.modelsDir, settings.keywords);
  logger.info({ models: openWakeWord.descriptions }, 'wake words');
  const accessKey = settings.porcupine?.accessKey;
  if (!accessKey) return openWakeWord;
  try {
    // Loaded only when configured: most satellites never use it.
    const { PorcupineEngine } = await import('./porcupine.js');
    const porcupine = PorcupineEngine.create({ accessKey, keywords: settings.porcupine!.keywords, sensitivity: settings.porcupine!.sensitivity });
    logger.info({ keywords: porcupine.keywords }, 'wake word engine: Porcupine (openWakeWord as fallback)');
    return new FallbackEngine(porcupine, openWakeWord, logger);
  } catch (error) {
    if (error instanceof HughError && error.code === 'HUGH_ERR_CONFIG_INVALID') throw error;
    logger.error(`${(error as Error).message} — continuing with openWakeWord (${openWakeWord.keywords.join(', ')})`);
    return openWakeWord;
  }
}
