import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@hugh/common';
import { IntentMatcher, LocalIntentReplies, TimerService, parseDuration, spokenDuration, type ReplyGenerator } from '@hugh/hub';

const none: ReplyGenerator = { async *reply() {} };

describe('spoken durations', () => {
  it.each([
    ['five minutes', 300_000],
    ['1 minute', 60_000],
    ['90 seconds', 90_000],
    ['an hour', 3_600_000],
    ['twenty five minutes', 1_500_000],
    ['one hour and thirty minutes', 5_400_000],
    ['a minute and a half', 90_000],
    ['2 hours 10 minutes', 7_800_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['soon', 'five', 'minutes', 'a while'])('%s is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('speaks durations back', () => {
    expect(spokenDuration(330_000)).toBe('5 minutes and 30 seconds');
    expect(spokenDuration(3_600_000)).toBe('1 hour');
  });

  it('timer sentences match with the duration as a slot', () => {
    const matcher = new IntentMatcher();
    expect(matcher.match('set a timer for 5 minutes')).toEqual({ name: 'HassStartTimer', slots: { duration: '5 minutes', durationMs: '300000' } });
    expect(matcher.match('set a ten minute timer')?.slots.durationMs).toBe('600000');
    expect(matcher.match('how long is left on the timer')?.name).toBe('HassTimerStatus');
    expect(matcher.match('cancel the timer')?.name).toBe('HassCancelTimer');
  });
});

describe('timers', () => {
  const said: [string, string][] = [];
  const service = (file?: string, online = true) => {
    const timers = new TimerService(file, silentLogger());
    timers.announce = (id, text) => (online ? (said.push([id, text]), true) : false);
    return timers;
  };

  it('set, ask, cancel through the local intents', async () => {
    const timers = service();
    const replies = new LocalIntentReplies(none, { devices: [], timers });
    const ask = async (text: string) => {
      let out = '';
      for await (const piece of replies.reply(text, { satelliteId: 'kitchen', room: undefined, signal: new AbortController().signal })) out += piece;
      return out;
    };
    expect(await ask('set a timer for five minutes')).toBe('Timer set for 5 minutes.');
    expect(await ask('how long is left')).toMatch(/^(5 minutes|4 minutes and 59 seconds) left\.$/);
    expect(await ask('cancel the timer')).toBe('Timer cancelled.');
    expect(await ask('how long is left')).toBe("There's no timer running.");
    timers.close();
  });

  describe('on a fake clock', () => {
    afterEach(() => vi.useRealTimers());

    it('rings on the satellite that set it, when it is due and not before', () => {
      vi.useFakeTimers();
      said.length = 0;
      const timers = service();
      timers.set('den', 150);
      vi.advanceTimersByTime(149);
      expect(said).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(said).toEqual([['den', 'Your 1 second timer is done.']]);
    });

    it('survives a hub restart: a pending timer rings after it, one that ended meanwhile rings at once, saying so', () => {
      vi.useFakeTimers();
      said.length = 0;
      const file = join(mkdtempSync(join(tmpdir(), 'hugh-timers-')), 'timers.json');
      const before = service(file);
      before.set('kitchen', 600);
      before.close(); // the hub dies
      const before2 = service(file);
      before2.set('den', 100);
      before2.close();
      vi.advanceTimersByTime(300); // the hub is down for 300 ms: den's timer ends meanwhile
      service(file); // the hub starts again
      vi.advanceTimersByTime(0);
      expect(said).toEqual([['den', 'Your 1 second timer is done, while I was restarting.']]);
      vi.advanceTimersByTime(299);
      expect(said).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(said.at(-1)).toEqual(['kitchen', 'Your 1 second timer is done.']);
    });

    it('waits for an offline satellite to come back', () => {
      vi.useFakeTimers();
      said.length = 0;
      const timers = service(undefined, false);
      timers.set('attic', 50);
      vi.advanceTimersByTime(200);
      expect(said).toEqual([]);
      timers.announce = (id, text) => (said.push([id, text]), true);
      timers.deliverPending('attic');
      expect(said).toEqual([['attic', 'Your 1 second timer is done.']]);
    });
  });
});
