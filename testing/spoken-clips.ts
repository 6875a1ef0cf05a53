import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CAPTURE_SAMPLE_RATE_HZ, pcmBytes } from '@hugh/protocol';
import { readWavAs16kMono } from '@hugh/satellite';
import type { Hub, TurnRecord } from '@hugh/hub';
import type { HubClient } from '@hugh/satellite';
import type { SpokenScript, startModelledEngines } from './modelled-engines.js';
import { synthesize, type Voice } from './speech.js';

/** Clips whose speech is known to the millisecond, for turn-taking tests and the latency bench. */
export type Path = 'local' | 'llm';
export interface ClipSpec {
  path: Path;
  /** Phrases, and the silence before each after the first (a pause inside the sentence). */
  phrases: { text: string; pauseBeforeMs?: number }[];
}

const LEAD_S = 0.2;
const TAIL_S = 2.5;

/**
 * Where the speech ends (before `beforeS`), by energy: the end of the last 10 ms window whose RMS is
 * within 25 dB of the clip's loudest window. Relative to the peak, so the crowd noise of a recording
 * like jfk.wav does not count as speech.
 */
export function energyEndS(samples: Int16Array, beforeS = Number.POSITIVE_INFINITY): number {
  const window = 160;
  const rms: number[] = [];
  for (let offset = 0; offset + window <= samples.length; offset += window) {
    let sum = 0;
    for (let i = offset; i < offset + window; i++) sum += samples[i]! * samples[i]!;
    rms.push(Math.sqrt(sum / window));
  }
  const floor = Math.max(...rms) * 10 ** (-25 / 20);
  for (let w = Math.min(rms.length, Math.floor((beforeS * CAPTURE_SAMPLE_RATE_HZ) / window)) - 1; w >= 0; w--) if (rms[w]! > floor) return ((w + 1) * window) / CAPTURE_SAMPLE_RATE_HZ;
  return 0;
}

export interface Clip {
  name: string;
  path: Path;
  samples: Int16Array;
  script: SpokenScript;
  speechEndS: number;
  fullText: string;
  pause: boolean;
}

export function buildClip(spec: ClipSpec, voice: Voice): Clip {
  const parts: Int16Array[] = [new Int16Array(Math.round(LEAD_S * CAPTURE_SAMPLE_RATE_HZ))];
  let length = parts[0]!.length;
  const segments: SpokenScript['segments'] = [];
  for (const phrase of spec.phrases) {
    if (phrase.pauseBeforeMs) {
      const pause = new Int16Array(Math.round((phrase.pauseBeforeMs / 1000) * CAPTURE_SAMPLE_RATE_HZ));
      parts.push(pause);
      length += pause.length;
    }
    const speech = readWavAs16kMono(synthesize(phrase.text, voice, { padS: 0, trim: true }));
    parts.push(speech);
    length += speech.length;
    segments.push({ text: phrase.text, endS: length / CAPTURE_SAMPLE_RATE_HZ });
  }
  const tail = new Int16Array(Math.round(TAIL_S * CAPTURE_SAMPLE_RATE_HZ));
  parts.push(tail);
  const samples = new Int16Array(length + tail.length);
  let offset = 0;
  for (const part of parts) {
    samples.set(part, offset);
    offset += part.length;
  }
  const fullText = spec.phrases.map((phrase) => phrase.text).join(' ');
  return { name: `${fullText} (${voice.voice})`, path: spec.path, samples, script: { segments }, speechEndS: segments.at(-1)!.endS, fullText, pause: spec.phrases.length > 1 };
}

export function recordingClip(sharedDir: string, recording: { file: string; text: string }): Clip {
  const speech = readWavAs16kMono(join(sharedDir, recording.file));
  const samples = new Int16Array(speech.length + Math.round(TAIL_S * CAPTURE_SAMPLE_RATE_HZ));
  samples.set(speech);
  const speechEndS = energyEndS(speech);
  const words = recording.text.split(' ');
  // A recogniser on partial audio hears the words so far: modelled in proportion to the speech covered.
  const segments = words.map((word, index) => ({ text: word, endS: (speechEndS * (index + 1)) / words.length }));
  return { name: recording.file, path: 'llm', samples, script: { segments }, speechEndS, fullText: recording.text, pause: false };
}

/** A microphone: each 40 ms chunk arrives when its last sample has been spoken (not before), paced from the start. */
export async function* microphone(samples: Int16Array, startedMs: number, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const perChunk = CAPTURE_SAMPLE_RATE_HZ * 0.04;
  for (let index = 0; index * perChunk < samples.length && !signal.aborted; index++) {
    const waitMs = startedMs + (index + 1) * 40 - Date.now();
    if (waitMs > 0) await sleep(waitMs);
    yield pcmBytes(samples.subarray(index * perChunk, (index + 1) * perChunk));
  }
}


export interface Measured {
  clip: Clip;
  latencyMs: number | undefined;
  transcript: string | undefined;
  sttCalls: number;
}

/** Streams a clip as a microphone would, through the satellite, and measures when the reply starts after the real end of speech. */
export async function runClip(hub: Hub, client: HubClient, engines: Awaited<ReturnType<typeof startModelledEngines>>, clip: Clip): Promise<Measured> {
  engines.setScript(clip.script);
  const sttBefore = engines.counts.stt;
  let record: TurnRecord | undefined;
  const onRecord = (turn: TurnRecord) => (record = turn);
  hub.events.on('turn', onRecord);
  let firstReplyMs: number | undefined;
  const onAudio = () => (firstReplyMs ??= Date.now());
  client.on('reply-audio', onAudio);
  const startedMs = Date.now() + 20;
  const turn = client.beginTurn({ preRollMs: 0 });
  if (!turn) throw new Error('the bench satellite is not connected');
  for await (const chunk of microphone(clip.samples, startedMs, turn.signal)) turn.sendPcm(chunk);
  turn.end(turn.signal.aborted ? (turn.abortReason ?? 'cancelled') : 'end-of-input');
  const deadline = Date.now() + 15_000;
  while (!record && Date.now() < deadline) await sleep(20);
  hub.events.off('turn', onRecord);
  client.off('reply-audio', onAudio);
  await sleep(200); // the turn's last frames and the engines' idle time settle before the next clip
  const speechEndMs = startedMs + clip.speechEndS * 1000;
  if (process.env.HUGH_BENCH_DEBUG) {
    const t = (record as TurnRecord | undefined)?.times;
    const rel = (at?: number) => (at === undefined ? '-' : Math.round(at - speechEndMs));
    process.stderr.write(`${clip.name}: vadEnd ${rel(t?.speechEndMs)} spec ${rel(t?.speculatedMs)} commit ${rel(t?.endOfSpeechMs)} transcript ${rel(t?.transcriptMs)} text ${rel(t?.firstReplyTextMs)} tts ${rel(t?.ttsStartMs)} audio ${rel(t?.firstAudioOutMs)} frame ${firstReplyMs === undefined ? '-' : Math.round(firstReplyMs - speechEndMs)} ${JSON.stringify((record as TurnRecord | undefined)?.speculation)}\n`);
  }
  return { clip, latencyMs: firstReplyMs === undefined ? undefined : firstReplyMs - speechEndMs, transcript: (record as TurnRecord | undefined)?.transcript, sttCalls: engines.counts.stt - sttBefore };
}

