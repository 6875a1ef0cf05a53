import { EventEmitter } from 'node:events';
import type { Logger } from '@hugh/common';
import { CAPTURE_SAMPLE_RATE_HZ, MAX_PRE_ROLL_MS, type PlaybackFormat, type SatelliteState } from '@hugh/protocol';
import { chimeDurationMs, chimePcm, CHIME_FORMAT, type Chime } from './audio/chimes.js';
import type { AudioInput } from './audio/input.js';
import { PcmRingBuffer } from './audio/ring-buffer.js';
import { applyVolume, type AudioSink } from './audio/sink.js';
import { pcmBytes } from './audio/wav.js';
import type { HubClient, OutgoingTurn, StreamEnd } from './hub-client.js';
import type { Detection, WakeWordDetector } from './wake/detector.js';

/** What the satellite is doing; the data each state needs travels with it. */
type Mode =
  | { state: 'idle' }
  | { state: 'streaming'; turn: OutgoingTurn }
  | { state: 'waiting'; turnId: number; sinceMs: number }
  | { state: 'speaking'; turnId: number }
  | { state: 'muted' };

export interface SatelliteOptions {
  /** Back to idle when no reply starts within this time after the end of speech. */
  replyTimeoutMs: number;
  chimes: boolean;
  logger: Logger;
}

export interface SatelliteEvents {
  state: [state: SatelliteState];
  wake: [detection: Detection, turnId: number | undefined];
  'turn-streamed': [turnId: number, reason: StreamEnd, frames: number];
  'reply-played': [turnId: number];
}

/**
 * The satellite: microphone → ring buffer → wake word → stream to the hub; reply frames →
 * speaker. The microphone loop never blocks on the network: sends are fire-and-forget and a lost
 * hub only abandons the turn.
 */
export class Satellite extends EventEmitter<SatelliteEvents> {
  private mode: Mode = { state: 'idle' };
  private readonly ring: PcmRingBuffer;
  private readonly logger: Logger;
  private chimeUntilMs = 0;
  private sinkBusy: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: HubClient,
    private readonly input: AudioInput,
    private readonly detector: WakeWordDetector,
    private readonly sink: AudioSink,
    private readonly options: SatelliteOptions,
  ) {
    super();
    this.logger = options.logger;
    // Holds as much as any hub may ask for; each turn sends the welcome's `preRollMs` of it.
    this.ring = new PcmRingBuffer(Math.round((CAPTURE_SAMPLE_RATE_HZ * MAX_PRE_ROLL_MS) / 1000));
    client.on('ready', () => {
      if (client.muted) this.setMode({ state: 'muted' });
      this.client.reportState(this.mode.state);
    });
    client.on('disconnected', () => {
      if (this.mode.state === 'speaking') this.sink.abort();
      if (this.mode.state !== 'muted') this.setMode({ state: 'idle' });
    });
    client.on('mute', (muted) => this.setMuted(muted));
    client.on('listen', (turnId) => this.startTurn(undefined, turnId));
    client.on('reply-start', (turnId, format) => this.onReplyStart(turnId, format));
    client.on('reply-audio', (frame) => {
      if (this.mode.state === 'speaking' && this.mode.turnId === frame.turnId) this.sink.write(applyVolume(frame.payload, this.client.volumePercent));
    });
    client.on('reply-stop', (turnId, reason) => this.onReplyStop(turnId, reason));
    client.on('transcript', (turnId, text) => this.logger.info({ turnId, text }, 'transcript'));
    client.on('hub-error', (_code, _message, turnId) => {
      // The hub could not answer this turn (every engine down): say so with the error chime.
      const mode = this.mode;
      const current = mode.state === 'waiting' || mode.state === 'speaking' ? mode.turnId : mode.state === 'streaming' ? mode.turn.turnId : undefined;
      if (turnId === undefined || turnId !== current) return;
      if (mode.state === 'streaming') mode.turn.abort('error');
      this.setMode({ state: 'idle' });
      if (this.options.chimes) this.playChime('error');
    });
  }

  get state(): SatelliteState {
    return this.mode.state;
  }

  /** The local mute switch (and the hub's mute command): muted means no wake detection at all. */
  setMuted(muted: boolean): void {
    if (muted === (this.mode.state === 'muted')) return;
    if (muted) {
      const mode = this.mode;
      if (mode.state === 'streaming') mode.turn.abort('cancelled');
      if (mode.state === 'speaking') this.sink.abort();
      // A turn the satellite gives up on: the hub stops working on it too.
      if (mode.state === 'waiting' || mode.state === 'speaking') this.client.cancelTurn(mode.turnId);
      this.setMode({ state: 'muted' });
    } else this.setMode({ state: 'idle' });
  }

  /** Runs until `signal` aborts: the microphone loop. */
  async run(signal: AbortSignal): Promise<void> {
    for await (const samples of this.input.samples(signal)) {
      this.ring.write(samples);
      const mode = this.mode;
      if (mode.state === 'muted') continue;
      if (mode.state === 'streaming') {
        this.stream(mode.turn, samples);
        continue;
      }
      if (mode.state === 'waiting' && Date.now() - mode.sinceMs > this.options.replyTimeoutMs) {
        this.logger.warn({ turnId: mode.turnId }, 'no reply from the hub; back to idle');
        this.client.cancelTurn(mode.turnId);
        this.setMode({ state: 'idle' });
      }
      // The satellite's own chime must not wake it.
      this.detector.suppressed = Date.now() < this.chimeUntilMs;
      this.detector.playing = this.mode.state === 'speaking';
      for (const detection of await this.detector.push(samples)) this.onDetection(detection);
    }
    if (this.mode.state === 'streaming') {
      this.mode.turn.end('end-of-input');
      this.setMode({ state: 'idle' });
    }
  }

  private stream(turn: OutgoingTurn, samples: Int16Array): void {
    turn.sendPcm(pcmBytes(samples));
  }

  /** Runs the moment the hub says stop (or the link drops), not at the next microphone chunk. */
  private endStream(turn: OutgoingTurn): void {
    if (this.mode.state !== 'streaming' || this.mode.turn !== turn) return;
    const reason = turn.abortReason ?? 'cancelled';
    turn.end(reason);
    this.emit('turn-streamed', turn.turnId, reason, turn.frameCount);
    if (reason === 'stop-listening' || reason === 'max-length') {
      if (this.options.chimes) this.playChime('done');
      this.setMode({ state: 'waiting', turnId: turn.turnId, sinceMs: Date.now() });
    } else this.setMode({ state: 'idle' });
  }

  private onDetection(detection: Detection): void {
    this.logger.info({ keyword: detection.keyword, score: Number(detection.score.toFixed(3)), levelDbfs: Number(detection.levelDbfs.toFixed(1)) }, 'wake word');
    if (!this.client.ready) {
      this.logger.warn('wake word heard, but the hub is not connected');
      this.emit('wake', detection, undefined);
      if (this.options.chimes) this.playChime('error');
      return;
    }
    if (this.mode.state === 'speaking') {
      // Barge-in: stop the reply at once; the hub cancels the old turn when the new wake arrives.
      this.sink.abort();
    }
    const turnId = this.startTurn(detection);
    this.emit('wake', detection, turnId);
  }

  private startTurn(detection: Detection | undefined, hubTurnId?: number): number | undefined {
    if (this.mode.state === 'muted' || this.mode.state === 'streaming') return undefined;
    const preRoll = detection ? this.ring.snapshot((this.client.preRollMs / 1000) * CAPTURE_SAMPLE_RATE_HZ) : new Int16Array(0);
    const turn = this.client.beginTurn({
      preRollMs: Math.round((preRoll.length / CAPTURE_SAMPLE_RATE_HZ) * 1000),
      ...(detection ? { wake: { engine: detection.engine, keyword: detection.keyword, score: detection.score, levelDbfs: detection.levelDbfs, detectedAtMs: Date.now() } } : {}),
      ...(hubTurnId !== undefined ? { turnId: hubTurnId } : {}),
    });
    if (!turn) return undefined;
    if (preRoll.length > 0) turn.sendPcm(pcmBytes(preRoll), Date.now() - (preRoll.length / CAPTURE_SAMPLE_RATE_HZ) * 1000);
    this.setMode({ state: 'streaming', turn });
    turn.signal.addEventListener('abort', () => this.endStream(turn), { once: true });
    if (this.options.chimes) this.playChime('wake');
    return turn.turnId;
  }

  private onReplyStart(turnId: number, format: PlaybackFormat): void {
    if (this.mode.state === 'muted') return;
    if (this.mode.state === 'streaming') this.mode.turn.abort('cancelled');
    this.setMode({ state: 'speaking', turnId });
    this.sink.open(format);
  }

  private onReplyStop(turnId: number, reason: string): void {
    if (this.mode.state !== 'speaking' || this.mode.turnId !== turnId) return;
    const finished = reason === 'done' ? this.sink.finish() : (this.sink.abort(), Promise.resolve());
    this.sinkBusy = finished;
    void finished.then(() => {
      this.emit('reply-played', turnId);
      if (this.mode.state === 'speaking' && this.mode.turnId === turnId) this.setMode({ state: 'idle' });
    });
  }

  /** Plays a chime unless a reply is playing; wake detection ignores the microphone meanwhile. */
  private playChime(chime: Chime): void {
    if (this.mode.state === 'speaking') return;
    this.chimeUntilMs = Date.now() + chimeDurationMs(chime) + 150;
    this.sinkBusy = this.sinkBusy.then(() => {
      if (this.mode.state === 'speaking') return;
      this.sink.open(CHIME_FORMAT, 'chime');
      this.sink.write(applyVolume(chimePcm(chime), this.client.volumePercent));
      return this.sink.finish();
    });
  }

  private setMode(mode: Mode): void {
    const changed = mode.state !== this.mode.state;
    this.mode = mode;
    if (!changed) return;
    this.logger.debug({ state: mode.state }, 'state');
    this.client.reportState(mode.state);
    this.emit('state', mode.state);
  }
}
