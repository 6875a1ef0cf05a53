import { describe, expect, it } from 'vitest';
import { findFirstPhraseEnd, splitSentences } from '../src/pipeline/sentence-splitter.js';

async function split(text: string, chunkChars: number): Promise<string[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunkChars) yield text.slice(i, i + chunkChars);
  }
  const out: string[] = [];
  for await (const sentence of splitSentences(chunks())) out.push(sentence);
  return out;
}

const CASES: [string, string[]][] = [
  ['Hello there, friend. How are you today? I am fine!', ['Hello there, friend.', 'How are you today?', 'I am fine!']],
  ['Dr. Smith will see you tomorrow. Bring your card.', ['Dr. Smith will see you tomorrow.', 'Bring your card.']],
  ['It costs 3.5 dollars today. That is quite cheap.', ['It costs 3.5 dollars today.', 'That is quite cheap.']],
  ['The meeting is at 10 a.m. tomorrow in room four. Please be on time.', ['The meeting is at 10 a.m. tomorrow in room four.', 'Please be on time.']],
  ['See you at 10 a.m. Then we leave for the station.', ['See you at 10 a.m.', 'Then we leave for the station.']],
  ['Use a tool, e.g. a hammer, for this job. It is easy.', ['Use a tool, e.g. a hammer, for this job.', 'It is easy.']],
  ['J. R. R. Tolkien wrote that book. Read it.', ['J. R. R. Tolkien wrote that book.', 'Read it.']],
  ['Yes. I can do that for you right now.', ['Yes. I can do that for you right now.']],
  ['Wait... what did you say? Really?! Wow, that is amazing.', ['Wait... what did you say?', 'Really?! Wow, that is amazing.']],
  ['He said "stop right there." Then he left the room.', ['He said "stop right there."', 'Then he left the room.']],
  ['First line of the list\nSecond line of the list', ['First line of the list', 'Second line of the list']],
  ['No final punctuation at all', ['No final punctuation at all']],
  ['Version 2.0.1 is out now. Update today.', ['Version 2.0.1 is out now.', 'Update today.']],
];

describe('sentence splitter', () => {
  it.each(CASES)('%j', async (text, expected) => {
    // The same sentences whether the text arrives whole, in 3-character pieces or char by char.
    for (const chunkChars of [text.length, 3, 1]) expect(await split(text, chunkChars)).toEqual(expected);
  });

  it('yields the first sentence before the stream ends', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield 'The first sentence is ready now. And the sec';
      await gate;
      yield 'ond one comes later.';
    }
    const iterator = splitSentences(slow())[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe('The first sentence is ready now.');
    release();
    expect((await iterator.next()).value).toBe('And the second one comes later.');
  });
});

describe('the first phrase goes to TTS early', () => {
  const settings = { firstPhraseMinWords: 3, firstPhraseMaxWords: 6 };
  it.each([
    ['The capital of France is Paris, a city on the Seine.', 'The capital of France is Paris,'],
    ['Sure, here is a joke: why did the cat sit on the computer?', 'Sure, here is a joke:'],
    ['Yes. It is three o\u2019clock.', 'Yes.'],
    ['Well I think that the answer to that question is no', 'Well I think that the answer'],
    ['It costs 3,000 euros, more or less.', 'It costs 3,000 euros,'],
    ['Paris - the city of light - is lovely', 'Paris - the city of light -'],
  ])('%s → first phrase %j', (text, phrase) => {
    expect(text.slice(0, findFirstPhraseEnd(text, settings)).trim()).toBe(phrase);
  });

  it('waits while the first phrase is not complete', () => {
    expect(findFirstPhraseEnd('The capital', settings)).toBe(-1);
    expect(findFirstPhraseEnd('One two three four five six', settings)).toBe(-1); // the sixth word may go on
  });

  it('streams: the first phrase early, then whole sentences', async () => {
    async function* pieces() {
      for (const piece of ['The capital ', 'of France ', 'is Paris, ', 'a city on ', 'the Seine. ', 'It is old.']) yield piece;
    }
    const out: string[] = [];
    for await (const phrase of splitSentences(pieces(), settings)) out.push(phrase);
    expect(out).toEqual(['The capital of France is Paris,', 'a city on the Seine.', 'It is old.']);
  });
});
