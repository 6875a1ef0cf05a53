import { describe, expect, it } from 'vitest';
import { IntentMatcher, compileTemplate } from '../src/intents/index.js';

const matcher = new IntentMatcher();

describe('local intent matcher', () => {
  it.each([
    ['Turn on the kitchen lights.', 'HassTurnOn', { device: 'kitchen lights' }],
    ['turn on kitchen lights', 'HassTurnOn', { device: 'kitchen lights' }],
    ['switch the fan on please', 'HassTurnOn', { device: 'fan' }],
    ['Please turn OFF the Living-Room lamp!', 'HassTurnOff', { device: 'living room lamp' }],
    ['turn the tv off', 'HassTurnOff', { device: 'tv' }],
    ['toggle the hallway light', 'HassToggle', { device: 'hallway light' }],
    ['What time is it?', 'HassGetTime', {}],
    ['what time is it', 'HassGetTime', {}],
    ["What's the time", 'HassGetTime', {}],
    ['what day is it today', 'HassGetDate', {}],
    ['set the volume to 40 percent', 'HassSetVolume', { percent: '40' }],
    ['set volume to fifty', 'HassSetVolume', { percent: '50' }],
    ['stop', 'HassStop', {}],
    ['never mind', 'HassStop', {}],
    ['say that again', 'HassRepeat', {}],
    ['hey jarvis what time is it', 'HassGetTime', {}],
    // pocketsphinx's rendering of the wake word's tail in front of the command
    ["it's what time is it", 'HassGetTime', {}],
    ['is turn on the fan', 'HassTurnOn', { device: 'fan' }],
  ])('%j → %s %j', (text, name, slots) => {
    expect(matcher.match(text)).toEqual({ name, slots });
  });

  it.each(['what is the capital of france', 'tell me a joke', 'set the volume to 150', 'turn', '', "don't turn on the lights", 'do not stop'])('%j matches nothing (goes to the dispatcher)', (text) => {
    expect(matcher.match(text)).toBeUndefined();
  });

  it('compiles alternatives, optional words and slots', () => {
    expect(compileTemplate('(turn|switch) on [the] {device}').exec('switch on the porch light')?.groups).toEqual({ device: 'porch light' });
    expect(compileTemplate('(turn|switch) on [the] {device}').test('turn on porch')).toBe(true);
  });
});
