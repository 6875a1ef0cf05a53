/** What the hub says when an answer cannot be had or breaks off: one wording, wherever it happens. */
export const APOLOGIES = {
  /** No language model could be reached (or it said nothing in time). */
  cantReach: "Sorry, I can't reach my language model right now.",
  /** An answer stopped in the middle. */
  lostIt: 'Sorry, I lost my train of thought.',
  /** A worker died mid-answer and another starts it again. */
  startingAgain: 'Sorry, let me start that again.',
};
