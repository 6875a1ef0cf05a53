import { join } from 'node:path';
import { writeFileAtomic, type Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import { EnrolledKeyword, FeatureModels, enrollTemplate, phraseOf, readWavAs16kMono, type Take } from '@hugh/wakeword';
import { createInput } from './audio/input.js';
import type { SatelliteConfig } from './config.js';
import { recordTakes } from './record-takes.js';

/**
 * `hugh-satellite enroll --keyword hey_hugh --input a.wav b.wav c.wav` (or `--record 3`): builds
 * the speaker's template and saves it as `<keyword>.enrolled.json` in the models folder, where
 * `--keywords hey_hugh` finds it. The takes themselves are not kept.
 */
export async function enroll(config: SatelliteConfig, files: string[], logger: Logger, out: (line: string) => void): Promise<string> {
  const keyword = config.enroll.keyword;
  if (!keyword) throw new HughError('HUGH_ERR_CONFIG_INVALID', 'enroll needs --keyword NAME (e.g. hey_hugh)');
  const phrase = phraseOf(keyword);
  let takes: Take[];
  if (config.enroll.record !== undefined) {
    const input = createInput(undefined, { logger, ...(config.audio.device ? { device: config.audio.device } : {}), ...(config.audio.recorder ? { recorder: config.audio.recorder } : {}) });
    const recorded = await recordTakes(input, config.enroll.record, { prompt: (take) => out(`take ${take} of ${config.enroll.record}: say "${phrase}"`) });
    takes = recorded.map((samples, index) => ({ name: `take ${index + 1}`, samples }));
  } else {
    if (files.length === 0) throw new HughError('HUGH_ERR_CONFIG_INVALID', 'enroll needs --input TAKE.wav… (three takes of the phrase) or --record 3');
    takes = files.map((file) => ({ name: file, samples: readWavAs16kMono(file) }));
  }
  const models = await FeatureModels.load(config.wake.modelsDir);
  try {
    const template = await enrollTemplate(models, { keyword, phrase, takes });
    const path = join(config.wake.modelsDir, `${keyword}.enrolled.json`);
    // Whole or not at all: a satellite starting meanwhile, or a power cut, never leaves half a file (temp, fsync, rename, fsync dir).
    writeFileAtomic(path, `${JSON.stringify(template)}\n`, 0o644);
    const enrolled = await EnrolledKeyword.load(path);
    out(`enrolled ${keyword} ("${phrase}") from ${takes.length} takes: ${path}`);
    out(`  distance threshold ${enrolled.threshold.toFixed(4)} (leave-one-out distances ${(template.report.looDistances as number[]).join(', ')})`);
    out(`  use it with --keywords ${keyword} (with a trained ${keyword} model, either wakes it)`);
    return path;
  } finally {
    await models.close();
  }
}
