import { join } from 'node:path';
import type { Logger } from '@hugh/common';
import type { ConvexPort } from '@hugh/common/clients';
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
import { SayTts } from '../engines/tts/say.js';
import type { TextToSpeech } from '../engines/tts/text-to-speech.js';
import { collectAudio } from '../engines/wav-stream.js';
import { WyomingTts } from '../engines/tts/wyoming-tts.js';
import type { EndpointSettings } from '../engines/vad/end-of-speech.js';
import { SileroVadModel } from '../engines/vad/silero-vad.js';
import { LocalIntentReplies } from '../intents/local-intents.js';
import { TimerService } from '../intents/timers.js';
import { createDispatch } from '../dispatch/create-dispatch.js';
import { PrefetchingReplies } from '../dispatch/prefetching-replies.js';
import { createReplyStages } from '../dispatch/reply-stages.js';
import { StorageHealth } from '../storage/storage-health.js';
import { DebugRecorder } from './debug-recorder.js';
import type { ReplyGenerator } from './replies.js';
import type { HubContext, HubServices } from '../services.js';
import { ReplySpeaker } from './reply-speaker.js';
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
      return new PocketsphinxStt(config.modelDir);
  }
}

export function createTts(config: TtsEngineConfig): TextToSpeech {
  switch (config.type) {
    case 'outetts':
      return new OuteTts({
        completionUrl: config.completionUrl,
        vocoderUrl: config.vocoderUrl,
        batchCodes: config.batchCodes,
        speaker: config.speakerFile,
        version: config.version,
      });
    case 'openai':
      return new OpenAiTts(config.url, config.model, config.voice, config.apiKey, config.responseFormat);
    case 'wyoming':
      return new WyomingTts(config.url, config.voice);
    case 'espeak-ng':
    case 'flite':
      return new CommandLineTts(config.type, config.voice);
    case 'say':
      return new SayTts({ sampleRateHz: config.sampleRateHz, ...(config.voice ? { voice: config.voice } : {}), ...(config.rateWpm ? { rateWpm: config.rateWpm } : {}) });
  }
}

/**
 * The trial call of a failed engine once its breaker lets one through: a real call, so a recovered
 * engine is known to answer, and a small one (half a second of silence, one word).
 */
const sttTrial = { trial: (engine: SpeechToText, signal: AbortSignal) => engine.transcribe(new Int16Array(8_000), { signal }) };
const ttsTrial = { trial: (engine: TextToSpeech, signal: AbortSignal) => collectAudio(engine.synthesize('OK.', { signal })) };

/** The endpointing settings of a config (the schema owns their defaults). */
export function endpointSettings(config: HubConfig): EndpointSettings {
  const { vad } = config;
  return { speechThreshold: vad.speechThreshold, silenceThreshold: vad.speechThreshold, minSpeechMs: vad.minSpeechMs, pauseMs: vad.pauseMs, pauseAfterSpeechMs: vad.pauseAfterSpeechMs, trailingSilenceMs: vad.trailingSilenceMs, noSpeechTimeoutMs: vad.noSpeechTimeoutMs };
}

/**
 * Builds what answers the satellites from the config: VAD model, STT and TTS chains, local intents
 * with their timers, the dispatch (Convex or a local LLM), the voice pipeline and the announcer.
 * This is the one wiring of the hub's services: turn records go to the hub's events, timers ring
 * through the hub's announce, Convex hears of satellites from the hub's events.
 */
export async function createPipeline(config: HubConfig, logger: Logger, hub: HubContext, options: { replies?: ReplyGenerator; convex?: ConvexPort } = {}): Promise<HubServices> {
  const vad = await SileroVadModel.load(config.vad.modelPath);
  const onFailover = (kind: string) => (engine: string, error: Error) => hub.events.emit('engine-failover', kind, engine, error.message);
  const onRecover = (kind: string) => (engine: string) => hub.events.emit('engine-recovered', kind, engine);
  const stt = new EngineChain('stt', config.stt.engines.map((engine) => ({ engine: createStt(engine), timeoutMs: engine.timeoutMs })), logger, {
    halfOpenAfterMs: config.stt.halfOpenAfterMs,
    onFailover: onFailover('stt'),
    ...sttTrial,
    onRecover: onRecover('stt'),
  });
  const tts = new EngineChain('tts', config.tts.engines.map((engine) => ({ engine: createTts(engine), timeoutMs: engine.timeoutMs })), logger, {
    halfOpenAfterMs: config.tts.halfOpenAfterMs,
    onFailover: onFailover('tts'),
    ...ttsTrial,
    onRecover: onRecover('tts'),
  });
  // One owner of "the state dir refuses writes" for every store: capability `storage`, the log, the retries.
  const storage = new StorageHealth({ logger, settings: config.state, capability: hub.capability });
  const timers = new TimerService(join(config.state.dir, 'timers.json'), logger, Date.now, storage);
  timers.announce = (satelliteId, text) => hub.announce(satelliteId, text);
  hub.events.on('satellite-online', (satelliteId) => timers.deliverPending(satelliteId));
  const dispatch = createDispatch(config, logger, options.convex, storage);
  if (dispatch.satelliteSeen) {
    const seen = dispatch.satelliteSeen;
    hub.events.on('satellite-online', (satelliteId, info) => seen(satelliteId, info.room));
  }
  // Dispatch stages (local intents → Home Assistant → LLM, per dispatch.order). Only the language model
  // may start on a speculative transcript (held until the commit): local intents and Home Assistant
  // act on what they hear, so they run on the committed transcript alone.
  const prefetch = config.turn.preemptiveLlm ? new PrefetchingReplies(dispatch.replies) : undefined;
  let local: LocalIntentReplies | undefined;
  const stages = createReplyStages(config, {
    llm: prefetch ?? dispatch.replies,
    local: (next, unknownDevices) => (local = new LocalIntentReplies(next, { devices: config.devices, timers, events: hub.events, unknownDevices })),
    logger,
    onFailover: onFailover('homeAssistant'),
  });
  const replies = options.replies ?? stages.replies;
  const recorder = config.debug.recordAudio ? new DebugRecorder(config.debug.recordDir ?? join(config.state.dir, 'recordings'), config.debug.retentionDays, logger, storage) : undefined;
  const speaker = new ReplySpeaker(tts, logger, { firstPhraseMinWords: config.tts.firstPhraseMinWords, firstPhraseMaxWords: config.tts.firstPhraseMaxWords });
  const pipeline = new VoicePipeline({
    vad,
    endpoint: endpointSettings(config),
    maxSpeculations: config.turn.maxSpeculations,
    stt,
    speaker,
    replies,
    ...(options.replies || !local ? {} : { understands: (transcript: string, room: string | undefined) => local!.understands(transcript, room) }),
    ...(prefetch && !options.replies ? { prefetch } : {}),
    ...(config.stt.language ? { language: config.stt.language } : {}),
    logger,
    onRecord: (record) => {
      dispatch.keepRecord?.(record);
      hub.events.emit('turn', record);
    },
    ...(recorder ? { recorder } : {}),
  });
  return {
    turns: pipeline,
    announcer: speaker,
    async ask(text, satelliteId) {
      let reply = '';
      const signal = AbortSignal.timeout(60_000);
      for await (const piece of replies.reply(text, { satelliteId: satelliteId ?? 'dashboard', room: undefined, signal })) reply += piece;
      return reply.trim();
    },
    health: () => ({ stt: stt.status(), tts: tts.status(), ...(dispatch.health ? { dispatch: dispatch.health() } : {}), ...(stages.homeAssistant ? { homeAssistant: stages.homeAssistant.status() } : {}) }),
    async close() {
      stt.close();
      tts.close();
      timers.close();
      storage.close();
      recorder?.close();
      await dispatch.close();
      await vad.close();
    },
  };
}
