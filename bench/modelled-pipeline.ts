import type { Logger } from '@hugh/common';
import { DEFAULT_ENDPOINT, EngineChain, VoicePipeline, type ReplyGenerator, type SileroVadModel, type SpeechToText, type TextToSpeech, type TurnRecord } from '@hugh/hub';

/** The real pipeline (real Silero VAD) around modelled engines: what the benchmarks time. */
export function modelledPipeline(options: {
  vad: SileroVadModel;
  stt: SpeechToText;
  tts: TextToSpeech;
  replies: ReplyGenerator;
  logger: Logger;
  onRecord: (record: TurnRecord) => void;
}): VoicePipeline {
  const { vad, stt, tts, replies, logger, onRecord } = options;
  return new VoicePipeline({
    vad,
    endpoint: DEFAULT_ENDPOINT,
    preRollKeepMs: 300,
    stt: new EngineChain<SpeechToText>('stt', [{ engine: stt, timeoutMs: 10_000 }], logger),
    tts: new EngineChain<TextToSpeech>('tts', [{ engine: tts, timeoutMs: 10_000 }], logger),
    replies,
    logger,
    onRecord,
  });
}
