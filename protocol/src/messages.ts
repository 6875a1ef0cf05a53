import { z } from 'zod';
import { ERROR_CODES, HughError, type ErrorCode } from './errors.js';
import { SatelliteIdSchema, TurnIdSchema } from './ids.js';
import { CAPTURE_SAMPLE_RATE_HZ, MAX_CONTROL_BYTES, MAX_HUBS, MAX_PRE_ROLL_MS, PROTOCOL_VERSION } from './version.js';

/**
 * Control messages are JSON objects `{ v, type, ...fields }`. Each direction has its own closed
 * set of types; a type that may only travel the other way is refused as unknown.
 */
const base = { v: z.literal(PROTOCOL_VERSION) };
const errorCode = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

export const SATELLITE_STATES = ['idle', 'streaming', 'waiting', 'speaking', 'muted'] as const;
export type SatelliteState = (typeof SATELLITE_STATES)[number];

const PlaybackFormat = z.object({
  sampleRateHz: z.int().min(8_000).max(48_000),
  channels: z.union([z.literal(1), z.literal(2)]),
});
export type PlaybackFormat = z.infer<typeof PlaybackFormat>;

const Ping = z.object({ ...base, type: z.literal('ping'), nonce: z.string().max(64) });
const Pong = z.object({ ...base, type: z.literal('pong'), nonce: z.string().max(64) });
const ErrorMessage = z.object({
  ...base,
  type: z.literal('error'),
  code: errorCode,
  message: z.string().max(1000),
  turnId: TurnIdSchema.optional(),
});
const Cancel = z.object({
  ...base,
  type: z.literal('cancel'),
  turnId: TurnIdSchema,
  reason: z.enum(['user', 'wake-word', 'stop-command', 'arbitration-lost', 'error', 'replaced']),
});

// ── satellite → hub ─────────────────────────────────────────────────────────────
const Hello = z.object({
  ...base,
  type: z.literal('hello'),
  satelliteId: SatelliteIdSchema,
  room: z.string().min(1).max(64).optional(),
  softwareVersion: z.string().max(32),
  capabilities: z.object({
    wakeEngines: z.array(z.string().max(32)).max(8),
    playback: z.boolean(),
  }),
  /** Formats the satellite can play, best first; the hub resamples its replies to one of them. */
  playbackFormats: z.array(PlaybackFormat).max(8),
  /**
   * Where this hub is in the satellite's ordered `hub` list (0: its primary). Absent: a satellite
   * that knows one hub, or one older than the field.
   */
  link: z.object({ hubIndex: z.int().min(0).max(MAX_HUBS - 1), hubCount: z.int().min(1).max(MAX_HUBS) }).refine((link) => link.hubIndex < link.hubCount, { message: 'hubIndex must be below hubCount', path: ['hubIndex'] }).optional(),
});
const Wake = z.object({
  ...base,
  type: z.literal('wake'),
  turnId: TurnIdSchema,
  engine: z.string().max(32),
  keyword: z.string().max(64),
  score: z.number().min(0).max(1),
  /** RMS level of the wake word's audio, dBFS (≤ 0); used to pick the nearest satellite. */
  levelDbfs: z.number().min(-200).max(0),
  detectedAtMs: z.number().nonnegative(),
});
/** Satellite audio is 16 kHz mono s16le, the only format the hub's VAD and STT engines take: the wire promises no other. */
const AudioStart = z.object({
  ...base,
  type: z.literal('audio-start'),
  turnId: TurnIdSchema,
  sampleRateHz: z.literal(CAPTURE_SAMPLE_RATE_HZ, { error: `satellite audio is ${CAPTURE_SAMPLE_RATE_HZ} Hz` }),
  channels: z.literal(1, { error: 'satellite audio is mono' }),
  codec: z.literal('pcm_s16le'),
  /** Audio from before the wake word's end at the start of the stream (at most the welcome's `preRollMs`). */
  preRollMs: z.int().min(0).max(MAX_PRE_ROLL_MS),
});
const AudioStop = z.object({
  ...base,
  type: z.literal('audio-stop'),
  turnId: TurnIdSchema,
  reason: z.enum(['stop-listening', 'max-length', 'end-of-input', 'cancelled', 'error']),
  /** Frames sent in this turn, so the hub can tell loss from silence. */
  frameCount: z.int().min(0),
});
const StateMessage = z.object({ ...base, type: z.literal('state'), state: z.enum(SATELLITE_STATES) });

export const SatelliteMessageSchema = z.discriminatedUnion('type', [
  Hello, Wake, AudioStart, AudioStop, StateMessage, Cancel, ErrorMessage, Ping, Pong,
]);
export type SatelliteMessage = z.infer<typeof SatelliteMessageSchema>;

// ── hub → satellite ─────────────────────────────────────────────────────────────
const Welcome = z.object({
  ...base,
  type: z.literal('welcome'),
  satelliteId: SatelliteIdSchema,
  hubVersion: z.string().max(32),
  /** Longest utterance the hub accepts; the satellite stops streaming after it. */
  maxUtteranceMs: z.int().positive(),
  /** Audio from before the wake word's end the hub wants at the start of each turn (the words said right after it). */
  preRollMs: z.int().min(0).max(MAX_PRE_ROLL_MS),
  muted: z.boolean(),
  volumePercent: z.int().min(0).max(100),
});
const Reject = z.object({ ...base, type: z.literal('reject'), code: errorCode, message: z.string().max(1000) });
const StopListening = z.object({
  ...base,
  type: z.literal('stop-listening'),
  turnId: TurnIdSchema,
  reason: z.enum(['end-of-speech', 'no-speech', 'max-length', 'error']),
});
const Transcript = z.object({ ...base, type: z.literal('transcript'), turnId: TurnIdSchema, text: z.string().max(4000) });
const ReplyStart = z.object({
  ...base,
  type: z.literal('reply-start'),
  turnId: TurnIdSchema,
  sampleRateHz: z.int().min(8_000).max(48_000),
  channels: z.union([z.literal(1), z.literal(2)]),
  codec: z.literal('pcm_s16le'),
});
const ReplyStop = z.object({
  ...base,
  type: z.literal('reply-stop'),
  turnId: TurnIdSchema,
  reason: z.enum(['done', 'cancelled', 'error']),
  frameCount: z.int().min(0),
});
const Say = z.object({ ...base, type: z.literal('say'), turnId: TurnIdSchema, text: z.string().min(1).max(4000) });
const Mute = z.object({ ...base, type: z.literal('mute'), muted: z.boolean() });
const Volume = z.object({ ...base, type: z.literal('volume'), percent: z.int().min(0).max(100) });
/** Start a turn without the wake word (an integration's "listen" button). */
const Listen = z.object({ ...base, type: z.literal('listen'), turnId: TurnIdSchema });

export const HubMessageSchema = z.discriminatedUnion('type', [
  Welcome, Reject, StopListening, Transcript, ReplyStart, ReplyStop, Say, Mute, Volume, Listen, Cancel, ErrorMessage, Ping, Pong,
]);
export type HubMessage = z.infer<typeof HubMessageSchema>;

type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
/** A message as code builds it: the version is added by `message()`. */
export type SatelliteMessageBody = Without<SatelliteMessage, 'v'>;
export type HubMessageBody = Without<HubMessage, 'v'>;

export function satelliteMessage<T extends SatelliteMessageBody>(body: T): T & { v: typeof PROTOCOL_VERSION } {
  return { v: PROTOCOL_VERSION, ...body };
}
export function hubMessage<T extends HubMessageBody>(body: T): T & { v: typeof PROTOCOL_VERSION } {
  return { v: PROTOCOL_VERSION, ...body };
}

const SATELLITE_TYPES = new Set<string>(SatelliteMessageSchema.options.map((o) => o.shape.type.value));
const HUB_TYPES = new Set<string>(HubMessageSchema.options.map((o) => o.shape.type.value));

function parseJsonObject(raw: string | Uint8Array): Record<string, unknown> {
  const byteLength = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (byteLength > MAX_CONTROL_BYTES) {
    throw new HughError('HUGH_ERR_FRAME_TOO_LARGE', `control message of ${byteLength} bytes exceeds ${MAX_CONTROL_BYTES}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    throw new HughError('HUGH_ERR_MESSAGE_MALFORMED', 'control message is not valid UTF-8 JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HughError('HUGH_ERR_MESSAGE_MALFORMED', 'control message is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function decode<T>(raw: string | Uint8Array, schema: z.ZodType<T>, types: Set<string>, direction: string): T {
  const object = parseJsonObject(raw);
  if (object.v !== PROTOCOL_VERSION) {
    throw new HughError('HUGH_ERR_UNSUPPORTED_VERSION', `message version ${JSON.stringify(object.v)}, this side speaks ${PROTOCOL_VERSION}`);
  }
  if (typeof object.type !== 'string' || !types.has(object.type)) {
    throw new HughError('HUGH_ERR_UNKNOWN_MESSAGE_TYPE', `unknown ${direction} message type ${JSON.stringify(object.type)}`.slice(0, 200));
  }
  const result = schema.safeParse(object);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || '(message)';
    throw new HughError('HUGH_ERR_MESSAGE_INVALID', `${object.type}: ${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Parses and validates a control message sent by a satellite. Throws HughError. */
export function decodeSatelliteMessage(raw: string | Uint8Array): SatelliteMessage {
  return decode(raw, SatelliteMessageSchema, SATELLITE_TYPES, 'satellite');
}

/** Parses and validates a control message sent by the hub. Throws HughError. */
export function decodeHubMessage(raw: string | Uint8Array): HubMessage {
  return decode(raw, HubMessageSchema, HUB_TYPES, 'hub');
}

export function encodeMessage(message: SatelliteMessage | HubMessage): string {
  return JSON.stringify(message);
}
