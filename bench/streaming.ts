import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@hugh/common';
import type { ChatModel } from '@hugh/common/clients';
import { LlmReplies, SileroVadModel, type ReplyGenerator, type SpeechToText, type TextToSpeech, type Turn, type TurnRecord } from '@hugh/hub';
import { readWavAs16kMono } from '@hugh/satellite';
import { modelledPipeline } from './modelled-pipeline.js';
import { percentile, type Benchmark } from './report.js';

/** Engine latencies modelled on the GPU VM (stated in the report). */
const MODEL = { sttMs: 150, firstTokenMs: 250, tokensPerS: 40, ttsMsPerSentence: 120 };
const ANSWER = 'Once upon a time, a small fox lived at the edge of a big forest. Every morning she ran to the river to watch the fish. One day she met an old turtle who knew every story in the world.';

const stt: SpeechToText = { name: 'modelled-stt', transcribe: async () => (await sleep(MODEL.sttMs), 'tell me a story') };
const tts: TextToSpeech = {
  name: 'modelled-tts',
  async *synthesize(text) {
    await sleep(MODEL.ttsMsPerSentence);
    yield { sampleRateHz: 24_000, channels: 1, samples: new Int16Array(Math.round(text.length * 0.06 * 24_000)) };
  },
};
const llm: ChatModel = {
  name: 'modelled-llm',
  async *chat() {
    await sleep(MODEL.firstTokenMs);
    // ~4 characters a token
    for (let i = 0; i < ANSWER.length; i += 4) {
      yield ANSWER.slice(i, i + 4);
      await sleep(1000 / MODEL.tokensPerS);
    }
  },
};

/** Waits for the whole answer before speaking: what the pipeline avoids. */
function whole(inner: ReplyGenerator): ReplyGenerator {
  return {
    async *reply(transcript, context) {
      let text = '';
      for await (const piece of inner.reply(transcript, context)) text += piece;
      yield text;
    },
  };
}

function fakeTurn(speech: Int16Array): Turn {
  let stopped = false;
  const frames = (async function* () {
    for (let seq = 0; seq * 640 < speech.length; seq++) {
      const payload = new Uint8Array(speech.buffer, speech.byteOffset + seq * 1280, Math.min(1280, speech.byteLength - seq * 1280));
      yield { turnId: 1, seq, sampleRateHz: 16_000, channels: 1 as const, codec: 'pcm_s16le' as const, last: false, timestampMs: 0, payload };
      if (stopped) return;
    }
  })();
  return {
    satelliteId: 'bench',
    room: undefined,
    turnId: 1,
    wake: undefined,
    audio: frames,
    signal: new AbortController().signal,
    playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }],
    stopListening: () => void (stopped = true),
    sendTranscript: () => undefined,
    startReply: (format) => ({ format, write: () => true, end: () => undefined }),
  };
}

/** Time to first audio after the end of speech, sentence streaming against waiting for the whole reply. */
export const streaming: Benchmark = async ({ smoke, sharedDir }) => {
  const vad = await SileroVadModel.load(`${sharedDir}/models/silero-vad/silero_vad_v5.onnx`);
  const speech = readWavAs16kMono(`${sharedDir}/audio/welcome-3s.wav`);
  const input = new Int16Array(speech.length + 16_000);
  input.set(speech);
  const logger = silentLogger();
  const results: Record<string, number[]> = { streaming: [], whole: [] };
  for (const mode of ['streaming', 'whole'] as const) {
    for (let i = 0; i < (smoke ? 1 : 5); i++) {
      const replies = new LlmReplies(llm, { systemPrompt: '', historyTurns: 0, firstTokenTimeoutMs: 5_000, stallTimeoutMs: 5_000, logger });
      let record: TurnRecord | undefined;
      const pipeline = modelledPipeline({ vad, stt, tts, replies: mode === 'streaming' ? replies : whole(replies), logger, onRecord: (r) => (record = r) });
      await pipeline.handleTurn(fakeTurn(input));
      results[mode]!.push(record!.times.firstAudioOutMs! - record!.times.endOfSpeechMs!);
    }
  }
  await vad.close();
  const median = (values: number[]) => percentile(values, 50);
  const conditions = `modelled engines: STT ${MODEL.sttMs} ms, LLM first token ${MODEL.firstTokenMs} ms then ${MODEL.tokensPerS} tokens/s (~4 chars each), TTS ${MODEL.ttsMsPerSentence} ms per sentence; 3-sentence answer of ${ANSWER.length} chars`;
  return [
    { name: 'time to first audio, sentence streaming (median)', value: median(results.streaming!), unit: 'ms', conditions },
    { name: 'time to first audio, whole reply first (median)', value: median(results.whole!), unit: 'ms', conditions },
  ];
};
