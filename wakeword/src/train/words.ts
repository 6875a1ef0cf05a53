import { existsSync, readFileSync } from 'node:fs';
import { COMMANDS, SENTENCES } from './phrases.js';

/** Debian's pocketsphinx-en-us dictionary (the hub's local recogniser): 134 000 words with their sounds. */
export const CMUDICT_PATH = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';

/**
 * Words for random word sequences, the widest phonetic variety of negatives the trainer has:
 * the pronouncing dictionary's words, without the phrase's words and their homophones (by their
 * first pronunciation: "hugh" keeps "you", which is only its second), so that no sequence can say
 * the phrase. Without the dictionary, the words of the built-in sentences.
 */
export function negativeWords(phrase: string, dictionary = CMUDICT_PATH): { words: string[]; source: string } {
  const phraseWords = new Set(phrase.toLowerCase().split(/\s+/));
  if (!existsSync(dictionary)) {
    const words = [...new Set([...SENTENCES, ...COMMANDS].flatMap((text) => text.replace(/[^a-z ]/gi, '').toLowerCase().split(/\s+/)))].filter((word) => word && !phraseWords.has(word));
    return { words, source: 'built-in sentences' };
  }
  const entries = readFileSync(dictionary, 'utf8')
    .split('\n')
    .map((line) => /^([a-z']+)(\(\d+\))?\s+(.+)$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null);
  const sounds = new Set(entries.filter((match) => phraseWords.has(match[1]!) && !match[2]).map((match) => match[3]!));
  const banned = new Set(entries.filter((match) => sounds.has(match[3]!)).map((match) => match[1]!));
  const words = [...new Set(entries.filter((match) => !match[2] && /^[a-z]{2,12}$/.test(match[1]!) && !banned.has(match[1]!) && !phraseWords.has(match[1]!)).map((match) => match[1]!))];
  return { words, source: dictionary };
}
