import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@hugh/common';
import {
  HughError,
  hubMessage,
  newTurnId,
  type AudioFrame,
  type SatelliteMessage,
  type SatelliteState,
} from '@hugh/protocol';
import type { HubCounters } from '../counters.js';
import type { HubEvents } from '../events.js';
import type { SatelliteLink } from '../transport/link.js';
import { ActiveTurn, type CancelReason } from './active-turn.js';
import type { Announcer, TurnHandler, WakeInfo } from './turn.js';

type Hello = Extract<SatelliteMessage, { type: 'hello' }>;

export interface SessionOptions {
  maxUtteranceMs: number;
  /** Pre-roll the hub keeps from before the wake word's end; sent to the satellite in its welcome. */
  preRollMs: number;
  hubVersion: string;
  turnHandler: TurnHandler;
  /** Speaks announcements; absent: `announce` fails with HUGH_ERR_ENGINE_UNAVAILABLE. */
  announcer?: Announcer;
  logger: Logger;
  events: HubEvents;
  counters: HubCounters;
}

/** What a session carries over to the next connection of the same satellite (a reconnect). */
export interface SessionSettings {
  muted: boolean;
  volumePercent: number;
}

/** How many ended turn ids to remember, so their late frames are dropped quietly rather than reported. */
const RECENT_TURNS = 8;
export const DEFAULT_VOLUME_PERCENT = 70;

/**
 * One satellite's session: its hello, its state and at most one turn. A new wake word or
 * audio-start while a turn runs is a barge-in: the old turn is cancelled first. Its state is read
 * only from outside; what home automation may do to a satellite are its methods (`setMuted`,
 * `setVolume`, `requestListen`, `announce`, `stop`), which also tell the satellite.
 */
export class SatelliteSession {
  readonly satelliteId: string;
  private currentState: SatelliteState = 'idle';
  private isMuted: boolean;
  private volume: number;
  private seenMs = Date.now();
  private turn: ActiveTurn | undefined;
  private pendingWake: (WakeInfo & { turnId: number }) | undefined;
  private readonly endedTurns: number[] = [];
  private readonly logger: Logger;

  constructor(
    readonly link: SatelliteLink,
    readonly hello: Hello,
    private readonly options: SessionOptions,
    settings: SessionSettings = { muted: false, volumePercent: DEFAULT_VOLUME_PERCENT },
  ) {
    this.satelliteId = hello.satelliteId;
    this.isMuted = settings.muted;
    this.volume = settings.volumePercent;
    this.logger = options.logger.child({ satelliteId: this.satelliteId });
  }

  get state(): SatelliteState {
    return this.currentState;
  }

  get muted(): boolean {
    return this.isMuted;
  }

  get volumePercent(): number {
    return this.volume;
  }

  get lastSeenMs(): number {
    return this.seenMs;
  }

  get settings(): SessionSettings {
    return { muted: this.isMuted, volumePercent: this.volume };
  }

  get activeTurn(): ActiveTurn | undefined {
    return this.turn;
  }

  welcome(): void {
    this.link.sendControl(
      hubMessage({
        type: 'welcome',
        satelliteId: this.satelliteId,
        hubVersion: this.options.hubVersion,
        maxUtteranceMs: this.options.maxUtteranceMs,
        preRollMs: this.options.preRollMs,
        muted: this.isMuted,
        volumePercent: this.volume,
      }),
    );
  }

  /** Muted: no wake-word detection on the satellite; a turn in progress is cut. */
  setMuted(muted: boolean): void {
    this.isMuted = muted;
    if (muted) this.cancelTurn('stop-command', true);
    this.link.sendControl(hubMessage({ type: 'mute', muted }));
  }

  setVolume(percent: number): void {
    this.volume = percent;
    this.link.sendControl(hubMessage({ type: 'volume', percent }));
    this.options.events.emit('volume', this.satelliteId, percent);
  }

  /** Starts a turn without the wake word: the satellite opens its microphone at once. */
  requestListen(): void {
    this.link.sendControl(hubMessage({ type: 'listen', turnId: newTurnId('hub') }));
  }

  /** Cuts the turn and its reply (the `stop` command). */
  stop(): void {
    this.cancelTurn('stop-command', true);
  }

  /** Handles one validated control message (hello is handled by the session manager). */
  handleMessage(message: Exclude<SatelliteMessage, Hello>): void {
    this.seenMs = Date.now();
    switch (message.type) {
      case 'wake':
        if (this.turn) this.cancelTurn('wake-word', true);
        this.pendingWake = { turnId: message.turnId, engine: message.engine, keyword: message.keyword, score: message.score, levelDbfs: message.levelDbfs, detectedAtMs: message.detectedAtMs };
        this.logger.info({ turnId: message.turnId, keyword: message.keyword, score: message.score, levelDbfs: message.levelDbfs }, 'wake word');
        this.options.events.emit('wake', this.satelliteId, this.pendingWake);
        return;
      case 'audio-start':
        this.startTurn(message);
        return;
      case 'audio-stop':
        if (this.turn?.turnId === message.turnId) this.turn.endInput();
        return;
      case 'cancel':
        if (this.turn?.turnId === message.turnId) this.cancelTurn(message.reason, false);
        return;
      case 'state':
        if (message.state !== this.currentState) this.options.events.emit('state', this.satelliteId, message.state);
        this.currentState = message.state;
        return;
      case 'ping':
        this.link.sendControl(hubMessage({ type: 'pong', nonce: message.nonce }));
        return;
      case 'pong':
        return;
      case 'error':
        this.logger.warn({ code: message.code, turnId: message.turnId }, `satellite reported: ${message.message}`);
        return;
    }
  }

  /** Routes one decoded frame to its turn. Throws HUGH_ERR_UNKNOWN_TURN for a turn never seen. */
  handleFrame(frame: AudioFrame): void {
    this.seenMs = Date.now();
    const turn = this.turn;
    if (turn?.turnId === frame.turnId) {
      if (turn.acceptFrame(frame) === 'dropped') this.options.counters.framesDropped++;
      return;
    }
    if (this.endedTurns.includes(frame.turnId)) {
      // In flight when the turn ended (stop-listening crossed it): expected, not an error.
      this.options.counters.framesDropped++;
      this.logger.debug({ turnId: frame.turnId, seq: frame.seq }, 'audio frame dropped: turn already ended');
      return;
    }
    this.options.counters.framesDropped++;
    throw new HughError('HUGH_ERR_UNKNOWN_TURN', `audio frame for turn ${frame.turnId}, which is not active (send audio-start first)`);
  }

  cancelTurn(reason: CancelReason, tellSatellite: boolean): void {
    const turn = this.turn;
    if (!turn) return;
    this.logger.info({ turnId: turn.turnId, reason }, 'turn cancelled');
    turn.cancel(reason, tellSatellite);
    this.retire(turn);
  }

  /** The link is gone or replaced: cancel whatever runs. */
  close(reason: CancelReason): void {
    this.cancelTurn(reason, false);
  }

  /**
   * Speaks an announcement: a hub-started turn with no audio input. It interrupts whatever the
   * satellite was doing, as a doorbell announcement should. Resolves (never rejects) once it has been
   * spoken: its turn ended, and the satellite has had the time to play what it was sent; at once when
   * it was cut or failed.
   */
  announce(text: string): Promise<void> {
    const { announcer } = this.options;
    if (!announcer) throw new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', 'this hub has no text to speech configured');
    if (this.turn) this.cancelTurn('stop-command', true);
    const turnId = newTurnId('hub');
    const turn = this.newTurn(turnId, undefined, 0);
    turn.endInput();
    this.turn = turn;
    this.link.sendControl(hubMessage({ type: 'say', turnId, text }));
    return this.run(turn, () => announcer.announce(turn, text)).then(async () => {
      const playingMs = (turn.replyPlayedByMs ?? 0) - Date.now();
      if (playingMs > 0 && !turn.signal.aborted) await sleep(playingMs, undefined, { ref: false });
    });
  }

  private newTurn(turnId: number, wake: WakeInfo | undefined, preRollMs: number): ActiveTurn {
    return new ActiveTurn({
      link: this.link,
      satelliteId: this.satelliteId,
      room: this.hello.room,
      turnId,
      wake,
      playbackFormats: this.hello.playbackFormats,
      preRoll: { sentMs: preRollMs, keptMs: this.options.preRollMs },
      maxUtteranceMs: this.options.maxUtteranceMs,
      logger: this.logger.child({ turnId }),
      counters: this.options.counters,
      onTranscript: (text) => this.options.events.emit('transcript', this.satelliteId, turnId, text),
    });
  }

  private startTurn(message: Extract<SatelliteMessage, { type: 'audio-start' }>): void {
    if (this.turn?.turnId === message.turnId) return; // a repeated audio-start changes nothing
    if (this.turn) this.cancelTurn('wake-word', true);
    const wake = this.pendingWake?.turnId === message.turnId ? this.pendingWake : undefined;
    this.pendingWake = undefined;
    const turn = this.newTurn(message.turnId, wake, message.preRollMs);
    this.turn = turn;
    this.logger.info({ turnId: turn.turnId, preRollMs: message.preRollMs }, 'turn started');
    this.run(turn, () => this.options.turnHandler.handleTurn(turn));
  }

  /** Runs a turn's work; a failure ends this turn only, with a coded error to the satellite. */
  private run(turn: ActiveTurn, work: () => Promise<void>): Promise<void> {
    const startedMs = Date.now();
    return work()
      .catch((error: unknown) => {
        const code = error instanceof HughError ? error.code : 'HUGH_ERR_INTERNAL';
        this.logger.error({ turnId: turn.turnId, err: error }, 'turn failed');
        this.options.events.emit('error', this.satelliteId, { code, message: (error as Error).message, turnId: turn.turnId });
        this.link.sendControl(hubMessage({ type: 'error', code, message: 'the turn failed', turnId: turn.turnId }));
        turn.cancel('error', true);
      })
      .finally(() => {
        this.logger.info({ turnId: turn.turnId, ...turn.stats, elapsedMs: Date.now() - startedMs, cancelled: turn.signal.aborted }, 'turn ended');
        if (this.turn === turn) this.retire(turn);
      });
  }

  private retire(turn: ActiveTurn): void {
    // A pipeline that finished while the satellite still streams must release the microphone.
    if (turn.isListening && !turn.signal.aborted) turn.stopListening('end-of-speech');
    if (this.turn === turn) this.turn = undefined;
    this.endedTurns.push(turn.turnId);
    if (this.endedTurns.length > RECENT_TURNS) this.endedTurns.shift();
  }
}
