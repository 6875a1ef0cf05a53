import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { OllamaChat } from '@hugh/common/clients';
import { DebugRecorder, HubConfigSchema, createPipeline, startHub, type Hub, type TurnRecord } from '@hugh/hub';
import { ConvexTestBackend, startTestWorker, TEST_CONVEX_SECRET as secret } from '../testing/convex-backend.js';
import { startFileSatellite } from '../testing/file-satellite.js';
import { fakeHttpServer } from '../testing/http-server.js';
import { waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** Audio in any form we could have leaked it: WAV headers, long runs of numbers, long base64 runs. */
function looksLikeAudio(text: string): boolean {
  return /RIFF|WAVE|fmt |"(audio|pcm|samples|payload)"/.test(text) || /(-?\d{1,5},){200,}/.test(text) || /[A-Za-z0-9+/]{400,}/.test(text);
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
beforeEach(() => {
  vi.stubEnv('HUGH_CONVEX_SECRET', secret);
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  vi.unstubAllEnvs();
});

describe('audio stays home', () => {
  it('over several turns, nothing handed to Convex and nothing written to disk holds audio', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'hugh-privacy-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const convex = new ConvexTestBackend();
    cleanups.push(() => convex.close());
    const llm = await fakeHttpServer((_request, res) => {
      res.writeHead(200);
      res.end(`${JSON.stringify({ message: { role: 'assistant', content: 'Because air scatters blue light.' }, done: false })}\n${JSON.stringify({ done: true })}\n`);
    });
    cleanups.push(() => llm.close());
    const worker = startTestWorker(convex.port(), 'w', { 'llama3.3:70b': new OllamaChat(llm.url, 'llama3.3:70b'), 'llama3.1:8b': new OllamaChat(llm.url, 'llama3.1:8b') });
    cleanups.push(() => worker.stop(0));

    const config = HubConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      auth: { allowAnonymous: true },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      state: { dir: stateDir },
      convex: { secret },
    });
    const logger = silentLogger();
    const records: TurnRecord[] = [];
    const hub: Hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context, { convex: convex.port() }) });
    hub.events.on('turn', (record) => records.push(record));
    cleanups.push(() => hub.close());

    const questions = ['hey jarvis, what time is it', 'hey jarvis, why is the sky blue', 'hey jarvis, what day is it'];
    for (const [index, question] of questions.entries()) {
      const satellite = await startFileSatellite({ hubUrl: `mqtt://127.0.0.1:${hub.mqttPort}`, id: 'kitchen', clip: synthesize(question, VOICES[index % 2]!, { padS: 1 }) });
      await waitFor(() => records.length === index + 1 && satellite.sink.files.length === 1, `turn ${index + 1}`, 30_000);
      await satellite.stop();
    }
    expect(records.map((record) => record.outcome)).toEqual(['answered', 'answered', 'answered']);
    await waitFor(async () => (await convex.t.run((ctx) => ctx.db.query('turnRecords').collect())).length === 3, 'the turn records in Convex');

    // Everything handed to the Convex client: text and metadata, and not much of it.
    expect(convex.calls.map((call) => call.name)).toEqual(expect.arrayContaining(['records:put', 'satellites:upsert', 'turns:submit']));
    for (const call of convex.calls) {
      const text = JSON.stringify(call.args);
      expect(looksLikeAudio(text), `${call.name} ${text.slice(0, 200)}`).toBe(false);
      expect(text.length).toBeLessThan(8_192);
    }
    // Everything the hub wrote to disk: the outbox and the timers, no audio, no recordings folder.
    const written = filesUnder(stateDir);
    expect(written.length).toBeGreaterThan(0);
    for (const file of written) expect(looksLikeAudio(readFileSync(file, 'latin1')), file).toBe(false);
    expect(existsSync(join(stateDir, 'recordings'))).toBe(false);
    // /healthz shows Convex beside the engine chains.
    const health = (await (await fetch(`http://127.0.0.1:${hub.httpPort}/healthz`)).json()) as { engines: Record<string, { name: string; state: string }[]> };
    expect(health.engines.dispatch).toEqual([{ name: 'convex (injected)', state: 'closed' }]);
  });
});

describe('debug recording', () => {
  it('writes utterances only when switched on, and deletes them after the retention', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-recordings-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const old = join(dir, 'old.wav');
    writeFileSync(old, 'RIFF');
    const past = Date.now() / 1000 - 8 * 24 * 3600;
    utimesSync(old, past, past);
    const recorder = new DebugRecorder(dir, 7, silentLogger());
    cleanups.push(() => recorder.close());
    expect(existsSync(old)).toBe(false); // swept at start
    recorder.save('kitchen', 7, { sampleRateHz: 16_000, channels: 1, samples: new Int16Array(1_600) });
    const [saved] = readdirSync(dir);
    expect(saved).toMatch(/-kitchen-7\.wav$/);
    expect(statSync(join(dir, saved!)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, saved!)).subarray(0, 4).toString()).toBe('RIFF');
    expect(recorder.sweep(Date.now() + 8 * 24 * 3_600_000)).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });
});
