import { AsyncQueue, orderedMap, preciseNowMs, type Logger } from '@hugh/common';
import { HughError, type PlaybackFormat } from '@hugh/protocol';
import type { EngineChain } from '../engines/chain.js';
import type { TextToSpeech } from '../engines/tts/text-to-speech.js';
import { toFormat, type PcmAudio } from '../engines/wav.js';
import type { Announcer, ReplyWriter, Turn } from '../session/turn.js';
import { splitSentences, type PhraseSettings } from './sentence-splitter.js';
import type { TurnRecord } from './turn-record.js';

/** The satellite format to send a reply in: the TTS rate if the satellite plays it, else its first. */
function chooseFormat(formats: readonly PlaybackFormat[], sampleRateHz: number): PlaybackFormat | undefined {
  return formats.find((format) => format.sampleRateHz === sampleRateHz && format.channels === 1) ?? formats[0];
}

/** Phrases in synthesis at once: one playing and the next being made hides TTS time behind playback without queueing a long answer on the GPU. */
const SYNTHESIS_AHEAD = 2;

/**
 * Speaks a reply: text stream → sentences → the TTS chain → frames, in order. The first sentence
 * plays as soon as it is synthesised, the next is synthesised while it plays. Every stage stops on
 * the turn's signal. Announcements are replies with a text known in advance.
 */
export class ReplySpeaker implements Announcer {
  constructor(
    private readonly tts: EngineChain<TextToSpeech>,
    private readonly logger: Logger,
    /** Where the first phrase may end (early, for a quick first sound); without, phrases are sentences. */
    private readonly phrases?: PhraseSettings,
  ) {}

  async announce(turn: Turn, text: string): Promise<void> {
    const record: TurnRecord = { satelliteId: turn.satelliteId, turnId: turn.turnId, outcome: 'failed', times: { turnStartMs: preciseNowMs() }, engineMs: {} };
    try {
      await this.speak(turn, single(text), record);
      record.outcome = turn.signal.aborted ? 'cancelled' : 'answered';
    } finally {
      this.logger.info({ turnRecord: record }, 'announcement record');
    }
  }

  /** Speaks `text` on the turn, filling the record's reply times and text. */
  async speak(turn: Turn, text: AsyncIterable<string>, record: TurnRecord): Promise<void> {
    const signal = turn.signal;
    let writer: ReplyWriter | undefined;
    let fullText = '';
    const textStarted = preciseNowMs();
    const phrases = this.phrases;
    const tapped = (async function* (): AsyncIterable<string> {
      for await (const chunk of text) {
        record.times.firstReplyTextMs ??= preciseNowMs();
        fullText += chunk;
        yield chunk;
      }
    })();
    const sentences = (async function* (): AsyncIterable<string> {
      for await (const sentence of splitSentences(tapped, phrases)) {
        record.engineMs.firstSentence ??= preciseNowMs() - textStarted;
        yield sentence;
      }
    })();
    // Each phrase's synthesis starts as soon as the phrase is complete and fills its own buffer as the
    // engine streams; the phrases play in order, each chunk as soon as it is there.
    let phraseCount = 0;
    const synthesize = async (phrase: string, callSignal: AbortSignal): Promise<AsyncQueue<{ value: PcmAudio; engine: string }>> => {
      const chunks = new AsyncQueue<{ value: PcmAudio; engine: string }>();
      const started = preciseNowMs();
      const first = phraseCount++ === 0;
      if (first) record.times.ttsStartMs = started;
      void (async () => {
        try {
          for await (const chunk of this.tts.stream((tts, engineSignal) => tts.synthesize(phrase, { signal: engineSignal }), AbortSignal.any([signal, callSignal]))) {
            if (first) record.engineMs.firstTts ??= preciseNowMs() - started;
            chunks.push(chunk);
          }
          chunks.end();
        } catch (error) {
          chunks.fail(error);
        }
      })();
      return chunks;
    };

    try {
      for await (const phrase of orderedMap(sentences, SYNTHESIS_AHEAD, synthesize)) {
        for await (const { value: audio, engine } of phrase) {
          if (signal.aborted) break;
          record.ttsEngine ??= engine;
          if (!writer) {
            const format = chooseFormat(turn.playbackFormats, audio.sampleRateHz);
            if (!format) continue; // a satellite without a speaker gets the transcript only
            writer = turn.startReply(format);
          }
          const pcm = toFormat(audio, writer.format.sampleRateHz);
          // The first frame leaves at the start of write(); the rest of the chunk follows it.
          record.times.firstAudioOutMs ??= preciseNowMs();
          writer.write(new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength));
          record.times.lastAudioOutMs = preciseNowMs();
        }
        if (signal.aborted) break;
      }
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

export async function* single(text: string): AsyncIterable<string> {
  yield text;
}
