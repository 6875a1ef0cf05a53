import { z } from 'zod';
import { defaultDataPath, loadConfig, type OptionSpec } from '@hugh/common';
import { DEFAULT_SYSTEM_PROMPT } from '@hugh/common/clients';
import { DEFAULT_TOPIC_PREFIX, MAX_FRAME_BYTES, MAX_PRE_ROLL_MS } from '@hugh/protocol';
import { isIP } from 'node:net';
import { DEBIAN_POCKETSPHINX_MODEL_DIR } from './engines/stt/pocketsphinx.js';

const port = z.int().min(0).max(65_535);
const url = z.url({ protocol: /^(https?|tcp)$/ });
const timeoutMs = z.int().min(100).max(120_000);

/**
 * The seeds' allocation: coding to Codestral, short factual questions to the fast 8B, the rest to
 * the 70B; each falls back down its list (the MacBook's Ollama last) when a model has no live worker.
 */
export const DEFAULT_ROUTES = [
  {
    name: 'coding',
    patterns: ['\\b(code|coding|program|function|python|javascript|typescript|rust|sql|regex|compile[rs]?|bug|stack ?trace|git)\\b'],
    models: ['codestral:22b', 'llama3.3:70b', 'llama3.1:8b', 'macbook/llama3.1:8b'],
  },
  {
    name: 'quick',
    patterns: ['^(who|what|when|where|which|how (many|much|far|tall|old|long))\\b'],
    maxWords: 10,
    models: ['llama3.1:8b', 'llama3.3:70b', 'macbook/llama3.1:8b'],
  },
  { name: 'general', models: ['llama3.3:70b', 'llama3.1:8b', 'macbook/llama3.1:8b'] },
];

/**
 * Silero VAD v5 where scripts/fetch-models.mjs puts it: /var/lib/hugh/models for the installed app
 * (/opt/hugh), else the checkout's .cache/models. `HUGH_VAD_MODEL` or `vad.modelPath` override it.
 */
const defaultVadModel = () => defaultDataPath('models', 'silero_vad_v5.onnx');

const SttEngine = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('whisper-cpp'), url, timeoutMs: timeoutMs.default(8_000) }),
  z.strictObject({ type: z.literal('openai'), url, model: z.string().default('whisper-1'), apiKey: z.string().optional(), timeoutMs: timeoutMs.default(8_000) }),
  z.strictObject({ type: z.literal('wyoming'), url, timeoutMs: timeoutMs.default(8_000) }),
  z.strictObject({
    type: z.literal('pocketsphinx'),
    /** The folder holding en-us/, en-us.lm.bin and cmudict-en-us.dict: Debian's, or e.g. Homebrew's share/pocketsphinx/model/en-us. */
    modelDir: z.string().min(1).default(DEBIAN_POCKETSPHINX_MODEL_DIR),
    timeoutMs: timeoutMs.default(15_000),
  }),
]);
const TtsEngine = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('outetts'),
    completionUrl: url,
    vocoderUrl: url,
    /** An OuteTTS speaker profile (JSON): without one the model picks a new voice for every request. */
    speakerFile: z.string({ error: 'an OuteTTS speaker profile is required (deploy/vm-vocal/install.sh fetches the default, en_male_1.json): without one the voice changes from sentence to sentence' }).min(1),
    /** The model's prompt format: 0.2 (OuteTTS-0.2-500M) or 0.3 (OuteTTS-0.3). */
    version: z.enum(['0.2', '0.3']).default('0.2'),
    batchCodes: z.int().min(16).max(8_192).default(512),
    timeoutMs: timeoutMs.default(10_000),
  }),
  z.strictObject({
    type: z.literal('openai'),
    url,
    model: z.string().default('tts-1'),
    voice: z.string().default('alloy'),
    apiKey: z.string().optional(),
    /** `pcm` (raw 24 kHz s16le, streamed as it is synthesised) or `wav` for servers without it. */
    responseFormat: z.enum(['pcm', 'wav']).default('pcm'),
    timeoutMs: timeoutMs.default(10_000),
  }),
  z.strictObject({ type: z.literal('wyoming'), url, voice: z.string().optional(), timeoutMs: timeoutMs.default(10_000) }),
  z.strictObject({ type: z.literal('espeak-ng'), voice: z.string().optional(), timeoutMs: timeoutMs.default(5_000) }),
  z.strictObject({ type: z.literal('flite'), voice: z.string().optional(), timeoutMs: timeoutMs.default(5_000) }),
  /** macOS's own `say` (the MacBook's standalone hub). */
  z.strictObject({
    type: z.literal('say'),
    /** A voice `say -v '?'` lists (Samantha, Daniel…); unset: the one chosen in System Settings. */
    voice: z.string().regex(/^[A-Za-z0-9][\w .()'-]{0,63}$/, 'a voice name as say -v ? lists it').optional(),
    /** Speech rate in words per minute; unset: the voice's own. */
    rateWpm: z.int().min(50).max(700).optional(),
    sampleRateHz: z.union([z.literal(16_000), z.literal(22_050), z.literal(24_000), z.literal(44_100), z.literal(48_000)]).default(22_050),
    timeoutMs: timeoutMs.default(10_000),
  }),
]);
/** Where a change of capability is pushed: ntfy (POST text to the topic URL) or Gotify (POST /message). */
const NotifyTarget = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ntfy'),
    /** The topic URL, e.g. https://ntfy.sh/hugh-house-3kf9 or http://ntfy.lan/hugh. */
    url: z.url({ protocol: /^https?$/ }),
    /** An access token (tk_…) for a protected topic. */
    token: z.string().min(1).optional(),
    priority: z.int().min(1).max(5).default(4),
    tags: z.array(z.string().regex(/^[\w+-]{1,32}$/)).max(8).default(['warning']),
  }),
  z.strictObject({
    type: z.literal('gotify'),
    /** The server, e.g. http://gotify.lan:8080 (the hub posts to /message). */
    url: z.url({ protocol: /^https?$/ }),
    /** The application token (Apps → Create Application). */
    token: z.string().min(1),
    priority: z.int().min(0).max(10).default(5),
  }),
]);
export type NotifyTargetConfig = z.infer<typeof NotifyTarget>;

/** Reduced capability made visible: retained on hugh/hub/capability, and optionally pushed and spoken. */
const CapabilitySettings = z
  .strictObject({
    /** How often the engines' and Convex's health is read besides every failover and recovery. */
    checkIntervalMs: z.int().min(100).max(600_000).default(5_000),
    /** Say once, after the next answered turn, that the hub runs on a fallback ("I'm running on my backup voice"). */
    announce: z.boolean().default(false),
    /** HTTP targets told once when the hub enters degraded or down and once when it is back to full. */
    notify: z.array(NotifyTarget).max(8).default([]),
    /** At most one push per target in this time; changes inside it are sent as one, with the latest state. */
    notifyMinIntervalMs: z.int().min(0).max(86_400_000).default(60_000),
    notifyTimeoutMs: timeoutMs.default(5_000),
    /** A push that failed (target down, refused) is tried again after this long. */
    notifyRetryMs: z.int().min(100).max(86_400_000).default(30_000),
  })
  .prefault({});

export type SttEngineConfig = z.infer<typeof SttEngine>;
export type TtsEngineConfig = z.infer<typeof TtsEngine>;

export const HubConfigSchema = z
  .strictObject({
    mqtt: z
      .strictObject({
        /** Run the embedded aedes broker; ignored when `brokerUrl` names an external one. */
        host: z.string().default('0.0.0.0'),
        port: port.default(1883),
        /** External broker, e.g. mqtt://mosquitto.lan:1883. Unset: the hub embeds its own. */
        brokerUrl: z.url({ protocol: /^mqtts?$/ }).optional(),
        username: z.string().optional(),
        password: z.string().optional(),
        topicPrefix: z.string().regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, 'levels of letters, digits, "_" or "-"').default(DEFAULT_TOPIC_PREFIX),
      })
      .prefault({}),
    http: z
      .strictObject({
        host: z.string().default('0.0.0.0'),
        port: port.default(8750),
        /** Addresses (a Prometheus on the LAN) that may read /metrics and the detailed /healthz without a login. */
        trustedAddresses: z.array(z.string().refine((address) => isIP(address) !== 0, 'an IP address')).default([]),
      })
      .prefault({}),
    turn: z
      .strictObject({
        /** Longest utterance accepted from a satellite. */
        maxUtteranceMs: z.int().min(1_000).max(120_000).default(15_000),
        /** Wake words from several satellites within this window are one: the loudest keeps the turn. 0 turns it off. */
        arbitrationWindowMs: z.int().min(0).max(2_000).default(400),
        /**
         * Audio from before the wake word's end that satellites send at the start of each turn (told in
         * their welcome): the words said right after the wake word, not the wake word itself, which
         * pocketsphinx turned into "k jarvis but i miss it".
         */
        preRollMs: z.int().min(0).max(MAX_PRE_ROLL_MS).default(300),
        /** Speculative transcriptions a turn may start (one per pause); each costs an STT call. */
        maxSpeculations: z.int().min(0).max(10).default(3),
        /** Start the language model on a speculative transcript, its answer held until the turn commits (dropped if the user speaks on). */
        preemptiveLlm: z.boolean().default(true),
      })
      .prefault({}),
    vad: z
      .strictObject({
        modelPath: z.string().default(defaultVadModel),
        speechThreshold: z.number().gt(0).lt(1).default(0.5),
        /**
         * The first short silence after speech, where the hub transcribes what it has while it keeps
         * listening: a transcript that reads finished (or that a local intent answers) ends the turn there.
         */
        pauseMs: z.int().min(50).max(2_000).default(120),
        /** Speech before a pause counts (the wake word's tail in the pre-roll is shorter). */
        pauseAfterSpeechMs: z.int().min(0).max(5_000).default(400),
        /**
         * Silence after speech that ends the utterance whatever it said. Speculation makes waiting cheap,
         * so this is longer than a pause inside a sentence ("set a timer for … ten minutes").
         */
        trailingSilenceMs: z.int().min(100).max(3_000).default(900),
        minSpeechMs: z.int().min(0).max(2_000).default(160),
        /** No speech this long after the wake word: the turn ends quietly. */
        noSpeechTimeoutMs: z.int().min(500).max(30_000).default(5_000),
      })
      .prefault({}),
    stt: z
      .strictObject({
        /** In order of preference; the chain falls over to the next on failure or time-out. */
        engines: z.array(SttEngine).min(1).prefault([{ type: 'pocketsphinx' }]),
        language: z.string().min(2).max(8).optional(),
        /** How long a failed engine is skipped before one trial call. */
        halfOpenAfterMs: z.int().min(1_000).default(15_000),
      })
      .prefault({}),
    tts: z
      .strictObject({
        engines: z.array(TtsEngine).min(1).default([{ type: 'espeak-ng', timeoutMs: 5_000 }]),
        /** The first phrase goes to TTS at a clause boundary once it has this many words… */
        firstPhraseMinWords: z.int().min(1).max(50).default(3),
        /** …or after this many words without punctuation; later phrases are whole sentences. */
        firstPhraseMaxWords: z.int().min(1).max(100).default(4),
        halfOpenAfterMs: z.int().min(1_000).default(15_000),
      })
      .prefault({}),
    state: z
      .strictObject({
        /** Where the hub keeps what must survive a restart (credentials, timers, outbox): /var/lib/hugh/state for the installed app (/opt/hugh), else the checkout's .cache/state. */
        dir: z.string().default(() => defaultDataPath('state')),
        /** While the state dir refuses writes (full, read-only), each store tries again this often, and on its next change. */
        writeRetryMs: z.int().min(100).default(5_000),
        /** A store that cannot write is logged (with the error code) at most once in this time; capability says it at once. */
        writeFailureLogEveryMs: z.int().min(1_000).default(60_000),
        /** Turn records kept in memory while the outbox file cannot take them (still sent to Convex); beyond this the oldest are dropped and counted. */
        outboxMemoryRecords: z.int().min(1).default(1_000),
      })
      .prefault({}),
    /** The language model for questions no local intent answers. */
    llm: z
      .strictObject({
        api: z.enum(['ollama', 'openai']).default('ollama'),
        url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:11434'),
        model: z.string().min(1).default('llama3.1:8b'),
        apiKey: z.string().optional(),
        firstTokenTimeoutMs: z.int().min(500).max(120_000).default(8_000),
        stallTimeoutMs: z.int().min(500).max(120_000).default(5_000),
        historyTurns: z.int().min(0).max(50).default(4),
        systemPrompt: z.string().default(DEFAULT_SYSTEM_PROMPT),
      })
      .prefault({}),
    /**
     * Convex: with a URL, unmatched questions go to the LLM workers through the turn queue and turn
     * records are kept there (through a local outbox); without one, the local dispatcher above answers.
     */
    convex: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }).optional(),
        /** The shared secret set in the deployment as HUGH_CONVEX_SECRET. */
        secret: z.string().min(16).optional(),
        /** Longest wait for Convex to take a turn; beyond it the local dispatcher answers. */
        submitTimeoutMs: z.int().min(100).max(60_000).default(2_000),
        /** Longest wait for a worker's first words (queueing included); beyond it the local dispatcher answers. */
        firstTextTimeoutMs: z.int().min(500).max(120_000).default(10_000),
        /** Longest silence inside a streaming answer before the turn ends with an apology. */
        stallTimeoutMs: z.int().min(500).max(120_000).default(8_000),
        /** After Convex failed to take a turn, later turns go straight to the local dispatcher for this long; then one turn tries Convex again. */
        halfOpenAfterMs: z.int().min(1_000).default(15_000),
      })
      .prefault({})
      .refine((convex) => !convex.url || convex.secret, { message: 'convex.secret is required when convex.url is set', path: ['secret'] }),
    /**
     * Which models a question goes to, in fallback order; the first route whose pattern matches
     * (and whose word limit holds) wins, the last route should match everything.
     */
    routing: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          /** Case-insensitive regular expressions; absent: matches any question. */
          patterns: z
            .array(
              z.string().refine((pattern) => {
                try {
                  new RegExp(pattern, 'i');
                  return true;
                } catch {
                  return false;
                }
              }, 'not a valid regular expression'),
            )
            .optional(),
          maxWords: z.int().min(1).optional(),
          models: z.array(z.string().min(1)).min(1).max(8),
        }),
      )
      .min(1)
      .default(DEFAULT_ROUTES),
    /**
     * The house's satellites. Unset: any satellite may connect. Set: Home Assistant entities of
     * satellites not listed are deleted (and, later, credentials hang off these entries).
     */
    satellites: z.array(z.strictObject({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/), room: z.string().optional() })).optional(),
    /** Devices the local intents can switch: "turn on the kitchen lights". */
    devices: z
      .array(
        z.strictObject({
          name: z.string().min(1),
          aliases: z.array(z.string().min(1)).optional(),
          room: z.string().optional(),
          commandTopic: z.string().min(1).optional(),
          payloadOn: z.string().optional(),
          payloadOff: z.string().optional(),
          payloadToggle: z.string().optional(),
        }),
      )
      .default([]),
    homeAssistant: z
      .strictObject({
        /** Publish MQTT discovery so satellites appear in Home Assistant as devices. */
        enabled: z.boolean().default(true),
        discoveryPrefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('homeassistant'),
        /** The hub's dashboard as Home Assistant links it (each device's `configuration_url`); unset: see `dashboardUrl()`. */
        dashboardUrl: z.url({ protocol: /^https?$/ }).optional(),
        /** Home Assistant itself (http://homeassistant.local:8123): with a token, a dispatch stage that hands it what no local intent matched. */
        url: z.url({ protocol: /^https?$/ }).optional(),
        /** A long-lived access token (Home Assistant: your profile → Security). A secret: redacted in logs. */
        token: z.string().min(20).optional(),
        /** Longest wait for Home Assistant's answer; beyond it the next stage answers. */
        timeoutMs: z.int().min(100).max(30_000).default(1_500),
        /** How long Home Assistant is skipped after a failure or time-out before one trial call. */
        halfOpenAfterMs: z.int().min(1_000).default(15_000),
        /** Conversation agent (`conversation.home_assistant`, an LLM agent's id); unset: Home Assistant's default. */
        agentId: z.string().min(1).max(255).optional(),
        /** Language of the request; unset: `stt.language`, else Home Assistant's own. */
        language: z.string().min(2).max(16).optional(),
        /**
         * Tell Home Assistant which satellite heard the question (its device, found by the identifiers
         * of discovery), so "the lights" are that device's area's lights: over the WebSocket API, as
         * Home Assistant's own satellites do. Off, or for a satellite it does not know: the REST API.
         */
        deviceContext: z.boolean().default(true),
      })
      .prefault({})
      .refine((ha) => !ha.url === !ha.token, { message: 'homeAssistant.url and homeAssistant.token go together', path: ['token'] }),
    /** Where a transcript goes, in order: the first stage that answers wins (Home Assistant only with homeAssistant.url). */
    dispatch: z
      .strictObject({
        order: z
          .array(z.enum(['local', 'homeAssistant', 'llm']))
          .min(1)
          .default(['local', 'homeAssistant', 'llm'])
          .refine((order) => new Set(order).size === order.length, 'each stage once')
          .refine((order) => order.at(-1) === 'llm', 'ends with llm (it always answers, if only with an apology)'),
      })
      .prefault({}),
    hermes: z
      .strictObject({
        /** Rhasspy's Hermes topics: hotword/detected, asr/textCaptured and intents out, tts/say in (answered by tts/sayFinished). */
        enabled: z.boolean().default(false),
        /**
         * Rhasspy 2.5 satellites the hub serves as its own: their audioServer WAV chunks become turns,
         * woken by their hotword, answered with playBytes. A site logs in as `hugh-hub rhasspy add <siteId>`.
         */
        sites: z
          .array(z.strictObject({ siteId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, - and _ (it is the satellite id too)'), room: z.string().min(1).max(64).optional() }))
          .default([])
          .refine((sites) => new Set(sites.map((site) => site.siteId)).size === sites.length, 'each siteId once'),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** Bad inputs tolerated per connection within `errorWindowMs` before it is dropped. */
        maxErrors: z.int().min(1).default(20),
        errorWindowMs: z.int().min(100).default(10_000),
        /** Turns a satellite may start per minute (a stuck wake word must not flood the engines). */
        turnsPerMinute: z.int().min(1).max(600).default(20),
        /** Messages and frames per second per connection (40 ms frames are 25 per second). */
        messagesPerSecond: z.int().min(10).max(1_000_000).default(100),
        /** Open connections per remote address, MQTT and WebSocket each; MQTT counts from the moment the socket is accepted. */
        connectionsPerAddress: z.int().min(1).max(10_000).default(16),
        /** Largest MQTT packet, CONNECT included, refused from its fixed header before it is buffered: an audio frame plus 64 KiB. */
        maxPacketBytes: z.int().min(1_024).max(16 * 1024 * 1024).default(MAX_FRAME_BYTES + 64 * 1024),
        /** A connection must complete its MQTT CONNECT, TLS handshake, HTTP request head or WebSocket hello within this time. */
        connectTimeoutMs: z.int().min(100).max(60_000).default(5_000),
        /** Failed logins from one address before it has to wait, the first wait, and the longest (each failure doubles it). */
        failedLoginsBeforeDelay: z.int().min(1).max(1_000).default(5),
        failedLoginDelayMs: z.int().min(1).max(60_000).default(250),
        failedLoginMaxDelayMs: z.int().min(1).max(3_600_000).default(60_000),
      })
      .prefault({}),
    /** Logins: on by default, as in Mosquitto 2. */
    auth: z
      .strictObject({
        /** Accept any client without credentials (a lab, a demo): the ACL by client id still applies. */
        allowAnonymous: z.boolean().default(false),
        /** Hashed satellite and integration passwords; default `state.dir/credentials.json`. */
        credentialsFile: z.string().min(1).optional(),
        /**
         * MQTT filters integrations may publish on besides commands (the embedded broker refuses
         * everything else), e.g. another device's command topic; never `$` topics.
         */
        integrationPublish: z.array(z.string().min(1).max(256).refine((filter) => !filter.startsWith('$'), 'not a $ topic')).default([]),
      })
      .prefault({}),
    /** TLS for MQTT (mqtts) and HTTP/WebSocket (https/wss), with a certificate from `hugh-hub certs`. */
    tls: z
      .strictObject({
        certFile: z.string().min(1).optional(),
        keyFile: z.string().min(1).optional(),
        mqttPort: port.default(8883),
        httpPort: port.default(8751),
        /** Serve only TLS: no plain MQTT or HTTP listener. */
        only: z.boolean().default(false),
        /** Where `hugh-hub certs` keeps the house CA and the certificates. */
        dir: z.string().min(1).default('/etc/hugh/tls'),
      })
      .prefault({})
      .refine((tls) => !tls.certFile === !tls.keyFile, { message: 'tls.certFile and tls.keyFile go together', path: ['keyFile'] })
      .refine((tls) => !tls.only || tls.certFile, { message: 'tls.only needs tls.certFile and tls.keyFile', path: ['certFile'] }),
    /** Off unless switched on: each turn's utterance as a WAV file, deleted after `retentionDays`. */
    debug: z
      .strictObject({
        recordAudio: z.boolean().default(false),
        /** Default `state.dir/recordings`. */
        recordDir: z.string().min(1).optional(),
        retentionDays: z.number().min(0.001).max(365).default(7),
      })
      .prefault({}),
    capability: CapabilitySettings,
  })
  .strict()
  .refine((config) => config.auth.integrationPublish.every((filter) => filter.split('/')[0] !== config.mqtt.topicPrefix.split('/')[0] && !filter.startsWith('#') && !filter.startsWith('+')), {
    message: "must stay outside the hub's topic tree (commands are allowed already)",
    path: ['auth', 'integrationPublish'],
  });

export type HubConfig = z.infer<typeof HubConfigSchema>;

export const HUB_CONFIG_ENV = 'HUGH_HUB_CONFIG';

export const HUB_OPTIONS: OptionSpec[] = [
  { flag: 'mqtt-port', env: 'HUGH_MQTT_PORT', path: 'mqtt.port', type: 'int', description: 'TCP port of the embedded MQTT broker (default 1883)' },
  { flag: 'http-port', env: 'HUGH_HTTP_PORT', path: 'http.port', type: 'int', description: 'HTTP and WebSocket port (default 8750)' },
  { flag: 'host', env: 'HUGH_HOST', path: 'http.host', type: 'string', description: 'address to listen on for HTTP/WebSocket (default 0.0.0.0)' },
  { flag: 'mqtt-host', env: 'HUGH_MQTT_HOST', path: 'mqtt.host', type: 'string', description: 'address of the embedded broker (default 0.0.0.0)' },
  { flag: 'broker', env: 'HUGH_BROKER_URL', path: 'mqtt.brokerUrl', type: 'string', description: 'use this external broker (mqtt://host:port) instead of the embedded one' },
  { flag: 'mqtt-username', env: 'HUGH_MQTT_USERNAME', path: 'mqtt.username', type: 'string', description: 'username at the external broker' },
  { flag: 'mqtt-password', env: 'HUGH_MQTT_PASSWORD', path: 'mqtt.password', type: 'string', description: 'password at the external broker' },
  { flag: 'topic-prefix', env: 'HUGH_TOPIC_PREFIX', path: 'mqtt.topicPrefix', type: 'string', description: 'first level of every MQTT topic (default hugh)' },
  { flag: 'vad-model', env: 'HUGH_VAD_MODEL', path: 'vad.modelPath', type: 'string', description: `Silero VAD v5 model (default here: ${defaultVadModel()})` },
  { flag: 'trailing-silence-ms', env: 'HUGH_TRAILING_SILENCE_MS', path: 'vad.trailingSilenceMs', type: 'int', description: 'silence that ends an utterance whatever it said (default 900)' },
  { flag: 'pause-ms', env: 'HUGH_PAUSE_MS', path: 'vad.pauseMs', type: 'int', description: 'pause after which the hub transcribes early and may end the turn (default 120)' },
  { flag: 'llm-url', env: 'HUGH_LLM_URL', path: 'llm.url', type: 'string', description: 'language model server (default http://127.0.0.1:11434, Ollama)' },
  { flag: 'llm-api', env: 'HUGH_LLM_API', path: 'llm.api', type: 'string', description: 'ollama (POST /api/chat) or openai (POST /v1/chat/completions)' },
  { flag: 'llm-model', env: 'HUGH_LLM_MODEL', path: 'llm.model', type: 'string', description: 'model name (default llama3.1:8b)' },
  { flag: 'allow-anonymous', env: 'HUGH_ALLOW_ANONYMOUS', path: 'auth.allowAnonymous', type: 'boolean', description: 'accept clients without credentials (lab only)' },
  { flag: 'tls-cert', env: 'HUGH_TLS_CERT', path: 'tls.certFile', type: 'string', description: 'hub certificate (from hugh-hub certs): enables mqtts and wss' },
  { flag: 'tls-key', env: 'HUGH_TLS_KEY', path: 'tls.keyFile', type: 'string', description: 'its private key' },
  { flag: 'tls-dir', env: 'HUGH_TLS_DIR', path: 'tls.dir', type: 'string', description: 'where hugh-hub certs writes the CA and certificates (default /etc/hugh/tls)' },
  { flag: 'tls-only', env: 'HUGH_TLS_ONLY', path: 'tls.only', type: 'boolean', description: 'no plain MQTT or HTTP listeners' },
  { flag: 'convex-url', env: 'HUGH_CONVEX_URL', path: 'convex.url', type: 'string', description: 'Convex deployment (https://….convex.cloud or a self-hosted backend); unset: local dispatcher' },
  { flag: 'convex-secret', env: 'HUGH_CONVEX_SECRET', path: 'convex.secret', type: 'string', description: 'the shared secret set in the deployment (prefer the env var: flags show in ps)' },
  { flag: 'ha-url', env: 'HUGH_HA_URL', path: 'homeAssistant.url', type: 'string', description: 'Home Assistant (http://homeassistant.local:8123): its conversation API answers what no local intent matched' },
  { flag: 'ha-token', env: 'HUGH_HA_TOKEN', path: 'homeAssistant.token', type: 'string', description: 'a long-lived access token for it (prefer the env var: flags show in ps)' },
  { flag: 'max-utterance-ms', env: 'HUGH_MAX_UTTERANCE_MS', path: 'turn.maxUtteranceMs', type: 'int', description: 'longest utterance accepted (default 15000)' },
  { flag: 'state-dir', env: 'HUGH_STATE_DIR', path: 'state.dir', type: 'string', description: 'where credentials, timers and the outbox are kept (default /var/lib/hugh/state installed, .cache/state in a checkout)' },
];

export function loadHubConfig(argv: string[], env: NodeJS.ProcessEnv) {
  return loadConfig(HubConfigSchema, { argv, env, specs: HUB_OPTIONS, configEnv: HUB_CONFIG_ENV });
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * The dashboard's URL for Home Assistant's device pages: `homeAssistant.dashboardUrl`, else derived
 * from `http.host` when the hub listens on one address (or name) others can reach. Listening on
 * every interface (the default) names no address a phone could use, so it is left unset then.
 */
export function dashboardUrl(config: HubConfig): string | undefined {
  if (config.homeAssistant.dashboardUrl) return config.homeAssistant.dashboardUrl;
  const host = config.http.host;
  const tlsOnly = config.tls.only;
  const port = tlsOnly ? config.tls.httpPort : config.http.port;
  if (WILDCARD_HOSTS.has(host) || host === 'localhost' || host.startsWith('127.') || host === '::1' || port === 0) return undefined;
  return `${tlsOnly ? 'https' : 'http'}://${isIP(host) === 6 ? `[${host}]` : host}:${port}/`;
}
