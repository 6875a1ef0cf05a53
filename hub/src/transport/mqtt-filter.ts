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
 * Whether every topic that `requested` (a subscription filter) can match is also matched by
 * `allowed`: the test an allow-list of filters needs, since a filter may be narrower than the rule
 * that permits it (`hugh/sat/den/event/wake` under `hugh/sat/+/event/#`) but never wider.
 */
export function filterCovers(allowed: string, requested: string): boolean {
  if (requested.startsWith('$') !== allowed.startsWith('$')) return false;
  const a = allowed.split('/');
  const r = requested.split('/');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true;
    if (i >= r.length) return false;
    if (r[i] === '#') return false; // the request reaches deeper than the rule
    if (a[i] === '+') continue;
    if (r[i] === '+' || a[i] !== r[i]) return false;
  }
  return a.length === r.length;
}
