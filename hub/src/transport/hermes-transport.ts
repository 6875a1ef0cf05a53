import { randomUUID } from 'node:crypto';
import type { Logger } from '@hugh/common';
import {
  CAPTURE_SAMPLE_RATE_HZ,
  Framer,
  MAX_CONTROL_BYTES,
  MAX_FRAME_BYTES,
  MAX_PRE_ROLL_MS,
  decodeAudioFrame,
  encodeAudioFrame,
  encodeMessage,
  newTurnId,
  pcmBytes,
  pcmSamples,
  satelliteMessage,
  type ErrorCode,
  type HubMessage,
  type PlaybackFormat,
  type SatelliteMessageBody,
  type SatelliteState,
} from '@hugh/protocol';
import { wavBytes } from '../engines/wav.js';
import { HermesAudioConverter, PreRollBuffer, levelDbfs } from './hermes-audio.js';
import type { LinkInputs, SatelliteLink } from './link.js';
import type { MqttBus } from './mqtt-bus.js';

/** A Rhasspy 2.5 satellite the hub serves: its Hermes site id (also its satellite id here) and room. */
export interface HermesSite {
  siteId: string;
  room?: string | undefined;
}

/** 40 ms of 16 kHz mono s16le: the frames satellites send. */
const FRAME_BYTES = (CAPTURE_SAMPLE_RATE_HZ * 40 * 2) / 1000;
/** Formats a Rhasspy site plays (any WAV, through aplay): the TTS's own rate is sent as it is. */
const PLAYBACK_FORMATS: PlaybackFormat[] = [16_000, 22_050, 24_000, 44_100, 48_000].map((sampleRateHz) => ({ sampleRateHz, channels: 1 }));
/** Longest reply kept for one playBytes: beyond it the rest is dropped, not buffered. */
const MAX_REPLY_MS = 120_000;
/** Waited beyond a reply's own length for playFinished, as Rhasspy's dialogue manager waits for its sounds. */
const PLAY_FINISHED_GRACE_MS = 2_000;
/** Malformed input from a site is logged at most this often. */
const WARN_EVERY_MS = 10_000;

type Turn = { turnId: number; seq: number; framer: Framer; sentMs: number; firstMs: number };
type Reply = { turnId: number; format: PlaybackFormat; chunks: Uint8Array[]; bytes: number };

/**
 * The hub's end of one Rhasspy site, as a satellite link: the session layer sees a satellite like any
 * other (hello, wake, audio-start, 16 kHz frames, audio-stop; state messages), synthesised from the
 * Hermes messages, so VAD, STT, dispatch and TTS are the pipeline's own. What the hub sends back
 * becomes Hermes: stop-listening → `hermes/asr/stopListening`; reply-start, frames and reply-stop →
 * one WAV on `hermes/audioServer/<site>/playBytes/<request>`, framed as Rhasspy's dialogue manager
 * frames a sound: `hermes/hotword/toggleOff` (reason playAudio) before, `toggleOn` after the site's
 * `playFinished` (or the reply's length and a grace). A turn keeps the site's hotword off from the
 * wake to the end of the reply (reason dialogueSession) and asks its microphone to stream with
 * `hermes/asr/startListening` (a site sending audio over UDP switches to MQTT for it).
 */
class HermesSiteLink implements SatelliteLink {
  readonly transport = 'hermes';
  readonly remote: string;
  readonly identity: string;
  closed = false;
  private preRoll = new PreRollBuffer();
  private readonly converter = new HermesAudioConverter();
  private maxUtteranceMs = 15_000;
  private muted = false;
  private turn: Turn | undefined;
  private reply: Reply | undefined;
  /** The turn whose dialogue session holds the hotword off, and the playback awaited. */
  private session: number | undefined;
  private playing: { requestId: string; done: () => void } | undefined;
  private lastWarnMs = 0;

  constructor(
    readonly site: HermesSite,
    private readonly bus: MqttBus,
    private readonly inputs: LinkInputs,
    private readonly logger: Logger,
  ) {
    this.remote = `hermes:${site.siteId}`;
    this.identity = site.siteId;
  }

  /** Says hello for the site: configured sites are satellites from the start (Hermes has no presence message). */
  hello(): void {
    this.send({
      type: 'hello',
      satelliteId: this.site.siteId,
      ...(this.site.room ? { room: this.site.room } : {}),
      softwareVersion: 'rhasspy-hermes',
      capabilities: { wakeEngines: ['rhasspy'], playback: true },
      playbackFormats: PLAYBACK_FORMATS,
    });
  }

  // ── Hermes → hub ────────────────────────────────────────────────────────────

  audioFrame(wav: Buffer): void {
    let samples: Int16Array;
    try {
      samples = this.converter.convert(wav);
    } catch (error) {
      return this.warn('audioFrame refused', error);
    }
    const turn = this.turn;
    if (!turn) return this.preRoll.push(samples);
    this.stream(turn, pcmBytes(samples));
    if (turn.sentMs >= this.maxUtteranceMs) this.endStreaming('max-length');
  }

  hotword(wakewordId: string, detected: { currentSensitivity?: unknown }): void {
    if (this.muted) return;
    const turnId = newTurnId('satellite');
    const preRoll = this.preRoll.take();
    const score = typeof detected.currentSensitivity === 'number' && detected.currentSensitivity >= 0 && detected.currentSensitivity <= 1 ? detected.currentSensitivity : 1;
    this.startTurn(turnId, { engine: 'rhasspy', keyword: wakewordId.slice(0, 64), score, levelDbfs: levelDbfs(preRoll), detectedAtMs: Date.now() }, preRoll);
  }

  playFinished(id: string): void {
    if (this.playing?.requestId === id) this.playing.done();
  }

  // ── hub → Hermes ────────────────────────────────────────────────────────────

  sendControl(message: HubMessage): void {
    switch (message.type) {
      case 'welcome':
        this.maxUtteranceMs = message.maxUtteranceMs;
        this.preRoll.resize(Math.min(message.preRollMs, MAX_PRE_ROLL_MS));
        this.setMuted(message.muted);
        return;
      case 'listen':
        if (!this.muted) this.startTurn(message.turnId, undefined, new Int16Array(0));
        return;
      case 'stop-listening':
        if (this.turn?.turnId === message.turnId) this.endStreaming('stop-listening');
        return;
      case 'reply-start':
        this.reply = { turnId: message.turnId, format: { sampleRateHz: message.sampleRateHz, channels: message.channels }, chunks: [], bytes: 0 };
        return;
      case 'reply-stop': {
        const reply = this.reply?.turnId === message.turnId ? this.reply : undefined;
        this.reply = undefined;
        if (reply && message.reason === 'done' && reply.bytes > 0) void this.play(reply);
        else this.endSession(message.turnId);
        return;
      }
      case 'cancel':
        if (this.turn?.turnId === message.turnId) this.dropTurn();
        if (this.reply?.turnId === message.turnId) this.reply = undefined;
        this.endSession(message.turnId);
        return;
      case 'mute':
        this.setMuted(message.muted);
        return;
      case 'error':
      case 'reject':
        this.logger.warn({ siteId: this.site.siteId, code: message.code, reason: message.message }, 'the hub refused input from a Rhasspy site');
        return;
      case 'ping':
        this.send({ type: 'pong', nonce: message.nonce });
        return;
      default:
        // transcript, say (its reply follows as audio), volume (no volume message in Hermes 2.5), pong.
        return;
    }
  }

  sendAudio(frame: Uint8Array): boolean {
    const reply = this.reply;
    if (this.closed || !reply) return false;
    const decoded = decodeAudioFrame(frame);
    if (decoded.turnId !== reply.turnId) return false;
    const maxBytes = (MAX_REPLY_MS / 1000) * reply.format.sampleRateHz * reply.format.channels * 2;
    if (reply.bytes + decoded.payload.byteLength > maxBytes) return false;
    reply.chunks.push(decoded.payload.slice());
    reply.bytes += decoded.payload.byteLength;
    return true;
  }

  close(code: ErrorCode): void {
    if (this.closed) return;
    this.closed = true;
    this.logger.warn({ siteId: this.site.siteId, code }, 'Rhasspy site link closed by the hub; it says hello again with its next message');
    this.dropTurn();
    this.playing?.done();
  }

  // ── inside ──────────────────────────────────────────────────────────────────

  private send(body: SatelliteMessageBody): void {
    if (!this.closed) this.inputs.onControl(this, encodeMessage(satelliteMessage(body)));
  }

  private publish(topic: string, body: Record<string, unknown>): void {
    this.bus.publish(topic, JSON.stringify(body));
  }

  private state(state: SatelliteState): void {
    this.send({ type: 'state', state: this.muted ? 'muted' : state });
  }

  private setMuted(muted: boolean): void {
    if (muted === this.muted) return;
    this.muted = muted;
    // Reason "" (unknown) is the site's own switch, apart from the dialogue's reasons.
    this.publish(`hermes/hotword/${muted ? 'toggleOff' : 'toggleOn'}`, { siteId: this.site.siteId, reason: '' });
    if (muted) this.dropTurn();
    this.send({ type: 'state', state: muted ? 'muted' : 'idle' });
  }

  private startTurn(turnId: number, wake: Omit<Extract<SatelliteMessageBody, { type: 'wake' }>, 'type' | 'turnId'> | undefined, preRoll: Int16Array): void {
    if (this.turn) this.dropTurn();
    const preRollMs = Math.floor((preRoll.length / CAPTURE_SAMPLE_RATE_HZ) * 1000);
    if (wake) this.send({ type: 'wake', turnId, ...wake });
    this.send({ type: 'audio-start', turnId, sampleRateHz: CAPTURE_SAMPLE_RATE_HZ, channels: 1, codec: 'pcm_s16le', preRollMs });
    const turn: Turn = { turnId, seq: 0, framer: new Framer(FRAME_BYTES), sentMs: 0, firstMs: Date.now() - preRollMs };
    this.turn = turn;
    this.session = turnId;
    const siteId = this.site.siteId;
    this.publish('hermes/hotword/toggleOff', { siteId, reason: 'dialogueSession' });
    this.publish('hermes/asr/startListening', { siteId, sessionId: String(turnId), stopOnSilence: true, sendAudioCaptured: false, wakewordId: wake?.keyword ?? null, lang: null });
    this.state('streaming');
    this.stream(turn, pcmBytes(preRoll));
  }

  private stream(turn: Turn, pcm: Uint8Array): void {
    for (const payload of turn.framer.push(pcm)) this.frame(turn, payload);
  }

  private frame(turn: Turn, payload: Uint8Array): void {
    const frame = encodeAudioFrame({ turnId: turn.turnId, seq: turn.seq++, sampleRateHz: CAPTURE_SAMPLE_RATE_HZ, channels: 1, codec: 'pcm_s16le', last: false, timestampMs: turn.firstMs + turn.sentMs, payload });
    turn.sentMs += (payload.byteLength / 2 / CAPTURE_SAMPLE_RATE_HZ) * 1000;
    if (!this.closed) this.inputs.onAudio(this, frame);
  }

  /** The microphone part of the turn is over: the rest of the audio, audio-stop, and the site stops streaming. */
  private endStreaming(reason: 'stop-listening' | 'max-length'): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    const rest = turn.framer.flush();
    if (rest.length > 0) this.frame(turn, rest);
    this.send({ type: 'audio-stop', turnId: turn.turnId, reason, frameCount: turn.seq });
    this.publish('hermes/asr/stopListening', { siteId: this.site.siteId, sessionId: String(turn.turnId) });
    this.state('waiting');
  }

  /** A turn cut short (barge-in, cancel, mute): no more audio for it. */
  private dropTurn(): void {
    const turn = this.turn;
    if (!turn) return;
    this.turn = undefined;
    this.publish('hermes/asr/stopListening', { siteId: this.site.siteId, sessionId: String(turn.turnId) });
  }

  private async play(reply: Reply): Promise<void> {
    const siteId = this.site.siteId;
    const samples = pcmSamples(Buffer.concat(reply.chunks));
    const wav = wavBytes({ sampleRateHz: reply.format.sampleRateHz, channels: reply.format.channels, samples });
    const requestId = randomUUID();
    const lengthMs = (samples.length / reply.format.channels / reply.format.sampleRateHz) * 1000;
    this.state('speaking');
    this.publish('hermes/hotword/toggleOff', { siteId, reason: 'playAudio' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.logger.debug({ siteId, requestId }, 'no playFinished from the Rhasspy site in time');
        done();
      }, lengthMs + PLAY_FINISHED_GRACE_MS);
      const done = () => {
        clearTimeout(timer);
        if (this.playing?.requestId === requestId) this.playing = undefined;
        resolve();
      };
      this.playing = { requestId, done };
      this.bus.publish(`hermes/audioServer/${siteId}/playBytes/${requestId}`, wav);
    });
    this.publish('hermes/hotword/toggleOn', { siteId, reason: 'playAudio' });
    this.endSession(reply.turnId);
  }

  /** The dialogue of a turn is over: the site's hotword listens again. */
  private endSession(turnId: number): void {
    if (this.session !== turnId) {
      if (!this.turn && !this.playing) this.state('idle');
      return;
    }
    this.session = undefined;
    this.publish('hermes/hotword/toggleOn', { siteId: this.site.siteId, reason: 'dialogueSession' });
    if (!this.turn) this.state('idle');
  }

  private warn(what: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnMs < WARN_EVERY_MS) return;
    this.lastWarnMs = now;
    this.logger.warn({ siteId: this.site.siteId, reason: (error as Error).message }, what);
  }
}

/**
 * Rhasspy 2.5 satellites (Hermes over MQTT) as satellites of the hub: for each configured site, its
 * `hermes/audioServer/<site>/audioFrame` WAV chunks (converted to 16 kHz mono at this edge), woken by
 * `hermes/hotword/<id>/detected` naming the site, answered on `hermes/audioServer/<site>/playBytes/…`
 * (see HermesSiteLink). Messages for sites not configured are ignored; every payload is checked for
 * size before it is read.
 */
export class HermesTransport {
  private readonly links = new Map<string, HermesSiteLink>();

  constructor(
    private readonly bus: MqttBus,
    private readonly sites: readonly HermesSite[],
    private readonly inputs: LinkInputs,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    await this.bus.subscribe('hermes/audioServer/+/audioFrame', (topic, payload) => {
      if (payload.length > MAX_FRAME_BYTES) return this.logger.debug({ topic: topic.slice(0, 120), bytes: payload.length }, 'audioFrame too large; dropped');
      this.link(topic.split('/')[2])?.audioFrame(payload);
    });
    await this.bus.subscribe('hermes/audioServer/+/playFinished', (topic, payload) => {
      const id = this.json(topic, payload)?.id;
      if (typeof id === 'string') this.link(topic.split('/')[2])?.playFinished(id);
    });
    await this.bus.subscribe('hermes/hotword/+/detected', (topic, payload) => {
      const detected = this.json(topic, payload);
      const siteId = detected?.siteId;
      if (typeof siteId === 'string') this.link(siteId)?.hotword(topic.split('/')[2] ?? '', detected!);
    });
    for (const site of this.sites) this.link(site.siteId);
  }

  /** The link of a configured site (a new one, saying hello, after the hub closed the last); undefined for any other. */
  private link(siteId: string | undefined): HermesSiteLink | undefined {
    let link = siteId === undefined ? undefined : this.links.get(siteId);
    if (link && !link.closed) return link;
    const site = this.sites.find((candidate) => candidate.siteId === siteId);
    if (!site) return undefined;
    link = new HermesSiteLink(site, this.bus, this.inputs, this.logger);
    this.links.set(site.siteId, link);
    link.hello();
    return link;
  }

  private json(topic: string, payload: Buffer): Record<string, unknown> | undefined {
    if (payload.length > MAX_CONTROL_BYTES) return undefined;
    try {
      const value = JSON.parse(payload.toString()) as unknown;
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    } catch {
      this.logger.debug({ topic: topic.slice(0, 120) }, 'Hermes message that is not JSON; ignored');
      return undefined;
    }
  }
}
