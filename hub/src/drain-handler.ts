import type { Logger } from '@hugh/common';
import type { Turn, TurnHandler } from './session/turn.js';

/**
 * Receives a turn's audio and answers nothing. The hub uses it until a voice pipeline is
 * configured; tests use it to check what arrived.
 */
export class DrainTurnHandler implements TurnHandler {
  constructor(private readonly logger: Logger) {}

  async handleTurn(turn: Turn): Promise<void> {
    let frames = 0;
    for await (const _frame of turn.audio) frames++;
    this.logger.debug({ satelliteId: turn.satelliteId, turnId: turn.turnId, frames }, 'turn audio drained');
  }
}
