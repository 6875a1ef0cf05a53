import { describe, expect, it } from 'vitest';
import { checkPublish, checkSubscribe, filterCanMatchPattern, filterMatches } from '@hugh/hub';
import { Topics } from '@hugh/protocol';

const topics = new Topics('hugh');

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

  it('knows which filters could reach audio topics', () => {
    expect(filterCanMatchPattern('hugh/sat/+/up/audio', 'hugh/sat/*/up/audio')).toBe(true);
    expect(filterCanMatchPattern('hugh/sat/den/#', 'hugh/sat/*/up/audio')).toBe(true);
    expect(filterCanMatchPattern('#', 'hugh/sat/*/up/audio')).toBe(true);
    expect(filterCanMatchPattern('hugh/sat/+/state', 'hugh/sat/*/up/audio')).toBe(false);
    expect(filterCanMatchPattern('homeassistant/#', 'hugh/sat/*/up/audio')).toBe(false);
  });
});

describe('embedded broker ACL', () => {
  it('lets a satellite publish its own up topics and availability only', () => {
    expect(checkPublish(topics, 'hugh-sat-kitchen', 'hugh/sat/kitchen/up/audio')).toEqual({ ok: true });
    expect(checkPublish(topics, 'hugh-sat-kitchen', 'hugh/sat/kitchen/availability')).toEqual({ ok: true });
    expect(checkPublish(topics, 'hugh-sat-kitchen', 'hugh/sat/den/up/audio')).toMatchObject({ ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED' });
    expect(checkPublish(topics, 'hugh-sat-kitchen', 'hugh/sat/kitchen/down/ctl')).toMatchObject({ ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED' });
    expect(checkPublish(topics, 'hugh-sat-kitchen', 'hugh/sat/kitchen/bogus')).toMatchObject({ ok: false, code: 'HUGH_ERR_TOPIC_INVALID' });
    expect(checkPublish(topics, 'hugh-sat-kitchen', 'hugh/sat/den/cmd/mute')).toMatchObject({ ok: false, code: 'HUGH_ERR_NOT_AUTHORIZED' });
  });

  it('keeps hub topics for the hub, opens commands, and leaves foreign topics alone', () => {
    expect(checkPublish(topics, 'homeassistant', 'hugh/sat/kitchen/state')).toMatchObject({ ok: false });
    expect(checkPublish(topics, 'homeassistant', 'hugh/hub/availability')).toMatchObject({ ok: false });
    expect(checkPublish(topics, 'homeassistant', 'hugh/sat/kitchen/up/ctl')).toMatchObject({ ok: false });
    expect(checkPublish(topics, 'homeassistant', 'hugh/sat/kitchen/cmd/say')).toEqual({ ok: true });
    expect(checkPublish(topics, 'zigbee2mqtt', 'zigbee2mqtt/lamp/set')).toEqual({ ok: true });
    expect(checkPublish(topics, 'anyone', '$SYS/x')).toMatchObject({ ok: false });
  });

  it('confines subscriptions', () => {
    expect(checkSubscribe(topics, 'hugh-sat-kitchen', 'hugh/sat/kitchen/down/ctl')).toBe(true);
    expect(checkSubscribe(topics, 'hugh-sat-kitchen', 'hugh/hub/availability')).toBe(true);
    expect(checkSubscribe(topics, 'hugh-sat-kitchen', 'hugh/sat/kitchen/down/#')).toBe(false);
    expect(checkSubscribe(topics, 'hugh-sat-kitchen', 'hugh/sat/den/down/ctl')).toBe(false);
    expect(checkSubscribe(topics, 'homeassistant', 'hugh/sat/+/state')).toBe(true);
    expect(checkSubscribe(topics, 'homeassistant', 'hugh/sat/+/+/audio')).toBe(false);
    expect(checkSubscribe(topics, 'homeassistant', '#')).toBe(false);
  });
});
