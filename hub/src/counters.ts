/** Running totals the hub keeps for /metrics; plain numbers, so the hot paths only add. */
export interface HubCounters {
  framesIn: number;
  framesOut: number;
  /** Frames received but not used: duplicates, after stop-listening, for ended turns, or refused outbound for congestion. */
  framesDropped: number;
  badInputs: number;
  /** Logins by outcome: accepted, refused by the credentials, refused before hashing (the address must wait). */
  logins: { accepted: number; refused: number; 'locked-out': number };
}

export function newCounters(): HubCounters {
  return { framesIn: 0, framesOut: 0, framesDropped: 0, badInputs: 0, logins: { accepted: 0, refused: 0, 'locked-out': 0 } };
}
