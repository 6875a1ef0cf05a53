/**
 * Sentence templates in the spirit of Home Assistant's hassil: `(a|b)` alternatives, `[x]`
 * optional words, `{slot}` captures. Compiled to one anchored regular expression over normalised
 * text (lower case, no punctuation), so "Turn ON the kitchen lights!" matches
 * "(turn|switch) on [the] {device}".
 */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/[^a-z0-9%\s]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Compiles one template; slot names become named groups. `leadingNoiseWords` lets that many words
 * stand before the sentence (what a recogniser makes of the wake word's tail: "its what time is
 * it"), unless one of them is a negation.
 */
export function compileTemplate(template: string, leadingNoiseWords = 0): RegExp {
  let index = 0;
  const parse = (closing: string | undefined): string => {
    const alternatives: string[][] = [[]];
    while (index < template.length) {
      const char = template[index++]!;
      if (char === closing) break;
      if (char === '|' && closing !== undefined) alternatives.push([]);
      else if (char === '(') alternatives.at(-1)!.push(`(?:${parse(')')})`);
      else if (char === '[') alternatives.at(-1)!.push(`(?:${parse(']')})?`);
      else if (char === '{') {
        const end = template.indexOf('}', index);
        alternatives.at(-1)!.push(`(?<${template.slice(index, end)}>.+?)`);
        index = end + 1;
      } else if (char === ' ') alternatives.at(-1)!.push(' ');
      else alternatives.at(-1)!.push(escape(char));
    }
    return alternatives.map((parts) => parts.join('')).join('|');
  };
  // Spaces are optional around optional parts ("turn on [the] lights" with or without "the").
  const source = parse(undefined).replace(/ +/g, ' ?').replace(/\?\?/g, '?');
  const noise = leadingNoiseWords > 0 ? `(?:(?!(?:dont|not|never|no)\\b)\\S+ ){0,${leadingNoiseWords}}?` : '';
  return new RegExp(`^${noise}(?:${source})$`);
}
