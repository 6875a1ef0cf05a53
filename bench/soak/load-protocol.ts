/**
 * What the soak runner and its load generator (another process) say to each other: one JSON
 * object a line, events on the generator's stdout, commands on its stdin.
 */

export interface LoadSatellite {
  id: string;
  password: string;
}

/** The environment variable that carries the generator's settings as JSON. */
export const LOAD_SETTINGS_ENV = 'HUGH_SOAK_LOAD_SETTINGS';

/** The generator's settings. */
export interface LoadSettings {
  /** Hub URL (mqtt:// or ws://) for the satellites. */
  url: string;
  /** WebSocket URL for the satellite that stops reading its socket (the `stall` command). */
  wsUrl: string;
  satellites: LoadSatellite[];
  /** The satellite that stalls; it runs turns like the others until told to stall. */
  stalled?: LoadSatellite;
  /** 16 kHz WAV every turn streams, paced as a microphone. */
  wav: string;
  /** A satellite starts a turn this long after its previous one started (or at once when that took longer). */
  turnEveryMs: number;
  /** Idle time between one turn's end and the next start, at least. */
  minGapMs: number;
  /** A reply that has not ended this long after the audio ended counts as failed. */
  replyTimeoutMs: number;
}

export type TurnOutcome = 'answered' | 'failed';

export type LoadEvent =
  | { e: 'ready'; id: string; atMs: number }
  | { e: 'down'; id: string; atMs: number }
  | {
      e: 'turn';
      id: string;
      outcome: TurnOutcome;
      /** Why it ended: the hub's reply-stop reason, or `timeout`, `not-started`. */
      reason: string;
      startedMs: number;
      /** When the satellite stopped sending audio (the hub's stop-listening, or the clip's end). */
      audioEndMs: number;
      /** The reply's start (its first audio follows); undefined when none came. */
      replyStartMs?: number;
      endMs: number;
      frames: number;
    }
  | { e: 'all-ready'; atMs: number }
  /** Frames the satellites' links could not send (no connection), since the start. */
  | { e: 'stopped'; unsentFrames: number; sentFrames: number };

export type LoadCommand = { cmd: 'pause' } | { cmd: 'resume' } | { cmd: 'stall' } | { cmd: 'unstall' } | { cmd: 'stop' };
