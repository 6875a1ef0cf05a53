import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialStore } from '@hugh/hub';
import { HubProcess } from '../../testing/hub-process.js';
import { GPU_LATENCIES, startModelledEngines } from '../../testing/modelled-engines.js';
import { freePort } from '../../testing/net.js';
import type { LoadSatellite } from './load-protocol.js';

/** What every satellite says (the words of welcome-3s.wav do not matter: STT is modelled); no local intent answers it, so the LLM and TTS run on every turn. */
export const QUESTION = 'tell me a short story about a lighthouse';

/** Engine time-outs of the soak's hub: short, so that a fault's fallback answers within seconds. */
export const ENGINE_TIMEOUT_MS = 2_000;

type Engines = Awaited<ReturnType<typeof startModelledEngines>>;

/** One modelled engine server at a fixed port: `kill` closes it (connections refused), `revive` brings it back there. */
export class EngineServer {
  private server: Engines | undefined;
  private constructor(readonly port: number) {}

  static async start(): Promise<EngineServer> {
    const engine = new EngineServer(await freePort());
    await engine.revive();
    return engine;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get engines(): Engines {
    return this.server!;
  }

  async kill(): Promise<void> {
    await this.server?.close();
    this.server = undefined;
  }

  async revive(): Promise<void> {
    this.server = await startModelledEngines(GPU_LATENCIES, { port: this.port });
    this.server.setScript({ segments: [{ text: QUESTION, endS: 0 }] });
  }
}

/**
 * The house the soak runs in: the engines (whisper.cpp, Ollama, OpenAI TTS modelled over their
 * wire formats at GPU-like latencies; a second whisper.cpp as the STT fallback, espeak-ng as the
 * TTS fallback), a state dir with every satellite's credentials and a timer, and hub configs.
 */
export class House {
  readonly dir = mkdtempSync(join(tmpdir(), 'hugh-soak-'));
  readonly stateDir = join(this.dir, 'state');
  readonly satellites: LoadSatellite[] = [];
  stalled: LoadSatellite | undefined;
  private constructor(
    readonly stt: EngineServer,
    readonly sttFallback: EngineServer,
    readonly llm: EngineServer,
    readonly tts: EngineServer,
    readonly mqttPort: number,
    readonly httpPort: number,
    private readonly vadModel: string,
  ) {}

  static async create(satelliteCount: number, sharedDir: string): Promise<House> {
    const house = new House(await EngineServer.start(), await EngineServer.start(), await EngineServer.start(), await EngineServer.start(), await freePort(), await freePort(), `${sharedDir}/models/silero-vad/silero_vad_v5.onnx`);
    const store = CredentialStore.load(house.credentialsFile);
    for (let i = 0; i < satelliteCount; i++) house.satellites.push({ id: `soak-${i}`, password: await store.issue('satellite', `soak-${i}`) });
    house.stalled = { id: 'soak-stalled', password: await store.issue('satellite', 'soak-stalled') };
    // A timer set before the first start, due long after the run: it must survive every restart.
    writeFileSync(house.timersFile, JSON.stringify([{ satelliteId: 'soak-0', durationMs: 86_400_000, endsAtMs: Date.now() + 86_400_000 }]));
    return house;
  }

  get credentialsFile(): string {
    return join(this.stateDir, 'credentials.json');
  }

  get timersFile(): string {
    return join(this.stateDir, 'timers.json');
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** A digest of the state the hub must keep across restarts: credentials and timers. */
  stateDigest(): string {
    return createHash('sha256').update(readFileSync(this.credentialsFile)).update(readFileSync(this.timersFile)).digest('hex');
  }

  /** The hub's config for this house; `brokerUrl`: an external broker instead of the embedded one. */
  hubConfig(brokerUrl?: string) {
    return {
      mqtt: brokerUrl ? { brokerUrl } : { host: '127.0.0.1', port: this.mqttPort },
      http: { host: '127.0.0.1', port: this.httpPort, trustedAddresses: ['127.0.0.1'] },
      state: { dir: this.stateDir },
      vad: { modelPath: this.vadModel },
      stt: { engines: [{ type: 'whisper-cpp', url: this.stt.url, timeoutMs: ENGINE_TIMEOUT_MS }, { type: 'whisper-cpp', url: this.sttFallback.url, timeoutMs: ENGINE_TIMEOUT_MS }], halfOpenAfterMs: 5_000 },
      tts: { engines: [{ type: 'openai', url: this.tts.url, timeoutMs: ENGINE_TIMEOUT_MS }, { type: 'espeak-ng' }], halfOpenAfterMs: 5_000 },
      llm: { url: this.llm.url, firstTokenTimeoutMs: ENGINE_TIMEOUT_MS, stallTimeoutMs: ENGINE_TIMEOUT_MS },
      homeAssistant: { enabled: false },
      // Load from one address, faster than a family speaks: the per-satellite limits are not what is measured.
      limits: { turnsPerMinute: 600, connectionsPerAddress: 1_000 },
    };
  }

  /** The real hugh-hub binary with this house's config; `brokerUrl`: an external broker instead of the embedded one. */
  hub(brokerUrl?: string): HubProcess {
    const file = join(this.dir, brokerUrl ? 'hub-external.json' : 'hub.json');
    writeFileSync(file, JSON.stringify(this.hubConfig(brokerUrl)));
    // info, not debug: a 30-minute run would keep every frame's debug line in this process.
    return new HubProcess(['--config', file], { HUGH_LOG_LEVEL: 'info' });
  }

  async close(): Promise<void> {
    for (const engine of [this.stt, this.sttFallback, this.llm, this.tts]) await engine.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
