import { hostname } from 'node:os';
import { z } from 'zod';
import { loadConfig, type OptionSpec } from '@hugh/common';
import { DEFAULT_TOPIC_PREFIX, MAX_HUBS, SATELLITE_ID_PATTERN } from '@hugh/protocol';
import { KeywordNameSchema, defaultModelsDir } from '@hugh/wakeword';


function defaultId(): string {
  const name = hostname().toLowerCase().replace(/[^a-z0-9_-]/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 63);
  return SATELLITE_ID_PATTERN.test(name) ? name : 'satellite';
}

/** `hey_hugh:0.6,b.onnx` → [{model: 'hey_hugh', threshold: 0.6}, {model: 'b.onnx'}] (for the flag and env form). */
const keywordList = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value.split(',').filter(Boolean).map((entry) => {
          const [model, threshold] = entry.split(':');
          return threshold === undefined ? { model } : { model, threshold: Number(threshold) };
        })
      : value,
  z.array(z.strictObject({ model: z.string().min(1), threshold: z.number().gt(0).lt(1).optional() })).min(1),
);

/** Back to idle when no reply starts within this time after the end of speech (`turn.replyTimeoutMs`). */
export const DEFAULT_REPLY_TIMEOUT_MS = 20_000;

const hubUrl = z.url({ protocol: /^(mqtts?|wss?)$/ });

/**
 * The hubs in order of preference: a list of URLs or of `{url, password?, username?, caFile?}`
 * (a login per hub); in a flag or the environment, URLs separated by commas.
 */
const hubList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((url) => url.trim()).filter(Boolean) : value),
  z
    .array(
      z.union([
        hubUrl,
        z.strictObject({
          url: hubUrl,
          /** This hub's password for the satellite; default: `password`. */
          password: z.string().min(1).optional(),
          /** This hub's username (an external broker's own account); default: `mqtt.username`, else the satellite id. */
          username: z.string().min(1).optional(),
          /** The CA this hub's certificate chains to; default: `caFile`. */
          caFile: z.string().min(1).optional(),
        }),
      ]),
    )
    .min(1)
    .max(MAX_HUBS),
);

export const SatelliteConfigSchema = z.strictObject({
  id: z.string().regex(SATELLITE_ID_PATTERN, 'must be 1-63 characters of a-z, 0-9, "_" or "-"').default(defaultId),
  room: z.string().min(1).max(64).optional(),
  /** mqtt://hub:1883 or ws://hub:8750, or several in order of preference (the first is the primary). */
  hub: hubList.default(['mqtt://127.0.0.1:1883']),
  /** With several hubs: when to move back from a fallback to a better hub. */
  failover: z
    .strictObject({
      /** A better hub must pass every probe for this long before the satellite moves back (no flapping). */
      returnAfterMs: z.int().min(0).max(3_600_000).default(30_000),
      /** How often each better hub is probed with a real login while on a fallback. */
      probeIntervalMs: z.int().min(100).max(600_000).default(5_000),
      /** Longest wait for one probe or one connection attempt of a move. */
      probeTimeoutMs: z.int().min(100).max(60_000).default(5_000),
    })
    .prefault({}),
  topicPrefix: z.string().default(DEFAULT_TOPIC_PREFIX),
  /** This satellite's password, from `hugh-hub satellite add <id>` (its username is its id); for every hub without its own. */
  password: z.string().min(1).optional(),
  /** The house CA (`hugh-hub certs` → ca.crt) that the hub's mqtts/wss certificate must chain to. */
  caFile: z.string().min(1).optional(),
  /** Overrides for an external broker with its own accounts (Mosquitto). */
  mqtt: z.strictObject({ username: z.string().optional(), password: z.string().optional() }).prefault({}),
  audio: z
    .strictObject({
      /** Unset: the microphone. `-`: raw s16le 16 kHz mono on stdin. A path: a WAV file. */
      input: z.string().optional(),
      /** ALSA device for arecord (`-D`), or the sox/rec device on macOS. */
      device: z.string().optional(),
      recorder: z.enum(['arecord', 'sox', 'rec']).optional(),
      /** `speaker`, `none`, or a folder where each reply is written as a WAV file. */
      output: z.string().default('speaker'),
      chimes: z.boolean().default(true),
    })
    .prefault({}),
  wake: z
    .strictObject({
      modelsDir: z.string().default(defaultModelsDir),
      keywords: keywordList.default([{ model: 'hey_jarvis_v0.1.onnx', threshold: 0.5 }]),
      refractoryMs: z.int().min(0).max(30_000).default(2_000),
      /** Threshold while a reply plays (barge-in without waking on our own voice). */
      playbackThreshold: z.number().gt(0).lt(1).default(0.8),
      porcupine: z
        .strictObject({
          accessKey: z.string().min(1).optional(),
          keywords: z.preprocess((value) => (typeof value === 'string' ? value.split(',') : value), z.array(z.string().min(1)).min(1)).default(['jarvis']),
          sensitivity: z.number().min(0).max(1).default(0.5),
        })
        .prefault({}),
    })
    .prefault({}),
  turn: z.strictObject({ replyTimeoutMs: z.int().min(1_000).default(DEFAULT_REPLY_TIMEOUT_MS) }).prefault({}),
  /** `enroll`: the keyword to enrol (saved as `<keyword>.enrolled.json` in wake.modelsDir), and takes to record instead of `--input` files. */
  enroll: z.strictObject({ keyword: KeywordNameSchema.optional(), record: z.int().min(2).max(10).optional() }).prefault({}),
  /** Exit after the first turn's reply has played (demos, scripts, tests). */
  once: z.boolean().default(false),
  /** `detect`: print JSON lines. */
  json: z.boolean().default(false),
});

export type SatelliteConfig = z.infer<typeof SatelliteConfigSchema>;

/** One hub of the list with the login and CA that apply to it. */
export interface HubEndpoint {
  url: string;
  username?: string;
  password?: string;
  caFile?: string;
}

/**
 * The hubs with their logins: a hub's own `password`/`username`/`caFile`, else the satellite's
 * (`password`, `mqtt.username`, `caFile`). The hub knows a satellite by its id, so that is the
 * username unless an external broker's account says otherwise. No password anywhere: no login.
 */
export function hubEndpoints(config: SatelliteConfig): HubEndpoint[] {
  return config.hub.map((entry) => {
    const own = typeof entry === 'string' ? { url: entry } : entry;
    const password = own.password ?? config.mqtt.password ?? config.password;
    const username = own.username ?? config.mqtt.username ?? (password !== undefined ? config.id : undefined);
    const caFile = own.caFile ?? config.caFile;
    return { url: own.url, ...(username !== undefined ? { username, password: password ?? '' } : {}), ...(caFile ? { caFile } : {}) };
  });
}

export const SATELLITE_CONFIG_ENV = 'HUGH_SATELLITE_CONFIG';

export const SATELLITE_OPTIONS: OptionSpec[] = [
  { flag: 'id', env: 'HUGH_SATELLITE_ID', path: 'id', type: 'string', description: 'satellite id, one per device (default: host name)' },
  { flag: 'room', env: 'HUGH_ROOM', path: 'room', type: 'string', description: 'room name, for arbitration and home automation' },
  { flag: 'hub', env: 'HUGH_HUB_URL', path: 'hub', type: 'string', description: 'hub address: mqtt://host:1883 or ws://host:8750; several, best first: mqtt://vm:1883,ws://mac.local:8750' },
  { flag: 'ca-file', env: 'HUGH_HUB_CA', path: 'caFile', type: 'string', description: 'CA certificate for mqtts:// or wss:// (from hugh-hub certs)' },
  { flag: 'input', env: 'HUGH_INPUT', path: 'audio.input', type: 'string', description: 'FILE.wav or - (stdin) instead of the microphone' },
  { flag: 'device', env: 'HUGH_AUDIO_DEVICE', path: 'audio.device', type: 'string', description: 'microphone device (ALSA name for arecord, e.g. plughw:1,0)' },
  { flag: 'output', env: 'HUGH_OUTPUT', path: 'audio.output', type: 'string', description: 'speaker (default), none, or a folder for reply WAV files' },
  { flag: 'models-dir', env: 'HUGH_MODELS_DIR', path: 'wake.modelsDir', type: 'string', description: `openWakeWord models folder (default here: ${defaultModelsDir()})` },
  { flag: 'keywords', env: 'HUGH_KEYWORDS', path: 'wake.keywords', type: 'string', description: 'keywords (names or model files) with optional thresholds: hey_hugh:0.6,hey_jarvis' },
  { flag: 'porcupine-access-key', env: 'HUGH_PORCUPINE_ACCESS_KEY', path: 'wake.porcupine.accessKey', type: 'string', description: 'use Porcupine with this Picovoice AccessKey' },
  { flag: 'porcupine-keywords', env: 'HUGH_PORCUPINE_KEYWORDS', path: 'wake.porcupine.keywords', type: 'string', description: 'Porcupine built-in keywords or .ppn files (default jarvis)' },
  { flag: 'password', env: 'HUGH_SATELLITE_PASSWORD', path: 'password', type: 'string', description: 'password from `hugh-hub satellite add` (prefer the env var: flags show in ps)' },
  { flag: 'once', env: 'HUGH_ONCE', path: 'once', type: 'boolean', description: 'exit after the first reply has played' },
  { flag: 'json', env: 'HUGH_JSON', path: 'json', type: 'boolean', description: 'detect: print JSON lines' },
  { flag: 'keyword', path: 'enroll.keyword', type: 'string', description: 'enroll: the keyword to enrol, e.g. hey_hugh' },
  { flag: 'record', path: 'enroll.record', type: 'int', description: 'enroll: record this many takes from the microphone' },
];

export function loadSatelliteConfig(argv: string[], env: NodeJS.ProcessEnv) {
  return loadConfig(SatelliteConfigSchema, { argv, env, specs: SATELLITE_OPTIONS, configEnv: SATELLITE_CONFIG_ENV });
}
