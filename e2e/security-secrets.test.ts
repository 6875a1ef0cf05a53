import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialStore } from '@hugh/hub';
import { HubProcess } from '../testing/hub-process.js';
import { Mosquitto } from '../testing/mosquitto.js';
import { freePort, waitFor } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';
import { sharedPath } from '../testing/shared.js';

/** The real `hugh-hub` at debug level, given every kind of secret, then read as an attacker with log access or none would. */
const HUB_BIN = fileURLToPath(new URL('../hub/bin/hugh-hub.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hugh-secrets-'));
const stateDir = join(dir, 'state');
const SECRETS = {
  brokerPassword: 'BrokerPw-in-the-url-7731',
  mqttPassword: 'MqttPw-from-env-5190',
  llmKey: 'sk-llm-key-config-2288',
  llmUrlPassword: 'LlmUrlPw-4417',
  convexSecret: 'convex-shared-secret-0000-1111',
  homeAssistantToken: 'eyJhbGciOiJIUzI1NiJ9.ha-long-lived-token-3391',
};
let mosquitto: Mosquitto;
let hub: HubProcess;
let httpPort: number;
const passwords: Record<string, string> = {};

beforeAll(async () => {
  mosquitto = new Mosquitto(await freePort());
  await mosquitto.start();
  mkdirSync(stateDir, { recursive: true, mode: 0o755 }); // as an older install left it
  const store = CredentialStore.load(join(stateDir, 'credentials.json'));
  passwords.kitchen = await store.issue('satellite', 'kitchen');
  passwords.dashboard = await store.issue('integration', 'dashboard');
  httpPort = await freePort();
  const config = join(dir, 'hub.yaml');
  writeFileSync(
    config,
    [
      'llm:',
      `  apiKey: ${SECRETS.llmKey}`,
      '  api: openai',
      `  url: http://user:${SECRETS.llmUrlPassword}@127.0.0.1:9`,
      '  firstTokenTimeoutMs: 500',
      'convex:',
      '  url: http://127.0.0.1:9',
      `  secret: ${SECRETS.convexSecret}`,
      '  submitTimeoutMs: 200',
      'homeAssistant:',
      '  url: http://127.0.0.1:9',
      '  timeoutMs: 500',
    ].join('\n'),
    { mode: 0o600 },
  );
  hub = new HubProcess(['--config', config, '--broker', `mqtt://hub:${SECRETS.brokerPassword}@127.0.0.1:${mosquitto.port}`, '--http-port', String(httpPort), '--host', '127.0.0.1'], {
    HUGH_STATE_DIR: stateDir,
    HUGH_MQTT_USERNAME: 'hub',
    HUGH_MQTT_PASSWORD: SECRETS.mqttPassword,
    HUGH_HA_TOKEN: SECRETS.homeAssistantToken,
    HUGH_VAD_MODEL: sharedPath('models/silero-vad/silero_vad_v5.onnx'),
    HUGH_LOG_LEVEL: 'debug',
  });
  await hub.start();
});
afterAll(async () => {
  await hub.kill();
  await mosquitto.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('secrets stay out of the logs', () => {
  it('no secret the hub was given appears in its debug log, through a start, a satellite, a typed question that fails over Home Assistant, Convex and the LLM', async () => {
    const kitchen = await connectSatellite('kitchen', mosquitto.url, { password: passwords.kitchen! });
    try {
      const answer = await fetch(`http://127.0.0.1:${httpPort}/api/ask`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`dashboard:${passwords.dashboard}`).toString('base64')}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'tell me a story' }),
      });
      expect(answer.status).toBe(200);
      await waitFor(() => hub.lines.some((line) => line.msg === 'language model failed'), 'the LLM failure to be logged');
      expect(hub.lines.some((line) => line.kind === 'homeAssistant' && line.msg === 'engine call failed; trying the next')).toBe(true);
    } finally {
      await kitchen.stop();
    }
    const text = hub.lines.map((line) => JSON.stringify(line)).join('\n') + hub.stderr;
    expect(text).toContain('connected to external MQTT broker');
    for (const [name, secret] of Object.entries(SECRETS)) expect(text, name).not.toContain(secret);
    for (const [name, password] of Object.entries(passwords)) expect(text, name).not.toContain(password);
  });
});

describe('presence is private', () => {
  it('/healthz without a login says only how the hub is; the detailed view and /metrics need a login', async () => {
    const kitchen = await connectSatellite('kitchen', mosquitto.url, { password: passwords.kitchen! });
    try {
      const open = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
      expect(open.status).toBe(200);
      const body = (await open.json()) as Record<string, unknown>;
      expect(Object.keys(body)).toEqual(['status']);
      expect(['up', 'degraded', 'down']).toContain(body.status);
      expect((await fetch(`http://127.0.0.1:${httpPort}/metrics`)).status).toBe(401);
      const authorization = `Basic ${Buffer.from(`dashboard:${passwords.dashboard}`).toString('base64')}`;
      const detailed = (await (await fetch(`http://127.0.0.1:${httpPort}/healthz`, { headers: { authorization } })).json()) as { satellites: { id: string }[] };
      expect(detailed.satellites.map((satellite) => satellite.id)).toContain('kitchen');
      const metrics = await fetch(`http://127.0.0.1:${httpPort}/metrics`, { headers: { authorization } });
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('hugh_satellites_connected');
    } finally {
      await kitchen.stop();
    }
  });
});

describe('files', () => {
  it('the state dir is made 0700; `hugh-hub certs` leaves no request, extension or serial file and no world-readable key', async () => {
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    const tls = join(dir, 'tls');
    await promisify(execFile)(process.execPath, [HUB_BIN, 'certs', '--tls-dir', tls, 'hub.lan']);
    await promisify(execFile)(process.execPath, [HUB_BIN, 'certs', '--tls-dir', tls, 'satellite', 'kitchen']);
    const files = readdirSync(tls).sort();
    expect(files).toEqual(['ca.crt', 'ca.key', 'hub.crt', 'hub.key', 'satellite-kitchen.crt', 'satellite-kitchen.key']);
    expect(statSync(tls).mode & 0o777).toBe(0o700);
    for (const file of files.filter((name) => name.endsWith('.key'))) expect(statSync(join(tls, file)).mode & 0o077, file).toBe(0);
  });
});
