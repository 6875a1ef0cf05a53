import { z } from 'zod';
import { loadConfig, type OptionSpec } from '@hugh/common';
import { DEFAULT_TOPIC_PREFIX } from '@hugh/protocol';

const port = z.int().min(0).max(65_535);

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
      })
      .prefault({}),
    turn: z
      .strictObject({
        /** Longest utterance accepted from a satellite. */
        maxUtteranceMs: z.int().min(1_000).max(120_000).default(15_000),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** Bad inputs tolerated per connection within `errorWindowMs` before it is dropped. */
        maxErrors: z.int().min(1).default(20),
        errorWindowMs: z.int().min(100).default(10_000),
      })
      .prefault({}),
  })
  .strict();

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
  { flag: 'max-utterance-ms', env: 'HUGH_MAX_UTTERANCE_MS', path: 'turn.maxUtteranceMs', type: 'int', description: 'longest utterance accepted (default 15000)' },
];

export function loadHubConfig(argv: string[], env: NodeJS.ProcessEnv) {
  return loadConfig(HubConfigSchema, { argv, env, specs: HUB_OPTIONS, configEnv: HUB_CONFIG_ENV });
}
