import { preciseNowMs, type Logger } from '@hugh/common';
import type { EngineChain } from '../engines/chain.js';
import type { SpeechToText } from '../engines/stt/speech-to-text.js';
import type { EndpointSettings } from '../engines/vad/end-of-speech.js';
import type { SileroVadModel } from '../engines/vad/silero-vad.js';
import type { Turn, TurnHandler } from '../session/turn.js';
import type { DebugRecorder } from './debug-recorder.js';
import { listenForUtterance } from './listen.js';
import type { ReplyGenerator } from './replies.js';
import { single, type ReplySpeaker } from './reply-speaker.js';
import { cleanTranscript } from './transcript.js';
import type { TurnRecord } from './turn-record.js';

export interface PipelineOptions {
  vad: SileroVadModel;
  endpoint: EndpointSettings;
  stt: EngineChain<SpeechToText>;
  speaker: ReplySpeaker;
  replies: ReplyGenerator;
  language?: string;
  logger: Logger;
  onRecord: (record: TurnRecord) => void;
  /** Debug recording (off unless configured): keeps each utterance as a WAV file. */
  recorder?: DebugRecorder;
}

const APOLOGY_STT = "Sorry, I can't understand speech right now.";
const DIDNT_CATCH = "Sorry, I didn't catch that.";

/**
 * One spoken turn: audio → end of speech (Silero) → STT chain → reply text stream → the reply
 * speaker (sentences → TTS chain → frames). Every stage stops on the turn's signal; the turn's
 * record goes to `onRecord` however it ended.
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
      const utterance = await listenForUtterance(turn, this.options.vad, this.options.endpoint, record);
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
        record.transcript = cleanTranscript(value, turn.wake?.keyword);
        turn.sendTranscript(record.transcript);
        replyText = record.transcript ? this.options.replies.reply(record.transcript, { satelliteId: turn.satelliteId, room: turn.room, signal: turn.signal }) : single(DIDNT_CATCH);
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
      const { times, engineMs } = record;
      if (times.firstAudioOutMs !== undefined && times.endOfSpeechMs !== undefined) {
        record.hubOverheadMs = times.firstAudioOutMs - times.endOfSpeechMs - (engineMs.stt ?? 0) - (engineMs.firstSentence ?? 0) - (engineMs.firstTts ?? 0);
      }
      logger.info({ turnRecord: record }, 'turn record');
      this.options.onRecord(record);
    }
  }
}
