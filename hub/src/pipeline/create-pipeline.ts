import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConvexPort, Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import type { HubConfig, SttEngineConfig, TtsEngineConfig } from '../config.js';
import { EngineChain } from '../engines/chain.js';
import { OpenAiStt } from '../engines/stt/openai-stt.js';
import { PocketsphinxStt } from '../engines/stt/pocketsphinx.js';
import type { SpeechToText } from '../engines/stt/speech-to-text.js';
import { WhisperCppStt } from '../engines/stt/whisper-cpp.js';
import { WyomingStt } from '../engines/stt/wyoming-stt.js';
import { CommandLineTts } from '../engines/tts/espeak.js';
import { OpenAiTts } from '../engines/tts/openai-tts.js';
import { OuteTts } from '../engines/tts/outetts/outetts.js';
import type { SpeakerProfile } from '../engines/tts/outetts/prompt.js';
import type { TextToSpeech } from '../engines/tts/text-to-speech.js';
import { WyomingTts } from '../engines/tts/wyoming-tts.js';
import { SileroVadModel } from '../engines/vad/silero-vad.js';
import type { HubEvents } from '../events.js';
import { LocalIntentReplies } from '../intents/local-intents.js';
import { TimerService } from '../intents/timers.js';
import { createDispatch } from '../dispatch/create-dispatch.js';
import { DebugRecorder } from './debug-recorder.js';
import type { ReplyGenerator } from './replies.js';
import type { TurnRecord } from './turn-record.js';
import { VoicePipeline } from './voice-pipeline.js';

export function createStt(config: SttEngineConfig): SpeechToText {
  switch (config.type) {
    case 'whisper-cpp':
      return new WhisperCppStt(config.url);
    case 'openai':
      return new OpenAiStt(config.url, config.model, config.apiKey);
    case 'wyoming':
      return new WyomingStt(config.url);
    case 'pocketsphinx':
      return new PocketsphinxStt();
  }
}

function readSpeaker(file: string): SpeakerProfile {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SpeakerProfile;
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `tts.engines[].speakerFile: ${file}: ${(error as Error).message}`);
  }
}

export function createTts(config: TtsEngineConfig): TextToSpeech {
  switch (config.type) {
    case 'outetts':
      return new OuteTts({
        completionUrl: config.completionUrl,
        vocoderUrl: config.vocoderUrl,
        batchCodes: config.batchCodes,
        ...(config.speakerFile ? { speaker: readSpeaker(config.speakerFile) } : {}),
      });
    case 'openai':
      return new OpenAiTts(config.url, config.model, config.voice, config.apiKey);
    case 'wyoming':
      return new WyomingTts(config.url, config.voice);
    case 'espeak-ng':
    case 'flite':
      return new CommandLineTts(config.type, config.voice);
  }
}

/** Builds the voice pipeline from the config: VAD model, STT and TTS chains, reply source. */
export async function createPipeline(
  config: HubConfig,
  logger: Logger,
  options: { replies?: ReplyGenerator; onRecord?: (record: TurnRecord) => void; events?: HubEvents; convex?: ConvexPort } = {},
): Promise<VoicePipeline> {
  const vad = await SileroVadModel.load(config.vad.modelPath);
  const onFailover = (kind: string) => (engine: string, error: Error) => options.events?.emit('engine-failover', kind, engine, error.message);
  const stt = new EngineChain('stt', config.stt.engines.map((engine) => ({ engine: createStt(engine), timeoutMs: engine.timeoutMs })), logger, {
    halfOpenAfterMs: config.stt.halfOpenAfterMs,
    onFailover: onFailover('stt'),
  });
  const tts = new EngineChain('tts', config.tts.engines.map((engine) => ({ engine: createTts(engine), timeoutMs: engine.timeoutMs })), logger, {
    halfOpenAfterMs: config.tts.halfOpenAfterMs,
    onFailover: onFailover('tts'),
  });
  const timers = new TimerService(join(config.state.dir, 'timers.json'), logger);
  const dispatch = createDispatch(config, logger, options.convex);
  const onRecord = (record: TurnRecord) => {
    dispatch.keepRecord?.(record);
    options.onRecord?.(record);
  };
  return new VoicePipeline({
    timers,
    vad,
    endpoint: {
      speechThreshold: config.vad.speechThreshold,
      silenceThreshold: config.vad.speechThreshold,
      minSpeechMs: config.vad.minSpeechMs,
      trailingSilenceMs: config.vad.trailingSilenceMs,
      noSpeechTimeoutMs: config.vad.noSpeechTimeoutMs,
      maxUtteranceMs: config.turn.maxUtteranceMs,
    },
    preRollKeepMs: config.vad.preRollKeepMs,
    stt,
    tts,
    replies: options.replies ?? new LocalIntentReplies(dispatch.replies, { devices: config.devices, timers, ...(options.events ? { events: options.events } : {}) }),
    ...(config.stt.language ? { language: config.stt.language } : {}),
    logger,
    onRecord,
    ...(config.debug.recordAudio ? { recorder: new DebugRecorder(config.debug.recordDir ?? join(config.state.dir, 'recordings'), config.debug.retentionDays, logger) } : {}),
    ...(dispatch.satelliteSeen ? { satelliteSeen: dispatch.satelliteSeen } : {}),
    ...(dispatch.health ? { dispatchHealth: dispatch.health } : {}),
    close: dispatch.close,
  });
}
