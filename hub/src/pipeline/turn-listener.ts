import { preciseNowMs } from '@hugh/common';
import { pcmSamples } from '@hugh/protocol';
import { EndOfSpeechDetector, type EndpointSettings } from '../engines/vad/end-of-speech.js';
import type { VoiceActivityDetector } from '../engines/vad/silero-vad.js';
import type { Turn } from '../session/turn.js';
import type { TurnRecord } from './turn-record.js';

export interface Transcription {
  text: string;
  engine: string;
  /** How long the STT call took. */
  sttMs: number;
}

export interface TurnListenerOptions {
  vad: { create(): VoiceActivityDetector };
  endpoint: EndpointSettings;
  /** Speculative transcriptions a turn may start at most (each costs an STT call). */
  maxSpeculations: number;
  transcribe(audio: Int16Array, signal: AbortSignal): Promise<Transcription>;
  /** Whether a transcript ends the turn at once: a local intent understands it, or it reads finished. */
  isFinished(transcript: string): boolean;
  /** A speculative transcript that does not end the turn yet: its reply may start, held until the commit. */
  onSpeculation?(transcript: string): void;
  /** The speculation was wrong (the user spoke on): what started on it is dropped. */
  onDropped?(): void;
}

export type ListenOutcome =
  | { kind: 'utterance'; audio: Int16Array; transcript: Transcription | undefined }
  | { kind: 'no-speech' };

interface Speculation {
  audio: Int16Array;
  controller: AbortController;
  /** Wall time of the end of speech the VAD placed before this pause. */
  speechEndWallMs: number;
  speechEndAudioMs: number;
  transcription: Promise<Transcription | undefined>;
}

/**
 * Listens for the end of a turn, speculating: at the first short pause (`endpoint.pauseMs`) the audio
 * so far is transcribed while listening goes on. A transcript that ends the turn (`isFinished`)
 * commits it at once; otherwise the turn waits for the long silence (`endpoint.trailingSilenceMs`)
 * and the reply may start early on the speculation (`onSpeculation`). Speech resuming drops the
 * speculation (its STT call aborted). At the long silence, if nobody spoke since the pause, the
 * speculative transcript is reused: no second STT call. The satellite is told `stop-listening` at the
 * commit, and nothing is said before it.
 */
export class TurnListener {
  constructor(private readonly options: TurnListenerOptions) {}

  async listen(turn: Turn, record: TurnRecord): Promise<ListenOutcome> {
    const { options } = this;
    const detector = new EndOfSpeechDetector(options.vad.create(), options.endpoint);
    const parts: Int16Array[] = [];
    let collected = 0;
    let speculation: Speculation | undefined;
    let committed: Speculation | undefined;
    let decided: 'end-of-speech' | 'no-speech' | undefined;
    const stats = { attempts: 0, dropped: 0, reused: false, early: false };
    record.speculation = stats;
    /** Wall time of a position in the audio, from how far behind the newest audio it lies. */
    const wallOf = (audioMs: number) => preciseNowMs() - (detector.audioMs - audioMs);
    const snapshot = () => {
      const audio = new Int16Array(collected);
      let offset = 0;
      for (const part of parts) {
        audio.set(part, offset);
        offset += part.length;
      }
      return audio;
    };

    const speculate = (speechEndAudioMs: number) => {
      stats.attempts++;
      record.times.speculatedMs ??= preciseNowMs();
      const controller = new AbortController();
      const spec: Speculation = { audio: snapshot(), controller, speechEndWallMs: wallOf(speechEndAudioMs), speechEndAudioMs, transcription: Promise.resolve(undefined) };
      spec.transcription = options.transcribe(spec.audio, AbortSignal.any([turn.signal, controller.signal])).then(
        (transcription) => {
          if (speculation !== spec || committed || decided || turn.signal.aborted) return transcription;
          if (options.isFinished(transcription.text)) {
            // The turn is over: commit now, long before the long silence would have said so.
            committed = spec;
            stats.early = true;
            record.times.endOfSpeechMs = preciseNowMs();
            record.endpointDelayMs = detector.audioMs - spec.speechEndAudioMs;
            turn.stopListening('end-of-speech');
          } else options.onSpeculation?.(transcription.text);
          return transcription;
        },
        () => undefined, // dropped, cancelled, or a failed engine (the chain has counted it): the final call will tell
      );
      speculation = spec;
    };

    for await (const frame of turn.audio) {
      const samples = pcmSamples(frame.payload);
      parts.push(samples);
      collected += samples.length;
      for (const event of await detector.push(samples)) {
        if (event.kind === 'pause') {
          if (!speculation && stats.attempts < options.maxSpeculations) speculate(event.speechEndMs);
        } else if (event.kind === 'resume') {
          if (!speculation) continue;
          speculation.controller.abort();
          speculation = undefined;
          stats.dropped++;
          options.onDropped?.();
        } else if (event.kind === 'end-of-speech') {
          decided = 'end-of-speech';
          record.times.endOfSpeechMs = preciseNowMs();
          record.times.speechEndMs = wallOf(event.speechEndMs);
          record.endpointDelayMs = detector.audioMs - event.speechEndMs;
          turn.stopListening('end-of-speech');
        } else {
          decided = 'no-speech';
          turn.stopListening('no-speech');
        }
      }
      if (decided || committed) break;
    }

    if (committed) {
      const spec = committed as Speculation;
      record.times.speechEndMs = spec.speechEndWallMs;
      return { kind: 'utterance', audio: spec.audio, transcript: await spec.transcription };
    }
    if (!decided) {
      // The audio ended first (the satellite stopped, or the longest utterance): use what came.
      record.times.endOfSpeechMs = preciseNowMs();
      decided = detector.heardSpeech ? 'end-of-speech' : 'no-speech';
    }
    if (decided === 'no-speech' || turn.signal.aborted) {
      speculation?.controller.abort();
      if (speculation) options.onDropped?.();
      return { kind: 'no-speech' };
    }
    const pending = speculation as Speculation | undefined;
    if (pending) {
      // Nobody spoke since the pause: the same speech, so the same transcript.
      const transcription = await pending.transcription;
      if (transcription) {
        stats.reused = true;
        return { kind: 'utterance', audio: pending.audio, transcript: transcription };
      }
      options.onDropped?.();
    }
    return { kind: 'utterance', audio: snapshot(), transcript: undefined };
  }
}
