import type { AudioFrame } from '@hugh/protocol';
import type { Turn, TurnHandler } from '@hugh/hub';

export interface RecordedTurn {
  satelliteId: string;
  turnId: number;
  frames: AudioFrame[];
  done: boolean;
  cancelled: boolean;
}

/** A turn handler that keeps every frame it receives, copied, for byte-level comparison. */
export class RecordingHandler implements TurnHandler {
  readonly turns: RecordedTurn[] = [];

  async handleTurn(turn: Turn): Promise<void> {
    const record: RecordedTurn = { satelliteId: turn.satelliteId, turnId: turn.turnId, frames: [], done: false, cancelled: false };
    this.turns.push(record);
    for await (const frame of turn.audio) record.frames.push({ ...frame, payload: new Uint8Array(frame.payload) });
    record.cancelled = turn.signal.aborted;
    record.done = true;
  }

  of(satelliteId: string): RecordedTurn[] {
    return this.turns.filter((turn) => turn.satelliteId === satelliteId);
  }
}

export function payloadOf(turn: RecordedTurn): Buffer {
  return Buffer.concat(turn.frames.map((frame) => frame.payload));
}
