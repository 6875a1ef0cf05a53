import { describe, expect, it } from 'vitest';
import { MqttPacketSizeGuard, TopicAcl, filterCovers, filterMatches, type Actor } from '@hugh/hub';
import { Topics } from '@hugh/protocol';

const acl = new TopicAcl({ topics: new Topics('hugh'), discoveryPrefix: 'homeassistant', integrationPublish: ['zigbee2mqtt/+/set'] });
const kitchen: Actor = { role: 'satellite', id: 'kitchen' };
const ha: Actor = { role: 'integration', id: 'home-assistant' };

describe('MQTT filter matching (MQTT 3.1.1 §4.7)', () => {
  it.each([
    ['hugh/sat/+/up/ctl', 'hugh/sat/kitchen/up/ctl', true],
    ['hugh/sat/+/up/ctl', 'hugh/sat/kitchen/up/audio', false],
    ['hugh/#', 'hugh/sat/kitchen/up/ctl', true],
    ['hugh/#', 'hugh', true],
    ['#', '$SYS/broker/uptime', false],
    ['+/x', '$hugh/x', false],
    ['a/b', 'a/b/c', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(filterMatches(filter, topic)).toBe(expected);
  });

  it.each([
    ['hugh/sat/+/event/#', 'hugh/sat/den/event/wake', true],
    ['hugh/sat/+/event/#', 'hugh/sat/+/event/+', true],
    ['hugh/sat/+/event/#', 'hugh/sat/+/event', true],
    ['hugh/sat/+/state', 'hugh/sat/den/state', true],
    ['hugh/sat/+/state', 'hugh/sat/#', false],
    ['hugh/sat/+/state', 'hugh/sat/+/+', false],
    ['hugh/sat/+/state', 'hugh/+/den/state', false],
    ['homeassistant/#', '#', false],
    ['homeassistant/#', '$hugh/#', false],
  ])('an allowed %s covers a subscription to %s: %s', (allowed, requested, expected) => {
    expect(filterCovers(allowed, requested)).toBe(expected);
  });
});

describe('the rule table', () => {
  it("a satellite's failover probe may read the hub's availability and nothing else, publish nothing", () => {
    const probe: Actor = { role: 'probe', id: 'kitchen' };
    expect(acl.maySubscribe(probe, 'hugh/hub/availability')).toBe(true);
    for (const filter of ['hugh/sat/kitchen/down/ctl', 'hugh/sat/kitchen/down/audio', 'hugh/hub/capability', 'hugh/#', '#']) expect(acl.maySubscribe(probe, filter), filter).toBe(false);
    for (const topic of ['hugh/sat/kitchen/up/ctl', 'hugh/sat/kitchen/availability', 'hugh/hub/cmd/say']) {
      expect(acl.mayPublish(probe, topic), topic).toMatchObject({ ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: `probe kitchen may not publish on ${topic}` });
    }
  });

  it('lets integrations read which hub a satellite is on and the capability', () => {
    expect(acl.maySubscribe(ha, 'hugh/sat/+/link')).toBe(true);
    expect(acl.maySubscribe(ha, 'hugh/hub/capability')).toBe(true);
    expect(acl.maySubscribe(kitchen, 'hugh/sat/kitchen/link')).toBe(false);
  });

  it('lets a satellite publish its own up topics and availability, and nothing else anywhere', () => {
    expect(acl.mayPublish(kitchen, 'hugh/sat/kitchen/up/audio')).toEqual({ ok: true });
    expect(acl.mayPublish(kitchen, 'hugh/sat/kitchen/up/ctl')).toEqual({ ok: true });
    expect(acl.mayPublish(kitchen, 'hugh/sat/kitchen/availability')).toEqual({ ok: true });
    for (const topic of [
      'hugh/sat/den/up/audio',
      'hugh/sat/kitchen/down/ctl',
      'hugh/sat/kitchen/state',
      'hugh/sat/den/cmd/mute',
      'hugh/hub/cmd/say',
      'homeassistant/switch/hugh_den/mute/config',
      'homeassistant/status',
      'zigbee2mqtt/front_door_lock/set',
      '$SYS/x',
      '$hugh/refused',
    ]) {
      expect(acl.mayPublish(kitchen, topic), topic).toMatchObject({ ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED' });
    }
  });

  it('lets integrations publish commands, Home Assistant status, Rhasspy tts and the configured extras only', () => {
    for (const topic of ['hugh/sat/kitchen/cmd/say', 'hugh/hub/cmd/say', 'homeassistant/status', 'hermes/tts/say', 'zigbee2mqtt/lamp/set']) expect(acl.mayPublish(ha, topic), topic).toEqual({ ok: true });
    for (const topic of ['hugh/sat/kitchen/state', 'hugh/hub/availability', 'hugh/sat/kitchen/up/ctl', 'homeassistant/switch/x/y/config', 'zigbee2mqtt/lamp/set/extra', '$hugh/refused']) {
      expect(acl.mayPublish(ha, topic), topic).toMatchObject({ ok: false });
    }
  });

  it('refuses topics over 1 KiB', () => {
    expect(acl.mayPublish(kitchen, `hugh/sat/kitchen/up/${'x'.repeat(1100)}`)).toMatchObject({ ok: false, code: 'HUGH_ERR_TOPIC_INVALID' });
  });

  it('confines subscriptions: satellites to their own down topics, integrations away from audio and $ topics', () => {
    expect(acl.maySubscribe(kitchen, 'hugh/sat/kitchen/down/ctl')).toBe(true);
    expect(acl.maySubscribe(kitchen, 'hugh/hub/availability')).toBe(true);
    expect(acl.maySubscribe(kitchen, 'hugh/sat/kitchen/down/#')).toBe(false);
    expect(acl.maySubscribe(kitchen, 'hugh/sat/den/down/ctl')).toBe(false);
    for (const filter of ['hugh/sat/+/state', 'hugh/sat/+/event/#', 'hugh/sat/den/event/transcript', 'homeassistant/#', 'hermes/intent/#']) expect(acl.maySubscribe(ha, filter), filter).toBe(true);
    for (const filter of ['hugh/sat/+/+/audio', 'hugh/sat/+/up/audio', 'hugh/#', '#', '$hugh/#', '$SYS/#', 'hermes/#', 'hermes/audioServer/+/audioFrame']) expect(acl.maySubscribe(ha, filter), filter).toBe(false);
  });

  it("lets a Rhasspy site publish its own audio, playFinished and wake word (naming its own site), and read its own replies and the hub's toggles", () => {
    const site: Actor = { role: 'rhasspy', id: 'attic' };
    const detected = (siteId: string) => Buffer.from(JSON.stringify({ modelId: 'porcupine', siteId }));
    for (const topic of ['hermes/audioServer/attic/audioFrame', 'hermes/audioServer/attic/playFinished', 'hermes/error/hotword']) expect(acl.mayPublish(site, topic), topic).toEqual({ ok: true });
    expect(acl.mayPublish(site, 'hermes/hotword/porcupine/detected', detected('attic'))).toEqual({ ok: true });
    // Waking another room (and so listening in on it) is refused from the payload.
    expect(acl.mayPublish(site, 'hermes/hotword/porcupine/detected', detected('kitchen'))).toMatchObject({ ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED', reason: expect.stringMatching(/own wake word/) });
    expect(acl.mayPublish(site, 'hermes/hotword/porcupine/detected', Buffer.from('not json'))).toMatchObject({ ok: false });
    for (const topic of ['hermes/audioServer/kitchen/audioFrame', 'hermes/audioServer/attic/playBytes/1', 'hermes/tts/say', 'hermes/hotword/toggleOn', 'hugh/sat/attic/up/audio', 'hugh/sat/attic/cmd/say', 'homeassistant/status']) {
      expect(acl.mayPublish(site, topic), topic).toMatchObject({ ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED' });
    }
    for (const filter of ['hermes/audioServer/attic/playBytes/#', 'hermes/audioServer/attic/audioFrame', 'hermes/hotword/toggleOff', 'hermes/asr/startListening']) expect(acl.maySubscribe(site, filter), filter).toBe(true);
    for (const filter of ['hermes/audioServer/kitchen/playBytes/#', 'hermes/audioServer/+/audioFrame', 'hermes/#', 'hugh/sat/+/event/#', 'hermes/intent/#']) expect(acl.maySubscribe(site, filter), filter).toBe(false);
    // Integrations may read Rhasspy's errors, still never its audio.
    expect(acl.maySubscribe(ha, 'hermes/error/#')).toBe(true);
    expect(acl.maySubscribe(ha, 'hermes/audioServer/attic/audioFrame')).toBe(false);
  });

  it('prints a Mosquitto ACL with one block per login and no pattern lines', () => {
    const text = acl.mosquitto({ hubUser: 'hugh-hub', hubPublish: ['zigbee2mqtt/kitchen_lights/set'], satellites: ['kitchen'], integrations: ['home-assistant'], rhasspySites: ['attic'] });
    expect(text).toContain('user attic\ntopic write hermes/audioServer/attic/audioFrame\ntopic write hermes/audioServer/attic/playFinished\ntopic write hermes/hotword/+/detected\n');
    expect(text).toMatch(/topic read hermes\/audioServer\/attic\/playBytes\/#\n/);
    expect(text).not.toMatch(/^pattern /m);
    expect(text).toContain('user hugh-hub\ntopic readwrite hugh/#\ntopic readwrite homeassistant/#\ntopic readwrite hermes/#\ntopic readwrite zigbee2mqtt/kitchen_lights/set\n');
    expect(text).toContain(
      'user kitchen\ntopic write hugh/sat/kitchen/up/ctl\ntopic write hugh/sat/kitchen/up/audio\ntopic write hugh/sat/kitchen/availability\ntopic read hugh/sat/kitchen/down/ctl\ntopic read hugh/sat/kitchen/down/audio\ntopic read hugh/hub/availability\n',
    );
    expect(text).toMatch(/user home-assistant\ntopic write hugh\/sat\/\+\/cmd\/\+\n/);
    expect(text).not.toMatch(/readwrite hugh\/sat\/kitchen/);
  });
});

describe('MQTT packet size guard', () => {
  const connect = (remaining: number) => {
    const header = [0x10];
    let value = remaining;
    do {
      let byte = value % 128;
      value = Math.floor(value / 128);
      if (value > 0) byte |= 0x80;
      header.push(byte);
    } while (value > 0);
    return Uint8Array.from(header);
  };

  it('refuses a packet from its fixed header when the remaining length exceeds the cap', () => {
    expect(new MqttPacketSizeGuard(1000).feed(connect(50 * 1024 * 1024))).toMatch(/exceeds 1000/);
  });

  it('follows packets across chunk boundaries and accepts those within the cap', () => {
    const guard = new MqttPacketSizeGuard(1000);
    const packets = Buffer.concat([connect(10), Buffer.alloc(10), connect(1000), Buffer.alloc(1000), Uint8Array.from([0xc0, 0x00])]);
    for (let offset = 0; offset < packets.length; offset += 7) expect(guard.feed(packets.subarray(offset, offset + 7))).toBeUndefined();
    // A header split across chunks is still read whole.
    const split = connect(5000);
    expect(guard.feed(split.subarray(0, 1))).toBeUndefined();
    expect(guard.feed(split.subarray(1))).toMatch(/exceeds/);
  });

  it('refuses a remaining length longer than four bytes (MQTT 3.1.1 §2.2.3)', () => {
    expect(new MqttPacketSizeGuard(Number.MAX_SAFE_INTEGER).feed(Uint8Array.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toMatch(/malformed/);
  });
});
