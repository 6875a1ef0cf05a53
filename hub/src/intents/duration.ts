const UNITS: Record<string, number> = { second: 1_000, minute: 60_000, hour: 3_600_000 };
const SMALL: Record<string, number> = {
  a: 1, an: 1, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12, thirteen: 13,
  fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18, nineteen: 19,
};
const TENS: Record<string, number> = { twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90 };

/** "twenty five" → 25, "90" → 90, "a" → 1; undefined for anything else. */
function parseNumber(words: string[]): number | undefined {
  if (words.length === 1 && /^\d+$/.test(words[0]!)) return Number(words[0]);
  let total = 0;
  for (const word of words) {
    if (TENS[word] !== undefined) total += TENS[word]!;
    else if (SMALL[word] !== undefined) total += SMALL[word]!;
    else return undefined;
  }
  return words.length > 0 ? total : undefined;
}

/**
 * Parses a spoken duration: "five minutes", "1 hour and 30 minutes", "an hour", "a minute and a
 * half", "90 seconds". Returns milliseconds, or undefined when it is not one.
 */
export function parseDuration(text: string): number | undefined {
  const words = text.toLowerCase().replace(/-/g, ' ').split(/\s+/).filter(Boolean);
  let total = 0;
  let pending: string[] = [];
  let lastUnitMs = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const unit = UNITS[word.replace(/s$/, '')];
    if (unit !== undefined) {
      const count = parseNumber(pending);
      if (count === undefined) return undefined;
      total += count * unit;
      lastUnitMs = unit;
      pending = [];
    } else if (word === 'and' && pending.length === 0) {
      if (words[i + 1] === 'a' && words[i + 2] === 'half' && lastUnitMs) {
        total += lastUnitMs / 2;
        i += 2;
      }
    } else pending.push(word);
  }
  return pending.length === 0 && total > 0 ? total : undefined;
}

/** 330 000 → "5 minutes and 30 seconds". */
export function spokenDuration(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  const parts: string[] = [];
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (hours) parts.push(`${hours} hour${hours === 1 ? '' : 's'}`);
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`);
  if (rest) parts.push(`${rest} second${rest === 1 ? '' : 's'}`);
  return parts.join(' and ');
}
