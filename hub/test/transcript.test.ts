import { describe, expect, it } from 'vitest';
import { cleanTranscript } from '@hugh/hub';

describe('cleanTranscript: the wake phrase of the keyword the satellite woke on is stripped', () => {
  it.each([
    ['hey jarvis what time is it', 'hey_jarvis_v0.1.onnx', 'what time is it'],
    ['hey hugh what time is it', 'hey_hugh.enrolled.json', 'what time is it'],
    ['Hey, Jarvis. What time is it?', 'hey_jarvis', 'What time is it?'],
    ['k travis what time is it', 'hey_jarvis', 'what time is it'],
    ['jarvis turn on the lights', 'hey_jarvis', 'turn on the lights'],
    ['hey hugh set a timer', 'hey_hugh', 'set a timer'],
    ['hey you set a timer', 'hey_hugh', 'set a timer'],
    // Only this turn's keyword: a satellite woken by "hey hugh" keeps a question about Jarvis.
    ['jarvis is a film character', 'hey_hugh', 'jarvis is a film character'],
    ['what time is it', 'hey_jarvis', 'what time is it'],
    ['  what   time  ', undefined, 'what time'],
    // A name inside the sentence stays.
    ['tell travis hello', 'hey_jarvis', 'tell travis hello'],
  ])('%j woken by %s → %j', (text, keyword, expected) => {
    expect(cleanTranscript(text, keyword)).toBe(expected);
  });
});
