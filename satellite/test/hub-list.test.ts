import { describe, expect, it } from 'vitest';
import { hubEndpoints, loadSatelliteConfig } from '@hugh/satellite';

describe('the hub list', () => {
  it('--hub takes several URLs, best first, MQTT and WebSocket mixed; the password applies to each', () => {
    const { config } = loadSatelliteConfig(['--id', 'kitchen', '--hub', 'mqtt://vm-vocal:1883, ws://macbook.local:8750'], { HUGH_SATELLITE_PASSWORD: 'pw' });
    expect(hubEndpoints(config)).toEqual([
      { url: 'mqtt://vm-vocal:1883', username: 'kitchen', password: 'pw' },
      { url: 'ws://macbook.local:8750', username: 'kitchen', password: 'pw' },
    ]);
    expect(config.failover).toEqual({ returnAfterMs: 30_000, probeIntervalMs: 5_000, probeTimeoutMs: 5_000 });
  });

  it('one URL as before; no password anywhere: no login', () => {
    const { config } = loadSatelliteConfig(['--hub', 'ws://hub:8750'], { HUGH_HUB_URL: 'mqtt://ignored:1883' });
    expect(hubEndpoints(config)).toEqual([{ url: 'ws://hub:8750' }]);
    expect(hubEndpoints(loadSatelliteConfig([], {}).config)).toEqual([{ url: 'mqtt://127.0.0.1:1883' }]);
  });

  it('a login and CA per hub in the config file; the others fall back to the satellite-wide ones', () => {
    const { config } = loadSatelliteConfig([], { HUGH_HUB_URL: 'mqtt://a:1883,mqtts://b:8883' });
    expect(hubEndpoints(config).map((hub) => hub.url)).toEqual(['mqtt://a:1883', 'mqtts://b:8883']);
    const parsed = loadSatelliteConfig([], {}).config;
    const withOwn = { ...parsed, id: 'den', password: 'shared', caFile: '/etc/hugh/ca.crt', hub: [{ url: 'mqtts://vm:8883' }, { url: 'wss://mac:8751', password: 'own', caFile: '/etc/hugh/mac-ca.crt' }, { url: 'mqtt://mosquitto:1883', username: 'den-at-mosquitto' }] };
    expect(hubEndpoints(withOwn)).toEqual([
      { url: 'mqtts://vm:8883', username: 'den', password: 'shared', caFile: '/etc/hugh/ca.crt' },
      { url: 'wss://mac:8751', username: 'den', password: 'own', caFile: '/etc/hugh/mac-ca.crt' },
      { url: 'mqtt://mosquitto:1883', username: 'den-at-mosquitto', password: 'shared', caFile: '/etc/hugh/ca.crt' },
    ]);
  });

  it('a bad entry is named by its place in the list and where it came from', () => {
    expect(() => loadSatelliteConfig(['--hub', 'mqtt://a:1883,http://b'], {})).toThrow(/hub\.1 \(from flag --hub\)/);
    expect(() => loadSatelliteConfig(['--hub', Array.from({ length: 9 }, (_, i) => `mqtt://h${i}:1883`).join(',')], {})).toThrow(/hub \(from flag --hub\)/);
    expect(() => loadSatelliteConfig(['--hub', ','], {})).toThrow(/hub \(from flag --hub\)/);
  });
});
