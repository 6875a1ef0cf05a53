/**
 * Cuts a growing text into sentences as soon as each is complete, so speech can start on the
 * first one while the language model still writes. A period ends a sentence only when followed
 * by whitespace and not part of an abbreviation ("Dr.", "e.g."), a time ("10 a.m.") or a number
 * ("3.5" has no space after its point).
 */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'etc', 'approx', 'no', 'vol', 'fig', 'inc', 'ltd', 'co', 'corp',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun',
  'e.g', 'i.e', 'a.m', 'p.m', 'u.s', 'u.k',
]);

/** Sentences shorter than this are held back and joined to the next (TTS sounds choppy on "Yes."). */
const MIN_SENTENCE_CHARS = 12;

/** Abbreviations that often end a sentence too: they end one only before a capital letter. */
const MAY_END = new Set(['a.m', 'p.m', 'etc', 'inc', 'ltd', 'co', 'corp']);

/** The word before a final period, lower case ("Dr." → "dr", "e.g." → "e.g"), or undefined. */
function wordBeforePeriod(text: string): string | undefined {
  return /(?:^|[\s("'])([A-Za-z](?:\.[A-Za-z])*|[A-Za-z]+)\.$/.exec(text)?.[1]?.toLowerCase();
}

/** Index just past the first sentence end in `text` that is certainly final, or -1. */
export function findSentenceEnd(text: string, from = 0): number {
  const pattern = /([.!?…]+["')\]]*)(\s+)|(\n)/g;
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[3] !== undefined) return match.index + 1;
    const end = match.index + match[1]!.length;
    const after = end + match[2]!.length;
    if (match[1] === '.') {
      const word = wordBeforePeriod(text.slice(0, end));
      // A single letter is an initial ("J. R. R. Tolkien").
      const abbreviation = word !== undefined && (ABBREVIATIONS.has(word) || /^[a-z]$/.test(word));
      if (abbreviation && !(MAY_END.has(word) && /[A-Z]/.test(text.charAt(after)))) continue;
      // Not sure yet: the next character decides, and it has not arrived.
      if (abbreviation && after >= text.length) return -1;
    }
    return after;
  }
  return -1;
}

export interface PhraseSettings {
  /** The first phrase may end at a clause boundary (comma, colon, semicolon, dash) once it has this many words. */
  firstPhraseMinWords: number;
  /** …and ends after this many words without punctuation at all. */
  firstPhraseMaxWords: number;
}

/**
 * Index just past the end of the first phrase: a clause boundary after at least `minWords` words, a
 * sentence end, or the end of the `maxWords`-th word once the next one has begun; -1 while it is not
 * there yet. Cutting early lets the first sound start on a few words; later phrases are sentences,
 * so the voice keeps its flow.
 */
export function findFirstPhraseEnd(text: string, settings: PhraseSettings): number {
  const sentenceEnd = findSentenceEnd(text);
  const clause = /[^\s,;:–—-]([,;:]|\s[-–—])(\s+)/g;
  for (let match = clause.exec(text); match; match = clause.exec(text)) {
    const end = match.index + match[0].length;
    if (sentenceEnd >= 0 && sentenceEnd <= end) break;
    if ((text.slice(0, match.index + 1).match(/\S+/g)?.length ?? 0) >= settings.firstPhraseMinWords) return end;
  }
  if (sentenceEnd >= 0) return sentenceEnd;
  const words = /\S+\s+/g;
  let count = 0;
  for (let match = words.exec(text); match; match = words.exec(text)) {
    // A word is whole once whitespace follows it; the max-th ends the phrase when the next has begun.
    if (++count === settings.firstPhraseMaxWords && match.index + match[0].length < text.length) return match.index + match[0].length;
  }
  return -1;
}

/**
 * Splits a text stream into phrases to speak: the first as early as `findFirstPhraseEnd` allows
 * (given settings), the rest at sentence ends; what is left is flushed when the stream ends.
 */
export async function* splitSentences(chunks: AsyncIterable<string>, first?: PhraseSettings): AsyncIterable<string> {
  let buffer = '';
  let searchFrom = 0;
  let firstDone = first === undefined;
  for await (const chunk of chunks) {
    buffer += chunk;
    if (!firstDone) {
      const end = findFirstPhraseEnd(buffer, first!);
      if (end < 0) continue;
      firstDone = true;
      const phrase = buffer.slice(0, end).trim();
      buffer = buffer.slice(end);
      if (phrase) yield phrase;
    }
    for (let end = findSentenceEnd(buffer, searchFrom); end >= 0; end = findSentenceEnd(buffer, searchFrom)) {
      const sentence = buffer.slice(0, end).trim();
      if (sentence.length < MIN_SENTENCE_CHARS) {
        searchFrom = end;
        continue;
      }
      buffer = buffer.slice(end);
      searchFrom = 0;
      yield sentence;
    }
  }
  const rest = buffer.trim();
  if (rest) yield rest;
}
