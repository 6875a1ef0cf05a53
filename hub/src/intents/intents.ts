import { parseDuration } from './duration.js';
import { compileTemplate, normalise } from './template.js';

export interface MatchedIntent {
  name: string;
  slots: Record<string, string>;
}

/** The sentences a home asks most, as data. Order matters: the first matching template wins. */
export const SENTENCES: Record<string, string[]> = {
  HassTurnOn: ['(turn|switch) on [the] {device}', '(turn|switch) [the] {device} on'],
  HassTurnOff: ['(turn|switch) off [the] {device}', '(turn|switch) [the] {device} off'],
  HassToggle: ['toggle [the] {device}'],
  HassGetTime: ['what time is it', 'whats the time', 'what is the time', '[tell me] the time'],
  HassGetDate: ['whats the date [today]', 'what is the date [today]', 'what day is it [today]', 'whats today', 'what is today'],
  HassSetVolume: ['(set|change) [the] volume to {percent} [percent]', 'volume {percent} [percent]'],
  HassStartTimer: ['(set|start) a timer for {duration}', '(set|start) a {duration} timer', 'timer for {duration}'],
  HassCancelTimer: ['(cancel|stop|delete) [the|my] timer'],
  HassTimerStatus: ['how (long|much time) is left [on the timer]', 'how long left [on the timer]', 'how much longer [on the timer]'],
  HassStop: ['stop', 'cancel', 'never mind', 'be quiet', 'shut up'],
  HassRepeat: ['repeat [that]', 'say that again', 'what did you say', 'pardon'],
};

const NUMBER_WORDS: Record<string, number> = {
  zero: 0, ten: 10, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90, hundred: 100, 'one hundred': 100,
};

/** Matches normalised transcripts against the sentence table. Tolerant of what pocketsphinx writes. */
export class IntentMatcher {
  private readonly compiled: { name: string; pattern: RegExp }[];

  constructor(sentences: Record<string, string[]> = SENTENCES) {
    this.compiled = Object.entries(sentences).flatMap(([name, templates]) => templates.map((template) => ({ name, pattern: compileTemplate(template, 2) })));
  }

  match(text: string): MatchedIntent | undefined {
    // "please" is noise around a command (the wake phrase is gone already: cleanTranscript).
    const normalised = normalise(text).replace(/^(please )|( please)$/g, '');
    for (const { name, pattern } of this.compiled) {
      const found = pattern.exec(normalised);
      if (!found) continue;
      const slots = { ...(found.groups ?? {}) };
      if (slots.duration !== undefined) {
        const durationMs = parseDuration(slots.duration);
        if (durationMs === undefined) continue;
        slots.durationMs = String(durationMs);
      }
      if (slots.percent !== undefined) {
        const value = /^\d+$/.test(slots.percent) ? Number(slots.percent) : NUMBER_WORDS[slots.percent];
        if (value === undefined || value > 100) continue;
        slots.percent = String(value);
      }
      return { name, slots };
    }
    return undefined;
  }
}
