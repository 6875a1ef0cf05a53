import { describe, expect, it } from 'vitest';
import { HughError, Topics } from '@hugh/protocol';

describe('topics', () => {
  const topics = new Topics('hugh');

  it('builds and parses every satellite channel', () => {
    for (const channel of ['up/ctl', 'up/audio', 'down/ctl', 'down/audio', 'availability', 'state'] as const) {
      const topic = topics.satellite('kitchen', channel);
      expect(topic).toBe(`hugh/sat/kitchen/${channel}`);
      expect(topics.parse(topic)).toEqual({ kind: 'satellite', satelliteId: 'kitchen', channel });
    }
    expect(topics.parse(topics.event('kitchen', 'wake'))).toEqual({ kind: 'satellite-event', satelliteId: 'kitchen', name: 'wake' });
    expect(topics.parse(topics.command('den', 'say'))).toEqual({ kind: 'satellite-command', satelliteId: 'den', name: 'say' });
    expect(topics.parse('hugh/hub/availability')).toEqual({ kind: 'hub', channel: 'availability' });
  });

  it.each(['other/sat/kitchen/up/ctl', 'hugh/sat/Kitchen/up/ctl', 'hugh/sat/kitchen/up', 'hugh/sat/kitchen/up/ctl/extra', 'hugh/sat//up/ctl', 'hugh/sat/+/up/ctl', 'hugh', 'hugh/hub/other'])(
    'rejects %s',
    (topic) => {
      expect(() => topics.parse(topic)).toThrow(HughError);
      try {
        topics.parse(topic);
      } catch (error) {
        expect((error as HughError).code).toBe('HUGH_ERR_TOPIC_INVALID');
      }
    },
  );

  it('refuses ids that would escape the namespace and prefixes with wildcards', () => {
    expect(() => topics.satellite('a/b', 'up/ctl')).toThrow(/invalid satellite id/);
    expect(() => topics.satellite('#', 'up/ctl')).toThrow(HughError);
    expect(() => new Topics('home/#')).toThrow(/topic prefix/);
  });
});
