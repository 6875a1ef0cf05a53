import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { silentLogger, type LoadedConfig } from '@hugh/common';
import { CredentialStore, HubConfigSchema, hubDoctor, startHub, type Hub, type HubConfig } from '@hugh/hub';
import { pcmBytes, readWavAs16kMono } from '@hugh/satellite';
import { fakeSoundCard } from '../testing/alsa.js';
import { ConvexTestBackend, TEST_CONVEX_SECRET } from '../testing/convex-backend.js';
import { fakeHomeAssistant } from '../testing/home-assistant-server.js';
import { fakeHttpServer, json } from '../testing/http-server.js';
import { freePort } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';
import { fakeWyomingServer, writeEvent } from '../testing/wyoming-server.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const HUB = `${root}hub/bin/hugh-hub.js`;
const SATELLITE = `${root}satellite/bin/hugh-satellite.js`;

interface Doctor {
  code: number;
  lines: string[];
}

/** Runs `doctor` of a real binary; resolves with its exit code and lines whether it passed or not. */
async function doctor(bin: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Doctor> {
  const result = await promisify(execFile)(process.execPath, [bin, 'doctor', ...args], { env: { ...process.env, HUGH_LOG_LEVEL: 'warn', ...env }, timeout: 20_000 }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  return { code: result.code, lines: result.stdout.trim().split('\n') };
}

const line = (result: Doctor, name: string) => result.lines.find((text) => text.slice(2).startsWith(`${name}:`));

describe('doctor', () => {
  const work = mkdtempSync(join(tmpdir(), 'hugh-doctor-'));
  const credentialsFile = join(work, 'credentials.json');
  const servers: { close(): Promise<void> }[] = [];
  let hub: Hub;
  let password: string;
  let hubArgs: string[];
  let engines: { whisper: string; wyoming: string; openai: string; ollama: string };

  beforeAll(async () => {
    password = await CredentialStore.load(credentialsFile).issue('satellite', 'kitchen');
    const health = await fakeHttpServer((request, response) => (request.path === '/health' ? json(response, 200, { status: 'ok' }) : json(response, 404, {})));
    const openai = await fakeHttpServer((request, response) => (request.path === '/v1/models' ? json(response, 200, { data: [{ id: 'tts-1' }] }) : json(response, 404, {})));
    const ollama = await fakeHttpServer((request, response) => (request.path === '/api/tags' ? json(response, 200, { models: [] }) : json(response, 404, {})));
    const wyoming = await fakeWyomingServer((event, socket) => {
      if (event.type === 'describe') writeEvent(socket, 'info', { asr: [{ name: 'faster-whisper', installed: true }] });
    });
    servers.push(health, openai, ollama, wyoming);
    engines = { whisper: health.url, wyoming: wyoming.url, openai: openai.url, ollama: ollama.url };
    const config = HubConfigSchema.parse({
      mqtt: { host: '127.0.0.1', port: await freePort() },
      http: { host: '127.0.0.1', port: await freePort() },
      auth: { credentialsFile },
      state: { dir: join(work, 'state') },
    });
    hub = await startHub(config, { logger: silentLogger() });
    // The running hub's config, as its unit would give it: every engine kind, each answering.
    writeFileSync(join(work, 'speaker.json'), JSON.stringify({ text: 'hi', words: [{ word: 'hi', duration: 0.2, codes: [1, 2] }] }));
    writeFileSync(
      join(work, 'hub.json'),
      JSON.stringify({
        mqtt: config.mqtt,
        http: config.http,
        auth: { credentialsFile },
        state: { dir: join(work, 'state') },
        vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
        stt: { engines: [{ type: 'whisper-cpp', url: engines.whisper }, { type: 'wyoming', url: engines.wyoming }, { type: 'pocketsphinx' }] },
        tts: { engines: [{ type: 'outetts', completionUrl: engines.whisper, vocoderUrl: engines.whisper, speakerFile: join(work, 'speaker.json') }, { type: 'openai', url: engines.openai }, { type: 'espeak-ng' }] },
        llm: { url: engines.ollama },
      }),
    );
    hubArgs = ['--config', join(work, 'hub.json')];
  });

  afterAll(async () => {
    await hub.close();
    for (const server of servers) await server.close();
  });

  /** A satellite beside it: a microphone replaying speech, ALSA's default device a file. */
  function satelliteSetup() {
    const card = fakeSoundCard();
    writeFileSync(card.micFile, pcmBytes(readWavAs16kMono(synthesize('hey jarvis, what time is it, and what is the weather like today', VOICES[0]!, { padS: 0, trim: true }))));
    const args = ['--id', 'kitchen', '--hub', `mqtt://127.0.0.1:${hub.mqttPort}`, '--device', 'filemic', '--models-dir', sharedPath('models/openwakeword')];
    return { args, env: { HOME: card.home, HUGH_SATELLITE_PASSWORD: password } };
  }

  it('all ✔ on a working hub and satellite pair, one line per check, exit 0', async () => {
    const hubResult = await doctor(HUB, hubArgs);
    expect(hubResult.lines.filter((text) => !text.startsWith('✔ ')), hubResult.lines.join('\n')).toEqual([]);
    expect(hubResult.code).toBe(0);
    expect(hubResult.lines.map((text) => text.slice(2, text.indexOf(': ')))).toEqual([
      'config',
      'models',
      'state.dir',
      'logins',
      'ports',
      `stt whisper-cpp ${engines.whisper}`,
      `stt wyoming ${engines.wyoming}`,
      'stt pocketsphinx',
      `tts outetts ${engines.whisper} + ${engines.whisper}`,
      `tts openai ${engines.openai}`,
      'tts espeak-ng',
      `llm ollama ${engines.ollama}`,
      'convex',
      'broker',
    ]);
    expect(line(hubResult, 'ports')).toMatch(/in use by the hub already running here/);
    expect(line(hubResult, 'logins')).toMatch(/on, 1 satellite\(s\)/);

    const { args, env } = satelliteSetup();
    const satelliteResult = await doctor(SATELLITE, args, env);
    expect(satelliteResult.lines.filter((text) => !text.startsWith('✔ ')), satelliteResult.lines.join('\n')).toEqual([]);
    expect(satelliteResult.code).toBe(0);
    expect(satelliteResult.lines.map((text) => text.slice(2, text.indexOf(': ')))).toEqual(['config', 'models', 'wake word', 'capture', 'playback', 'hub reachable', 'TLS trust', 'login']);
    expect(line(satelliteResult, 'capture')).toMatch(/arecord -D filemic: 0\.5 s recorded, level -\d+\.\d dBFS/);
    expect(line(satelliteResult, 'login')).toBe("✔ login: kitchen's login accepted; the hub is online");
  });

  it('✘ a missing model: names the file and the fetch command, exit 1', async () => {
    const models = join(work, 'models/openwakeword');
    mkdirSync(models, { recursive: true });
    for (const file of readdirSync(sharedPath('models/openwakeword')).filter((name) => name !== 'hey_jarvis_v0.1.onnx')) copyFileSync(sharedPath(`models/openwakeword/${file}`), join(models, file));
    const { args, env } = satelliteSetup();
    const result = await doctor(SATELLITE, [...args, '--models-dir', models], env);
    expect(result.code).toBe(1);
    expect(line(result, 'models')).toBe(`✘ models: ${models}/hey_jarvis_v0.1.onnx is missing → delete the wrong files, then run node ${root}scripts/fetch-models.mjs --dir ${join(work, 'models')} (as root when installed)`);
    expect(line(result, 'wake word')).toMatch(/^✘ wake word: wake word model .*hey_jarvis_v0\.1\.onnx is missing or unreadable/);
  });

  it('✘ a wrong password: the login is refused, over MQTT and over WebSocket', async () => {
    const { args, env } = satelliteSetup();
    const mqttResult = await doctor(SATELLITE, args, { ...env, HUGH_SATELLITE_PASSWORD: 'not-the-password' });
    expect(mqttResult.code).toBe(1);
    expect(line(mqttResult, 'hub reachable')).toMatch(/^✔ /);
    expect(line(mqttResult, 'login')).toMatch(/^✘ login: the hub refused the login of kitchen: .* → run `hugh-hub satellite add <id>` \(or rotate\) on the hub/);
    const wsResult = await doctor(SATELLITE, [...args, '--hub', `ws://127.0.0.1:${hub.httpPort}`], { ...env, HUGH_SATELLITE_PASSWORD: 'not-the-password' });
    expect(line(wsResult, 'login')).toMatch(/^✘ login: the hub refused the login of kitchen \(HTTP 401\) → /);
  });

  it('✘ a dead engine URL: names the engine, what failed and what to start', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const result = await doctor(HUB, [...hubArgs, '--llm-url', dead]);
    expect(result.code).toBe(1);
    expect(line(result, `llm ollama ${dead}`)).toBe(`✘ llm ollama ${dead}: GET ${dead}/api/tags: ECONNREFUSED → start Ollama (ollama serve) or set llm.url (--llm-url); without it only local intents are answered`);
    expect(result.lines.filter((text) => text.startsWith('✘ '))).toHaveLength(1);
  });

  it('✘ no capture device: arecord cannot open it, and the fix lists what arecord -l sees', async () => {
    const { args, env } = satelliteSetup();
    const result = await doctor(SATELLITE, [...args, '--device', 'nosuchmic'], env);
    expect(result.code).toBe(1);
    expect(line(result, 'capture')).toMatch(/^✘ capture: arecord -D nosuchmic: arecord: .*audio open error.* → plug in a microphone and set audio\.device \(HUGH_AUDIO_DEVICE\), e\.g\. plughw:1,0; arecord -l lists /);
  });

  it('✘ a bad config value: one line naming the field, exit 1', async () => {
    const result = await doctor(SATELLITE, ['--hub', 'http://nowhere'], {});
    expect(result).toEqual({ code: 1, lines: [expect.stringMatching(/^✘ config: HUGH_ERR_CONFIG_INVALID: invalid configuration: hub\.0 \(from flag --hub\): .* → correct the field named above/)] });
  });

  it('Home Assistant: ✔ with its token, ✘ naming the fix with another', async () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.doctor-token-0123';
    const homeAssistant = await fakeHomeAssistant({ token, agent: () => ({ fail: 'hang' }) });
    servers.push(homeAssistant);
    const good = await doctor(HUB, hubArgs, { HUGH_HA_URL: homeAssistant.url, HUGH_HA_TOKEN: token });
    expect(line(good, `home assistant ${homeAssistant.url}`)).toBe(`✔ home assistant ${homeAssistant.url}: GET ${homeAssistant.url}/api/ answered 200`);
    const bad = await doctor(HUB, hubArgs, { HUGH_HA_URL: homeAssistant.url, HUGH_HA_TOKEN: 'not-the-token-but-long-enough' });
    expect(line(bad, `home assistant ${homeAssistant.url}`)).toMatch(/^✘ home assistant .*: GET .*\/api\/ answered 401 → check homeAssistant\.url \(HUGH_HA_URL\) and homeAssistant\.token/);
    expect(bad.lines.join('\n')).not.toContain('not-the-token-but-long-enough');
  });

  it('Convex: ✔ with the deployment\'s secret, ✘ naming the refusal with another', async () => {
    vi.stubEnv('HUGH_CONVEX_SECRET', TEST_CONVEX_SECRET);
    const backend = new ConvexTestBackend();
    const run = async (secret: string) => {
      const lines: string[] = [];
      const config = HubConfigSchema.parse({ ...JSON.parse(readFileSync(join(work, 'hub.json'), 'utf8')), convex: { url: 'https://example.convex.cloud', secret } });
      await hubDoctor({ config, warnings: [], positionals: [], help: false } satisfies LoadedConfig<HubConfig>, { write: (text) => lines.push(text), convex: backend.port() });
      return lines.find((text) => text.slice(2).startsWith('convex:'));
    };
    expect(await run(TEST_CONVEX_SECRET)).toBe('✔ convex: https://example.convex.cloud answers, secret accepted');
    expect(await run('a-wrong-secret-of-some-length')).toMatch(/^✘ convex: https:\/\/example\.convex\.cloud refused the secret: wrong service secret → set HUGH_CONVEX_SECRET/);
    vi.unstubAllEnvs();
  });
});
