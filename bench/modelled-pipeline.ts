import type { Logger } from '@hugh/common';
import { EngineChain, HubConfigSchema, ReplySpeaker, VoicePipeline, endpointSettings, type ReplyGenerator, type SileroVadModel, type SpeechToText, type TextToSpeech, type TurnRecord } from '@hugh/hub';

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
    endpoint: endpointSettings(HubConfigSchema.parse({})),
    maxSpeculations: HubConfigSchema.parse({}).turn.maxSpeculations,
    stt: new EngineChain<SpeechToText>('stt', [{ engine: stt, timeoutMs: 10_000 }], logger),
    speaker: new ReplySpeaker(new EngineChain<TextToSpeech>('tts', [{ engine: tts, timeoutMs: 10_000 }], logger), logger),
    replies,
    logger,
    onRecord,
  });
}
