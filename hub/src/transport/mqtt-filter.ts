/**
 * MQTT topic-filter matching (MQTT 3.1.1 §4.7): `+` matches one level, a trailing `#` matches the
 * rest (including the parent level, §4.7.1.2), and filters starting with a wildcard do not match
 * topics starting with `$` (§4.7.2).
 */
export function filterMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/**
 * Whether a subscription filter could match any topic of a pattern whose `*` levels stand for
 * any single level value. Used to refuse subscriptions that could reach audio topics.
 */
export function filterCanMatchPattern(filter: string, pattern: string): boolean {
  const f = filter.split('/');
  const p = pattern.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= p.length) return false;
    if (f[i] !== '+' && p[i] !== '*' && f[i] !== p[i]) return false;
  }
  return f.length === p.length;
}
