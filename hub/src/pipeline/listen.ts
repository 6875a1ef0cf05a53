import { preciseNowMs } from '@hugh/common';
import { pcmSamples } from '@hugh/protocol';
import { EndOfSpeechDetector, type EndpointSettings } from '../engines/vad/end-of-speech.js';
import type { SileroVadModel } from '../engines/vad/silero-vad.js';
import type { Turn } from '../session/turn.js';
import type { TurnRecord } from './turn-record.js';

/**
 * Collects a turn's utterance until the end of speech (Silero), tells the satellite to stop
 * streaming the moment it is decided, and returns the audio; undefined when nobody spoke.
 */
export async function listenForUtterance(turn: Turn, vad: SileroVadModel, endpoint: EndpointSettings, record: TurnRecord): Promise<Int16Array | undefined> {
  const detector = new EndOfSpeechDetector(vad.create(), endpoint);
  const parts: Int16Array[] = [];
  let collected = 0;
  let heard = false;
  for await (const frame of turn.audio) {
    const samples = pcmSamples(frame.payload);
    parts.push(samples);
    collected += samples.length;
    const decision = await detector.push(samples);
    if (decision.kind === 'continue') continue;
    record.times.endOfSpeechMs = preciseNowMs();
    if (decision.kind === 'end-of-speech') {
      record.endpointDelayMs = collected / 16 - decision.speechEndMs;
      turn.stopListening('end-of-speech');
      heard = true;
    } else turn.stopListening('no-speech');
    break;
  }
  if (record.times.endOfSpeechMs === undefined) {
    // The audio ended first (the satellite's input ended, or the longest utterance): use what came.
    record.times.endOfSpeechMs = preciseNowMs();
    heard = detector.heardSpeech;
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
