/**
 * The closed list of error codes that cross the wire or reach a user.
 * Like ws's `WS_ERR_*`, a code never changes meaning once published; add new ones at the end.
 */
export const ERROR_CODES = {
  HUGH_ERR_FRAME_TRUNCATED: 'An audio frame is shorter than its header or than the payload length it declares.',
  HUGH_ERR_FRAME_TOO_LARGE: 'An audio frame or control message is larger than the protocol allows (64 KiB for frames, 16 KiB for control messages).',
  HUGH_ERR_FRAME_BAD_MAGIC: 'The bytes are not an H.U.G.H. audio frame (the first two bytes are not "HV").',
  HUGH_ERR_FRAME_INVALID: 'An audio frame contradicts itself: payload length, channel count, sample rate, codec, flags or reserved bytes are out of range.',
  HUGH_ERR_UNSUPPORTED_VERSION: 'The frame or message carries a protocol version this side does not speak.',
  HUGH_ERR_MESSAGE_MALFORMED: 'A control message is not a JSON object.',
  HUGH_ERR_MESSAGE_INVALID: 'A control message has a known type but a field is missing or out of range (the message names the field).',
  HUGH_ERR_UNKNOWN_MESSAGE_TYPE: 'A control message has a type this side does not know, or one that may not travel in this direction.',
  HUGH_ERR_TOPIC_INVALID: 'An MQTT topic is outside the H.U.G.H. topic tree.',
  HUGH_ERR_NOT_AUTHORIZED: 'A client tried to publish or subscribe on a topic that belongs to another satellite or to the hub.',
  HUGH_ERR_HELLO_REQUIRED: 'A satellite sent something before its hello was accepted.',
  HUGH_ERR_SATELLITE_MISMATCH: 'A message names a satellite id other than the one of the connection or topic it came on.',
  HUGH_ERR_UNKNOWN_TURN: 'A message or frame refers to a turn that is not active for this satellite.',
  HUGH_ERR_AUDIO_TOO_LONG: 'A turn streamed more audio than the hub accepts for one utterance.',
  HUGH_ERR_TOO_MANY_ERRORS: 'A satellite sent too many bad inputs in a short time and was disconnected.',
  HUGH_ERR_REPLACED: 'Another connection with the same satellite id replaced this one.',
  HUGH_ERR_CONFIG_INVALID: 'A configuration value is missing or out of range (the message names the field and its source).',
  HUGH_ERR_ENGINE_UNAVAILABLE: 'An engine (wake word, VAD, ASR, TTS, LLM) could not be reached or failed.',
  HUGH_ERR_TIMEOUT: 'An operation did not finish within its time limit.',
  HUGH_ERR_CANCELLED: 'The turn was cancelled (new wake word, cancel message, stop command).',
  HUGH_ERR_INTERNAL: 'An unexpected failure inside this side; it has been logged.',
  HUGH_ERR_UNKNOWN_SATELLITE: 'A command names a satellite that is not connected.',
  HUGH_ERR_LEASE_LOST: 'An LLM worker wrote to a turn whose lease it no longer holds (it expired and the turn went back to the queue).',
  HUGH_ERR_NOT_AUTHENTICATED: 'A client connected without credentials, with a wrong password, or as a satellite the hub does not know.',
  HUGH_ERR_RATE_LIMITED: 'A satellite or address went over a limit: turns per minute, messages per second, or connections per address.',
  HUGH_ERR_MODEL_MISSING: 'A speech model file is not in the models folder and could not be fetched (the message says what to copy where).',
  HUGH_ERR_MODEL_INVALID: 'A speech model file does not have the sha256 of the tested file (scripts/models.json) and was refused.',
  HUGH_ERR_STORAGE_UNAVAILABLE: 'The state dir could not be written (disk full, read-only, over quota): what was asked was not saved, and nothing that was saved before changed.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** An error with a stable code; the only error type the protocol functions throw. */
export class HughError extends Error {
  override readonly name = 'HughError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Turns anything thrown into a HughError, keeping a HughError's code. */
export function toHughError(error: unknown, fallback: ErrorCode = 'HUGH_ERR_INTERNAL'): HughError {
  if (error instanceof HughError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new HughError(fallback, message, { cause: error });
}
