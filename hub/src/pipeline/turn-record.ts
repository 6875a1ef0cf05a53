/** What one turn did and when: logged, published as an event, fed to metrics and the demo. */
export interface TurnRecord {
  satelliteId: string;
  turnId: number;
  keyword?: string;
  outcome: 'answered' | 'no-speech' | 'cancelled' | 'failed';
  transcript?: string;
  replyText?: string;
  sttEngine?: string;
  ttsEngine?: string;
  error?: string;
  /** Unix epoch ms of each stage; absent when the turn never got there. */
  times: {
    wakeMs?: number;
    turnStartMs: number;
    endOfSpeechMs?: number;
    transcriptMs?: number;
    firstReplyTextMs?: number;
    firstAudioOutMs?: number;
    lastAudioOutMs?: number;
  };
  /** Engine time on the path to the first audio: STT, reply text up to the first sentence, its TTS. */
  engineMs: { stt?: number; firstSentence?: number; firstTts?: number };
  /** First audio out minus end of speech minus the engine times: what the hub itself added. */
  hubOverheadMs?: number;
  /** How long after the speech really ended (per VAD) the end was decided, in audio time. */
  endpointDelayMs?: number;
}
