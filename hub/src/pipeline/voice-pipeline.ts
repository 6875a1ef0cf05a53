import { AsyncQueue, preciseNowMs, type Logger } from '@hugh/common';
import { HughError, pcmSamples, type PlaybackFormat } from '@hugh/protocol';
import type { EngineChain, EngineStatus } from '../engines/chain.js';
import type { SpeechToText } from '../engines/stt/speech-to-text.js';
import type { TextToSpeech } from '../engines/tts/text-to-speech.js';
import { EndOfSpeechDetector, type EndpointSettings } from '../engines/vad/end-of-speech.js';
import type { SileroVadModel } from '../engines/vad/silero-vad.js';
import { toFormat, type PcmAudio } from '../engines/wav.js';
import type { ReplyWriter, Turn, TurnHandler } from '../session/turn.js';
import type { HubEvents } from '../events.js';
import type { TimerService } from '../intents/timers.js';
import type { ReplyGenerator } from './replies.js';
import { splitSentences } from './sentence-splitter.js';
import { cleanTranscript } from './transcript.js';
import type { DebugRecorder } from './debug-recorder.js';
import type { TurnRecord } from './turn-record.js';

export interface PipelineOptions {
  /** Kitchen timers of the local intents; they ring through the hub once attached. */
  timers?: TimerService;
  vad: SileroVadModel;
  endpoint: EndpointSettings;
  /** Pre-roll kept for VAD and STT: the words said right after the wake word, not the wake word. */
  preRollKeepMs: number;
  stt: EngineChain<SpeechToText>;
  tts: EngineChain<TextToSpeech>;
  replies: ReplyGenerator;
  language?: string;
  logger: Logger;
  onRecord?: (record: TurnRecord) => void;
  /** Debug recording (off unless configured): keeps each utterance as a WAV file. */
  recorder?: DebugRecorder;
  /** A satellite came online (Convex keeps a list). */
  satelliteSeen?: (satelliteId: string, room: string | undefined) => void;
  /** Extra health entries (Convex), shown beside the engine chains. */
  dispatchHealth?: () => EngineStatus[];
  /** Releases what the dispatch holds (Convex connection, outbox file). */
  close?: () => Promise<void>;
}

const APOLOGY_STT = "Sorry, I can't understand speech right now.";
const DIDNT_CATCH = "Sorry, I didn't catch that.";

/** The satellite format to send a reply in: the TTS rate if the satellite plays it, else its first. */
function chooseFormat(formats: readonly PlaybackFormat[], sampleRateHz: number): PlaybackFormat | undefined {
  return formats.find((format) => format.sampleRateHz === sampleRateHz && format.channels === 1) ?? formats[0];
}

/**
 * One turn: audio → end of speech (Silero) → STT chain → reply text stream → sentences → TTS chain
 * (the next sentence is synthesised while the previous one plays) → frames in order. Every stage
 * stops on the turn's signal.
 */
export class VoicePipeline implements TurnHandler {
  constructor(private readonly options: PipelineOptions) {}

  async handleTurn(turn: Turn): Promise<void> {
    const { logger } = this.options;
    const record: TurnRecord = {
      satelliteId: turn.satelliteId,
      turnId: turn.turnId,
      ...(turn.wake ? { keyword: turn.wake.keyword } : {}),
      outcome: 'failed',
      times: { turnStartMs: preciseNowMs(), ...(turn.wake ? { wakeMs: turn.wake.detectedAtMs } : {}) },
      engineMs: {},
    };
    try {
      const utterance = await this.listen(turn, record);
      if (utterance) this.options.recorder?.save(turn.satelliteId, turn.turnId, { sampleRateHz: 16_000, channels: 1, samples: utterance });
      if (turn.signal.aborted) return void (record.outcome = 'cancelled');
      if (!utterance) {
        record.outcome = 'no-speech';
        turn.startReply(turn.playbackFormats[0] ?? { sampleRateHz: 16_000, channels: 1 }).end('done');
        return;
      }
      let replyText: AsyncIterable<string>;
      try {
        const started = preciseNowMs();
        const { value, engine } = await this.options.stt.run((stt, signal) => stt.transcribe(utterance, { signal, ...(this.options.language ? { language: this.options.language } : {}) }), turn.signal);
        record.engineMs.stt = preciseNowMs() - started;
        record.times.transcriptMs = preciseNowMs();
        record.sttEngine = engine;
        record.transcript = cleanTranscript(value);
        turn.sendTranscript(record.transcript);
        replyText = record.transcript ? this.options.replies.reply(record.transcript, { satelliteId: turn.satelliteId, room: turn.room, signal: turn.signal }) : single(DIDNT_CATCH);
      } catch (error) {
        if (turn.signal.aborted) return void (record.outcome = 'cancelled');
        record.error = (error as Error).message;
        replyText = single(APOLOGY_STT);
      }
      await this.speak(turn, replyText, record);
      record.outcome = turn.signal.aborted ? 'cancelled' : record.error ? 'failed' : 'answered';
    } catch (error) {
      record.outcome = turn.signal.aborted ? 'cancelled' : 'failed';
      record.error = (error as Error).message;
      if (!turn.signal.aborted) throw error;
    } finally {
      const { times, engineMs } = record;
      if (times.firstAudioOutMs !== undefined && times.endOfSpeechMs !== undefined) {
        record.hubOverheadMs = times.firstAudioOutMs - times.endOfSpeechMs - (engineMs.stt ?? 0) - (engineMs.firstSentence ?? 0) - (engineMs.firstTts ?? 0);
      }
      logger.info({ turnRecord: record }, 'turn record');
      this.options.onRecord?.(record);
    }
  }

  get timers(): TimerService | undefined {
    return this.options.timers;
  }

  attach(hub: { announce(satelliteId: string, text: string): boolean; events: HubEvents }): void {
    const { timers, satelliteSeen } = this.options;
    if (satelliteSeen) hub.events.on('satellite-online', (satelliteId, info) => satelliteSeen(satelliteId, info.room));
    if (!timers) return;
    timers.announce = hub.announce;
    hub.events.on('satellite-online', (satelliteId) => timers.deliverPending(satelliteId));
  }

  async ask(text: string, satelliteId: string | undefined): Promise<string> {
    let reply = '';
    const signal = AbortSignal.timeout(60_000);
    for await (const piece of this.options.replies.reply(text, { satelliteId: satelliteId ?? 'dashboard', room: undefined, signal })) reply += piece;
    return reply.trim();
  }

  async close(): Promise<void> {
    this.options.recorder?.close();
    await this.options.close?.();
  }

  health(): Record<string, EngineStatus[]> {
    return { stt: this.options.stt.status(), tts: this.options.tts.status(), ...(this.options.dispatchHealth ? { dispatch: this.options.dispatchHealth() } : {}) };
  }

  /** Speaks an announcement on a hub-started turn (no listening, no transcript). */
  async announce(turn: Turn, text: string): Promise<void> {
    const record: TurnRecord = { satelliteId: turn.satelliteId, turnId: turn.turnId, outcome: 'failed', times: { turnStartMs: preciseNowMs() }, engineMs: {} };
    try {
      await this.speak(turn, single(text), record);
      record.outcome = turn.signal.aborted ? 'cancelled' : 'answered';
    } finally {
      this.options.logger.info({ turnRecord: record }, 'announcement record');
    }
  }

  /** Collects the utterance until the end of speech; undefined when nobody spoke. */
  private async listen(turn: Turn, record: TurnRecord): Promise<Int16Array | undefined> {
    const endpoint = new EndOfSpeechDetector(this.options.vad.create(), this.options.endpoint);
    let skip = Math.max(0, Math.round(((turn.preRollMs - this.options.preRollKeepMs) / 1000) * turn.inputFormat.sampleRateHz));
    const parts: Int16Array[] = [];
    let collected = 0;
    let heard = false;
    for await (const frame of turn.audio) {
      let samples = pcmSamples(frame.payload);
      if (skip > 0) {
        const dropped = Math.min(skip, samples.length);
        skip -= dropped;
        samples = samples.subarray(dropped);
        if (samples.length === 0) continue;
      }
      parts.push(samples);
      collected += samples.length;
      const decision = await endpoint.push(samples);
      if (decision.kind === 'continue') continue;
      record.times.endOfSpeechMs = preciseNowMs();
      if (decision.kind === 'end-of-speech') {
        record.endpointDelayMs = (collected / 16) - decision.speechEndMs;
        turn.stopListening('end-of-speech');
        heard = true;
      } else if (decision.kind === 'max-length') {
        turn.stopListening('max-length');
        heard = true;
      } else turn.stopListening('no-speech');
      break;
    }
    if (record.times.endOfSpeechMs === undefined) {
      // The satellite stopped first (its own limit, or end of its input): use what came.
      record.times.endOfSpeechMs = preciseNowMs();
      heard = endpoint.heardSpeech;
    }
    if (!heard) return undefined;
    const utterance = new Int16Array(collected);
    let offset = 0;
    for (const part of parts) {
      utterance.set(part, offset);
      offset += part.length;
    }
    return utterance;
  }

  /** Sentences to speech, in order, with the next sentence's synthesis under way while one plays. */
  private async speak(turn: Turn, text: AsyncIterable<string>, record: TurnRecord): Promise<void> {
    const signal = turn.signal;
    let writer: ReplyWriter | undefined;
    let fullText = '';
    const textStarted = preciseNowMs();
    const tapped = (async function* (): AsyncIterable<string> {
      for await (const chunk of text) {
        record.times.firstReplyTextMs ??= preciseNowMs();
        fullText += chunk;
        yield chunk;
      }
    })();

    const synthesize = (sentence: string): Promise<{ audio: PcmAudio; engine: string; ms: number }> => {
      const started = preciseNowMs();
      return this.options.tts.run((tts, callSignal) => tts.synthesize(sentence, { signal: callSignal }), signal).then(({ value, engine }) => ({ audio: value, engine, ms: preciseNowMs() - started }));
    };

    type Synthesis = Promise<{ audio: PcmAudio; engine: string; ms: number }>;
    let first = true;
    const play = async (job: Synthesis) => {
      const { audio, engine, ms } = await job;
      if (signal.aborted) return;
      record.ttsEngine ??= engine;
      if (first) {
        first = false;
        record.engineMs.firstTts = ms;
      }
      if (!writer) {
        const format = chooseFormat(turn.playbackFormats, audio.sampleRateHz);
        if (!format) return; // a satellite without a speaker gets the transcript only
        writer = turn.startReply(format);
      }
      const pcm = toFormat(audio, writer.format.sampleRateHz);
      // The first frame leaves at the start of write(); the rest of the sentence follows it.
      record.times.firstAudioOutMs ??= preciseNowMs();
      writer.write(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
      record.times.lastAudioOutMs = preciseNowMs();
    };

    // Sentences are synthesised as soon as they are complete and played as soon as they are
    // synthesised, in order. At most two are in synthesis at once: enough to hide TTS time
    // behind playback, without queueing a long answer on the GPU.
    const jobs = new AsyncQueue<Synthesis>();
    let inFlight = 0;
    let slotFreed: (() => void) | undefined;
    const producer = (async () => {
      try {
        for await (const sentence of splitSentences(tapped)) {
          if (signal.aborted) break;
          record.engineMs.firstSentence ??= preciseNowMs() - textStarted;
          while (inFlight >= 2 && !jobs.closed) await new Promise<void>((resolve) => (slotFreed = resolve));
          if (jobs.closed) break; // the player stopped (cancelled, or TTS failed)
          inFlight++;
          const job = synthesize(sentence);
          job.catch(() => undefined); // awaited in order by the player; never unhandled
          jobs.push(job);
        }
        jobs.end();
      } catch (error) {
        jobs.fail(error);
      }
    })();
    try {
      try {
        for await (const job of jobs) {
          if (signal.aborted) break;
          try {
            await play(job);
          } finally {
            inFlight--;
            slotFreed?.();
          }
        }
      } finally {
        // Leaving the loop closed the queue; wake the producer so it sees that and stops.
        slotFreed?.();
      }
      await producer;
      record.replyText = fullText;
      // Nothing to say ("stop"): an empty reply still tells the satellite the turn is over.
      if (!writer && !signal.aborted && turn.playbackFormats[0]) writer = turn.startReply(turn.playbackFormats[0]);
      (writer as ReplyWriter | undefined)?.end(signal.aborted ? 'cancelled' : 'done');
    } catch (error) {
      (writer as ReplyWriter | undefined)?.end(signal.aborted ? 'cancelled' : 'error');
      if (signal.aborted) return;
      throw error instanceof HughError ? error : new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', (error as Error).message);
    }
  }
}

async function* single(text: string): AsyncIterable<string> {
  yield text;
}
