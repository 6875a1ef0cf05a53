import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubConfigSchema, dashboardUrl, loadHubConfig } from '@hugh/hub';

describe('hub config', () => {
  it('has working defaults', () => {
    const { config } = loadHubConfig([], {});
    expect(config.mqtt.port).toBe(1883);
    expect(config.http.port).toBe(8750);
    expect(config.mqtt.brokerUrl).toBeUndefined();
  });

  it('layers file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-config-'));
    const file = join(dir, 'hub.yaml');
    writeFileSync(file, 'mqtt:\n  port: 2000\nhttp:\n  port: 3000\nturn:\n  maxUtteranceMs: 9000\n');
    const { config, configFile } = loadHubConfig(['--config', file, '--http-port', '3002'], { HUGH_MQTT_PORT: '2001', HUGH_HTTP_PORT: '3001' });
    expect(configFile).toBe(file);
    expect(config.mqtt.port).toBe(2001);
    expect(config.http.port).toBe(3002);
    expect(config.turn.maxUtteranceMs).toBe(9000);
  });

  it.each([
    [['--mqtt-port', 'abc'], {}, /mqtt\.port \(from flag --mqtt-port\): expected an integer/],
    [[], { HUGH_HTTP_PORT: '70000' }, /http\.port \(from env HUGH_HTTP_PORT\)/],
    [['--broker', 'http://x'], {}, /mqtt\.brokerUrl \(from flag --broker\)/],
    [['--bogus'], {}, /Unknown option '--bogus'/],
  ])('names the field and the source of a bad value: %j %j', (argv, env, message) => {
    expect(() => loadHubConfig(argv, env)).toThrow(message);
  });

  it('refuses unknown keys in the file, naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-config-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ mqtt: { prot: 1 } }));
    expect(() => loadHubConfig(['--config', file], {})).toThrow(/invalid configuration: mqtt.*prot/);
  });

  it('OuteTTS needs a speaker profile: an engine without speakerFile is refused, naming it; version is 0.2 or 0.3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-config-'));
    const load = (engine: Record<string, unknown>) => {
      const file = join(dir, 'hub.json');
      writeFileSync(file, JSON.stringify({ tts: { engines: [{ type: 'outetts', completionUrl: 'http://127.0.0.1:8081', vocoderUrl: 'http://127.0.0.1:8082', ...engine }] } }));
      return loadHubConfig(['--config', file], {}).config;
    };
    expect(() => load({})).toThrow(/tts\.engines\.0\.speakerFile.*an OuteTTS speaker profile is required/);
    expect(() => load({ speakerFile: '/etc/hugh/speaker.json', version: '0.4' })).toThrow(/tts\.engines\.0\.version/);
    expect(load({ speakerFile: '/etc/hugh/speaker.json' }).tts.engines[0]).toMatchObject({ speakerFile: '/etc/hugh/speaker.json', version: '0.2' });
  });

  it('takes Home Assistant from HUGH_HA_URL and HUGH_HA_TOKEN, and wants both or neither', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.test-token-for-config';
    const { config } = loadHubConfig([], { HUGH_HA_URL: 'http://homeassistant.local:8123', HUGH_HA_TOKEN: token });
    expect(config.homeAssistant).toMatchObject({ url: 'http://homeassistant.local:8123', token, timeoutMs: 1_500, deviceContext: true });
    expect(() => loadHubConfig([], { HUGH_HA_URL: 'http://homeassistant.local:8123' })).toThrow(/homeAssistant\.token .*: homeAssistant\.url and homeAssistant\.token go together/);
  });

  it.each([
    [['llm', 'local'], /dispatch\.order .*: ends with llm/],
    [['local', 'local', 'llm'], /dispatch\.order .*: each stage once/],
    [['local', 'wikipedia', 'llm'], /dispatch\.order\.1/],
  ])('refuses the dispatch order %j, naming the field', (order, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-config-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ dispatch: { order } }));
    expect(() => loadHubConfig(['--config', file], {})).toThrow(message);
  });

  it('links Home Assistant to the dashboard only at an address others can reach', () => {
    const url = (config: Record<string, unknown>) => dashboardUrl(HubConfigSchema.parse(config));
    expect(url({})).toBeUndefined(); // 0.0.0.0: every interface, none named
    expect(url({ http: { host: '127.0.0.1' } })).toBeUndefined();
    expect(url({ http: { host: '192.168.1.20', port: 8750 } })).toBe('http://192.168.1.20:8750/');
    expect(url({ http: { host: 'fd00::20' } })).toBe('http://[fd00::20]:8750/');
    expect(url({ http: { host: 'hub.lan' }, homeAssistant: { dashboardUrl: 'https://voice.example.lan/' } })).toBe('https://voice.example.lan/');
  });
});
