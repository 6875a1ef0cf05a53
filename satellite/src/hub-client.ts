import { EventEmitter } from 'node:events';
import type { Logger } from '@hugh/common';
import {
  CAPTURE_SAMPLE_RATE_HZ,
  Framer,
  encodeAudioFrame,
  newTurnId,
  satelliteMessage,
  type AudioFrame,
  type HubMessage,
  type PlaybackFormat,
  type SatelliteState,
} from '@hugh/protocol';
import { DEFAULT_REPLY_TIMEOUT_MS } from './config.js';
import type { HubLink } from './link/hub-link.js';

/** Frames the satellite streams: 40 ms of 16 kHz mono s16le. */
export const CAPTURE_FRAME_MS = 40;
export const CAPTURE_FRAME_BYTES = (CAPTURE_SAMPLE_RATE_HZ * CAPTURE_FRAME_MS * 2) / 1000;
const HELLO_RETRY_MS = 1_000;

export interface WakeDetection {
  engine: string;
  keyword: string;
  score: number;
  levelDbfs: number;
  detectedAtMs: number;
}

export interface HubClientOptions {
  satelliteId: string;
  room?: string;
  softwareVersion: string;
  wakeEngines: string[];
  playbackFormats: PlaybackFormat[];
  logger: Logger;
  /** How long a reply is awaited after the audio went out; default: the config's `turn.replyTimeoutMs`. */
  replyTimeoutMs?: number;
}

type Reply = { turnId: number; format: PlaybackFormat };

export interface HubClientEvents {
  ready: [];
  disconnected: [];
  'reply-start': [turnId: number, format: PlaybackFormat];
  'reply-audio': [frame: AudioFrame];
  'reply-stop': [turnId: number, reason: string];
  transcript: [turnId: number, text: string];
  mute: [muted: boolean];
  volume: [percent: number];
  listen: [turnId: number];
  say: [text: string];
  'hub-error': [code: string, message: string, turnId: number | undefined];
}

/** Why an outgoing turn's audio stopped. */
export type StreamEnd = 'stop-listening' | 'max-length' | 'end-of-input' | 'cancelled' | 'error';

/**
 * One turn's outgoing audio. `signal` aborts when the hub says stop-listening or cancel, the link
 * drops, or the turn reaches the hub's longest utterance (the welcome's `maxUtteranceMs`, the one
 * limit the satellite keeps): the turn is then abandoned, never resumed, so no stale audio reaches the hub.
 */
export class OutgoingTurn {
  private readonly controller = new AbortController();
  private readonly framer = new Framer(CAPTURE_FRAME_BYTES);
  private seq = 0;
  private ended = false;
  private firstSampleMs: number | undefined;

  constructor(
    readonly turnId: number,
    private readonly link: HubLink,
    private readonly maxUtteranceMs: number,
    private readonly onEnd: (turn: OutgoingTurn, reason: StreamEnd) => void,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get frameCount(): number {
    return this.seq;
  }

  /** Appends PCM (16 kHz mono s16le) and sends every whole 40 ms frame. */
  sendPcm(pcm: Uint8Array, capturedAtMs = Date.now()): void {
    if (this.ended || this.signal.aborted) return;
    this.firstSampleMs ??= capturedAtMs;
    for (const frame of this.framer.push(pcm)) {
      this.sendFrame(frame, false);
      if (this.seq * CAPTURE_FRAME_MS >= this.maxUtteranceMs) return this.abort('max-length');
    }
  }

  private sendFrame(payload: Uint8Array, last: boolean): void {
    const timestampMs = (this.firstSampleMs ?? Date.now()) + this.seq * CAPTURE_FRAME_MS;
    const frame = encodeAudioFrame({ turnId: this.turnId, seq: this.seq++, sampleRateHz: CAPTURE_SAMPLE_RATE_HZ, channels: 1, codec: 'pcm_s16le', last, timestampMs, payload });
    this.link.sendAudio(frame);
  }

  /** Ends the stream: flushes a partial frame (unless aborted) and tells the hub why. */
  end(reason: StreamEnd): void {
    if (this.ended) return;
    this.ended = true;
    const rest = this.framer.flush();
    if (!this.signal.aborted && rest.length > 0) this.sendFrame(rest, false);
    this.link.sendControl(satelliteMessage({ type: 'audio-stop', turnId: this.turnId, reason, frameCount: this.seq }));
    this.onEnd(this, reason);
  }

  abort(reason: StreamEnd): void {
    if (!this.signal.aborted) this.controller.abort(reason);
  }

  get abortReason(): StreamEnd | undefined {
    return this.signal.aborted ? (this.signal.reason as StreamEnd) : undefined;
  }
}

/**
 * The satellite's protocol client: hello/welcome on every (re)connect, outgoing turns, and hub
 * messages turned into events. Frames of a reply that is no longer current are dropped.
 */
export class HubClient extends EventEmitter<HubClientEvents> {
  muted = false;
  volumePercent = 70;
  /** The hub's limits, from its welcome. */
  maxUtteranceMs = 15_000;
  /** Audio from before the wake word's end the hub wants at the start of each turn. */
  preRollMs = 0;
  private isReady = false;
  /** Refused by the hub (`reject`): no more hellos until the link reconnects. */
  private rejected = false;
  private helloTimer: NodeJS.Timeout | undefined;
  private outgoing: OutgoingTurn | undefined;
  private reply: Reply | undefined;
  /** What the satellite last reported (reportState): `waiting` and `speaking` are turns in flight too. */
  private reportedState: SatelliteState = 'idle';
  /** A turn whose audio went out and whose reply has not started yet: the hub is working on it. */
  private awaitingReply: { turnId: number; sinceMs: number } | undefined;
  private readonly logger: Logger;

  constructor(
    readonly link: HubLink,
    private readonly options: HubClientOptions,
  ) {
    super();
    this.logger = options.logger;
    link.on('up', () => {
      this.rejected = false;
      this.sendHello();
    });
    link.on('down', (reason) => this.lost(reason));
    link.on('hub-status', (online) => {
      if (online) this.sendHello();
      else this.lost('hub went offline');
    });
    link.on('control', (message) => this.onControl(message));
    link.on('audio', (frame) => {
      if (this.reply?.turnId === frame.turnId) this.emit('reply-audio', frame);
      else this.logger.debug({ turnId: frame.turnId }, 'reply frame for a turn that is not playing; dropped');
    });
    link.on('problem', (error) => this.logger.warn({ err: error }, 'bad input from hub ignored'));
    // A link with several hubs moves back to a better one only between turns.
    link.setSwitchGuard?.(() => this.idle);
  }

  /** No turn in flight: nothing streaming, no reply awaited (within the reply timeout) or playing. */
  get idle(): boolean {
    const awaiting = this.awaitingReply !== undefined && Date.now() - this.awaitingReply.sinceMs < (this.options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS);
    return !this.outgoing && !this.reply && !awaiting && (this.reportedState === 'idle' || this.reportedState === 'muted');
  }

  get ready(): boolean {
    return this.isReady && this.link.connected;
  }

  get currentTurn(): OutgoingTurn | undefined {
    return this.outgoing;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.helloTimer);
    this.outgoing?.abort('cancelled');
    await this.link.stop();
  }

  /** Resolves when the hub has welcomed this satellite. */
  waitReady(timeoutMs = 10_000): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('ready', onReady);
        reject(new Error(`hub did not welcome the satellite within ${timeoutMs} ms`));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.once('ready', onReady);
    });
  }

  reportState(state: SatelliteState): void {
    this.reportedState = state;
    this.link.sendControl(satelliteMessage({ type: 'state', state }));
  }

  /**
   * Starts streaming a turn: wake (if any) then audio-start. The previous turn, if still open,
   * is ended first. Returns undefined when the hub is not connected: nothing is queued.
   */
  beginTurn(options: { wake?: WakeDetection; preRollMs: number; turnId?: number }): OutgoingTurn | undefined {
    if (!this.ready) return undefined;
    this.outgoing?.end('cancelled');
    const turnId = options.turnId ?? newTurnId('satellite');
    if (options.wake) this.link.sendControl(satelliteMessage({ type: 'wake', turnId, ...options.wake }));
    this.link.sendControl(
      satelliteMessage({ type: 'audio-start', turnId, sampleRateHz: CAPTURE_SAMPLE_RATE_HZ, channels: 1, codec: 'pcm_s16le', preRollMs: Math.round(options.preRollMs) }),
    );
    this.awaitingReply = undefined;
    const turn = new OutgoingTurn(turnId, this.link, this.maxUtteranceMs, (ended, reason) => {
      if (this.outgoing !== ended) return;
      this.outgoing = undefined;
      // Its audio is with the hub, which answers unless the turn was given up.
      if (reason !== 'cancelled' && reason !== 'error') this.awaitingReply = { turnId: ended.turnId, sinceMs: Date.now() };
    });
    this.outgoing = turn;
    return turn;
  }

  /** Tells the hub to drop a turn the satellite gave up on (muted mid-turn, no reply in time), so it stops working on it. */
  cancelTurn(turnId: number): void {
    this.link.sendControl(satelliteMessage({ type: 'cancel', turnId, reason: 'user' }));
    if (this.reply?.turnId === turnId) this.reply = undefined;
    this.settled(turnId);
  }

  /** The hub is gone: abandon the turn in flight, stop any reply, wait for the link to come back. */
  private lost(reason: string): void {
    const wasReady = this.isReady;
    this.isReady = false;
    this.outgoing?.abort('error');
    if (this.reply) this.emit('reply-stop', this.reply.turnId, 'disconnected');
    this.reply = undefined;
    this.awaitingReply = undefined;
    if (wasReady) {
      this.logger.warn({ reason }, 'hub connection lost');
      this.emit('disconnected');
    }
  }

  /**
   * Says hello, and again every `HELLO_RETRY_MS` until welcomed: a hello can be lost when the
   * broker is back before the hub has resubscribed.
   */
  private sendHello(): void {
    clearTimeout(this.helloTimer);
    this.helloTimer = setTimeout(() => {
      if (!this.isReady && !this.rejected && this.link.connected) this.sendHello();
    }, HELLO_RETRY_MS);
    this.helloTimer.unref();
    this.link.sendControl(
      satelliteMessage({
        type: 'hello',
        satelliteId: this.options.satelliteId,
        ...(this.options.room ? { room: this.options.room } : {}),
        softwareVersion: this.options.softwareVersion,
        capabilities: { wakeEngines: this.options.wakeEngines, playback: this.options.playbackFormats.length > 0 },
        playbackFormats: this.options.playbackFormats,
        ...(this.link.hubCount !== undefined ? { link: { hubIndex: this.link.hubIndex ?? 0, hubCount: this.link.hubCount } } : {}),
      }),
    );
  }

  /** The hub is done with this turn (reply started or over, cancelled, failed). */
  private settled(turnId: number | undefined): void {
    if (this.awaitingReply?.turnId === turnId) this.awaitingReply = undefined;
  }

  private onControl(message: HubMessage): void {
    if ('turnId' in message && message.type !== 'stop-listening' && message.type !== 'transcript') this.settled(message.turnId);
    switch (message.type) {
      case 'welcome':
        this.isReady = true;
        this.muted = message.muted;
        this.volumePercent = message.volumePercent;
        this.maxUtteranceMs = message.maxUtteranceMs;
        this.preRollMs = message.preRollMs;
        this.logger.info({ hubVersion: message.hubVersion }, 'welcomed by hub');
        this.emit('ready');
        return;
      case 'reject':
        this.rejected = true;
        clearTimeout(this.helloTimer);
        this.logger.error({ code: message.code }, `hub rejected this satellite: ${message.message}`);
        this.emit('hub-error', message.code, message.message, undefined);
        return;
      case 'stop-listening':
        if (this.outgoing?.turnId === message.turnId) this.outgoing.abort('stop-listening');
        return;
      case 'cancel':
        if (this.outgoing?.turnId === message.turnId) this.outgoing.abort('cancelled');
        if (this.reply?.turnId === message.turnId) {
          this.reply = undefined;
          this.emit('reply-stop', message.turnId, 'cancelled');
        }
        return;
      case 'transcript':
        this.emit('transcript', message.turnId, message.text);
        return;
      case 'reply-start':
        this.reply = { turnId: message.turnId, format: { sampleRateHz: message.sampleRateHz, channels: message.channels } };
        this.emit('reply-start', message.turnId, this.reply.format);
        return;
      case 'reply-stop':
        if (this.reply?.turnId === message.turnId) {
          this.reply = undefined;
          this.emit('reply-stop', message.turnId, message.reason);
        }
        return;
      case 'mute':
        this.muted = message.muted;
        this.emit('mute', message.muted);
        return;
      case 'volume':
        this.volumePercent = message.percent;
        this.emit('volume', message.percent);
        return;
      case 'listen':
        this.emit('listen', message.turnId);
        return;
      case 'say':
        this.emit('say', message.text);
        return;
      case 'ping':
        this.link.sendControl(satelliteMessage({ type: 'pong', nonce: message.nonce }));
        return;
      case 'pong':
        return;
      case 'error':
        this.logger.warn({ code: message.code, turnId: message.turnId }, `hub reported: ${message.message}`);
        if (message.code === 'HUGH_ERR_HELLO_REQUIRED') {
          // The hub restarted behind a broker that stayed up: it no longer knows us.
          this.lost('hub forgot this satellite');
          this.sendHello();
        }
        this.emit('hub-error', message.code, message.message, message.turnId);
        return;
    }
  }
}

/**
 * Streams PCM chunks as one turn until the input ends, the hub says stop, or the turn is
 * abandoned. Returns why it ended and how many frames went out.
 */
export async function streamTurn(
  client: HubClient,
  audio: AsyncIterable<Uint8Array>,
  options: { wake?: WakeDetection; preRollMs?: number; turnId?: number } = {},
): Promise<{ turnId: number; frames: number; reason: StreamEnd } | undefined> {
  const turn = client.beginTurn({ preRollMs: options.preRollMs ?? 0, ...(options.wake ? { wake: options.wake } : {}), ...(options.turnId !== undefined ? { turnId: options.turnId } : {}) });
  if (!turn) return undefined;
  for await (const chunk of audio) {
    if (turn.signal.aborted) break;
    turn.sendPcm(chunk);
  }
  const reason: StreamEnd = turn.signal.aborted ? (turn.abortReason ?? 'cancelled') : 'end-of-input';
  turn.end(reason);
  return { turnId: turn.turnId, frames: turn.frameCount, reason };
}
