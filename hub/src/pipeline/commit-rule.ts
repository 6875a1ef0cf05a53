/**
 * Words a finished sentence does not end on: conjunctions, articles, prepositions, fillers,
 * auxiliaries and copulas ("what is …"), possessives and question words. A transcript ending on one
 * is someone pausing mid-sentence ("set a timer for … ten minutes").
 */
const UNFINISHED_ENDINGS = new Set(
  [
    // conjunctions
    'and', 'or', 'but', 'nor', 'so', 'because', 'if', 'then', 'than', 'that', 'when', 'while', 'unless', 'until', 'although', 'though', 'whether',
    // articles and determiners
    'a', 'an', 'the', 'this', 'these', 'those', 'some', 'any', 'every', 'each', 'another',
    // prepositions
    'for', 'to', 'of', 'in', 'on', 'at', 'by', 'with', 'from', 'about', 'into', 'onto', 'over', 'under', 'after', 'before', 'between', 'through', 'during', 'without', 'as', 'per', 'near', 'up', 'off',
    // fillers
    'um', 'uh', 'er', 'erm', 'hmm', 'mm', 'like', 'well',
    // auxiliaries and copulas
    'is', 'are', 'was', 'were', 'be', 'am', 'do', 'does', 'did', 'can', 'could', 'will', 'would', 'should', 'shall', 'may', 'might', 'must', 'have', 'has', 'had',
    // possessives
    'my', 'your', 'his', 'her', 'its', 'our', 'their',
    // question words alone at the end ("tell me what …")
    'what', 'who', 'whom', 'where', 'why', 'how', 'which', 'whose',
  ],
);

/**
 * Whether a (speculative) transcript reads as a finished utterance, so the turn may end before the
 * long silence: non-empty, not ending on a comma, dash or ellipsis, and not on an unfinished ending.
 * The offline stand-in for an end-of-turn model (Pipecat's Smart Turn cannot be had here).
 */
export function readsFinished(transcript: string): boolean {
  const text = transcript.trim();
  if (!text) return false;
  if (/(,|;|:|-|–|—|\.\.\.|…)$/.test(text)) return false;
  const words = text.toLowerCase().replace(/[’']/g, '').match(/[a-z0-9]+/g);
  const last = words?.at(-1);
  return last !== undefined && !UNFINISHED_ENDINGS.has(last);
}
