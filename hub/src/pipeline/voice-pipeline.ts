import { preciseNowMs, type Logger } from '@hugh/common';
import type { PrefetchingReplies } from '../dispatch/prefetching-replies.js';
import type { EngineChain } from '../engines/chain.js';
import type { SpeechToText } from '../engines/stt/speech-to-text.js';
import type { EndpointSettings } from '../engines/vad/end-of-speech.js';
import type { SileroVadModel } from '../engines/vad/silero-vad.js';
import type { Turn, TurnHandler } from '../session/turn.js';
import { readsFinished } from './commit-rule.js';
import type { DebugRecorder } from './debug-recorder.js';
import type { ReplyGenerator } from './replies.js';
import { single, type ReplySpeaker } from './reply-speaker.js';
import { cleanTranscript } from './transcript.js';
import { TurnListener, type Transcription } from './turn-listener.js';
import type { TurnRecord } from './turn-record.js';

export interface PipelineOptions {
  vad: SileroVadModel;
  endpoint: EndpointSettings;
  /** Speculative transcriptions per turn at most. */
  maxSpeculations: number;
  stt: EngineChain<SpeechToText>;
  speaker: ReplySpeaker;
  replies: ReplyGenerator;
  /** Whether a transcript is one a local intent answers outright (it ends the turn at once). */
  understands?: (transcript: string, room: string | undefined) => boolean;
  /** Starts the language model on a speculative transcript (`turn.preemptiveLlm`); absent: it waits for the commit. */
  prefetch?: PrefetchingReplies;
  language?: string;
  logger: Logger;
  onRecord: (record: TurnRecord) => void;
  /** Debug recording (off unless configured): keeps each utterance as a WAV file. */
  recorder?: DebugRecorder;
}

const APOLOGY_STT = "Sorry, I can't understand speech right now.";
const DIDNT_CATCH = "Sorry, I didn't catch that.";

/**
 * One spoken turn: audio → end of turn (Silero, speculating on the first pause) → STT chain (or the
 * speculation's transcript) → reply text stream → the reply speaker (phrases → TTS chain → frames).
 * Every stage stops on the turn's signal; the turn's record goes to `onRecord` however it ended.
 */
export class VoicePipeline implements TurnHandler {
  constructor(private readonly options: PipelineOptions) {}

  async handleTurn(turn: Turn): Promise<void> {
    const { logger, prefetch } = this.options;
    const record: TurnRecord = {
      satelliteId: turn.satelliteId,
      turnId: turn.turnId,
      ...(turn.wake ? { keyword: turn.wake.keyword } : {}),
      outcome: 'failed',
      times: { turnStartMs: preciseNowMs(), ...(turn.wake ? { wakeMs: turn.wake.detectedAtMs } : {}) },
      engineMs: {},
    };
    const clean = (text: string) => cleanTranscript(text, turn.wake?.keyword);
    const context = { satelliteId: turn.satelliteId, room: turn.room, signal: turn.signal };
    const listener = new TurnListener({
      vad: this.options.vad,
      endpoint: this.options.endpoint,
      maxSpeculations: this.options.maxSpeculations,
      transcribe: (audio, signal) => this.transcribe(audio, signal),
      isFinished: (text) => {
        const cleaned = clean(text);
        return (this.options.understands?.(cleaned, turn.room) ?? false) || readsFinished(cleaned);
      },
      ...(prefetch
        ? {
            onSpeculation: (text: string) => {
              const cleaned = clean(text);
              if (cleaned) prefetch.prefetch(cleaned, context);
            },
            onDropped: () => prefetch.drop(turn.satelliteId, turn.signal),
          }
        : {}),
    });
    try {
      const heard = await listener.listen(turn, record);
      if (heard.kind === 'utterance') this.options.recorder?.save(turn.satelliteId, turn.turnId, { sampleRateHz: 16_000, channels: 1, samples: heard.audio });
      if (turn.signal.aborted) return void (record.outcome = 'cancelled');
      if (heard.kind === 'no-speech') {
        record.outcome = 'no-speech';
        turn.startReply(turn.playbackFormats[0] ?? { sampleRateHz: 16_000, channels: 1 }).end('done');
        return;
      }
      let replyText: AsyncIterable<string>;
      try {
        const transcription = heard.transcript ?? (await this.transcribe(heard.audio, turn.signal));
        // The STT time the turn waited for after the commit: a speculation still being transcribed
        // at the commit counts (the listener waited for it), one that committed the turn early does not.
        record.engineMs.stt = preciseNowMs() - (record.times.endOfSpeechMs ?? preciseNowMs());
        record.times.transcriptMs = preciseNowMs();
        record.sttEngine = transcription.engine;
        record.transcript = clean(transcription.text);
        turn.sendTranscript(record.transcript);
        replyText = record.transcript ? this.options.replies.reply(record.transcript, context) : single(DIDNT_CATCH);
      } catch (error) {
        if (turn.signal.aborted) return void (record.outcome = 'cancelled');
        record.error = (error as Error).message;
        replyText = single(APOLOGY_STT);
      }
      await this.options.speaker.speak(turn, replyText, record);
      record.outcome = turn.signal.aborted ? 'cancelled' : record.error ? 'failed' : 'answered';
    } catch (error) {
      record.outcome = turn.signal.aborted ? 'cancelled' : 'failed';
      record.error = (error as Error).message;
      if (!turn.signal.aborted) throw error;
    } finally {
      // A speculation the turn never adopted (cancelled, failed) must not keep its model running.
      prefetch?.drop(turn.satelliteId, turn.signal);
      const { times, engineMs } = record;
      if (times.firstAudioOutMs !== undefined && times.endOfSpeechMs !== undefined) {
        record.hubOverheadMs = times.firstAudioOutMs - times.endOfSpeechMs - (engineMs.stt ?? 0) - (engineMs.firstSentence ?? 0) - (engineMs.firstTts ?? 0);
      }
      logger.info({ turnRecord: record }, 'turn record');
      this.options.onRecord(record);
    }
  }

  private async transcribe(audio: Int16Array, signal: AbortSignal): Promise<Transcription> {
    const started = preciseNowMs();
    const { value, engine } = await this.options.stt.run((stt, callSignal) => stt.transcribe(audio, { signal: callSignal, ...(this.options.language ? { language: this.options.language } : {}) }), signal);
    return { text: value, engine, sttMs: preciseNowMs() - started };
  }
}
