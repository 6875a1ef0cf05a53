import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, startHub, type Hub, type TurnRecord } from '@hugh/hub';
import { FeatureModels, enrollTemplate, readWavAs16kMono } from '@hugh/wakeword';
import { startFileSatellite } from '../testing/file-satellite.js';
import { scratchModelsDir } from '../testing/models-dir.js';
import { waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { synthesize, type Voice } from '../testing/speech.js';

const SPEAKER: Voice = { tool: 'flite', voice: 'slt' };

/**
 * A whole spoken turn on a new keyword: the speaker enrols "hey hugh" with three takes, then says
 * "hey hugh, what time is it" into a satellite listening for hey_hugh only; the local pipeline
 * (Silero VAD, pocketsphinx, local intents or the apology, espeak-ng) answers.
 */
describe('a spoken turn with an enrolled "hey hugh"', () => {
  let hub: Hub | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await hub?.close();
  });

  it('wakes on hey_hugh, streams the command, and plays a spoken reply', async () => {
    const dir = scratchModelsDir();
    const models = await FeatureModels.load(dir);
    const takes = [0.95, 1.05, 1].map((rate, index) => ({ name: `take ${index + 1}`, samples: readWavAs16kMono(synthesize('hey hugh', SPEAKER, { rate, padS: 0.6 })) }));
    writeFileSync(`${dir}/hey_hugh.enrolled.json`, JSON.stringify(await enrollTemplate(models, { keyword: 'hey_hugh', phrase: 'hey hugh', takes })));
    await models.close();

    const records: TurnRecord[] = [];
    const config = HubConfigSchema.parse({
      auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      llm: { url: 'http://127.0.0.1:9', firstTokenTimeoutMs: 1000 },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    hub.events.on('turn', (record) => records.push(record));
    const { sink, stop } = await startFileSatellite({
      hubUrl: `ws://127.0.0.1:${hub.httpPort}`,
      id: 'kitchen',
      modelsDir: dir,
      keywords: [{ model: 'hey_hugh' }],
      clip: synthesize('hey hugh, what time is it', SPEAKER, { rate: 0.98, padS: 1 }),
    });
    stops.push(stop);

    await waitFor(() => sink.files.length === 1 && records.length === 1, 'the spoken reply', 25_000);
    const [record] = records;
    expect(record).toMatchObject({ keyword: 'hey_hugh', sttEngine: 'pocketsphinx', ttsEngine: 'espeak-ng' });
    expect(['answered', 'failed']).toContain(record!.outcome);
    // pocketsphinx is the recogniser here: it is trusted with "time", not with every word.
    expect(record!.transcript).toMatch(/time/);
    expect(record!.transcript).not.toMatch(/^(hey )?hugh\b/);
    expect(record!.replyText ?? '').not.toBe('');
  }, 45_000);
});
