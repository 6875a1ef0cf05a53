import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { configChecks, fail, modelsCheck, pass, runChecks, withTimeout, writableCheck, type CheckOutcome, type DoctorCheck, type LoadedConfig } from '@hugh/common';
import { connectConvex, convexErrorCode, convexFunctions, type ConvexPort } from '@hugh/common/clients';
import type { HubConfig } from './config.js';
import { engineChecks } from './doctor-engines.js';
import { SileroVadModel } from './engines/vad/silero-vad.js';
import { CredentialStore } from './security/credentials.js';

export interface HubDoctorOptions {
  write: (line: string) => void;
  /** Longest wait for any one engine, server or Convex (ms). */
  timeoutMs?: number;
  /** Convex to ask instead of connecting to `convex.url` (tests: the convex-test backend). */
  convex?: ConvexPort;
}

function vadCheck(modelPath: string): DoctorCheck {
  const files = modelsCheck([modelPath], dirname(modelPath));
  return {
    name: 'models',
    async run() {
      const present = await files.run();
      if (!present.ok) return present;
      try {
        await (await SileroVadModel.load(modelPath)).close();
        return pass(`${present.detail}; Silero VAD loads`);
      } catch (error) {
        return fail((error as Error).message, 'point vad.modelPath (HUGH_VAD_MODEL) at silero_vad_v5.onnx');
      }
    },
  };
}

function credentialsCheck(config: HubConfig): DoctorCheck {
  const file = config.auth.credentialsFile ?? join(config.state.dir, 'credentials.json');
  return {
    name: 'logins',
    async run() {
      if (config.auth.allowAnonymous) return pass('off (auth.allowAnonymous): any device on the network can connect as any satellite');
      try {
        const entries = CredentialStore.load(file).list();
        const satellites = entries.filter((entry) => entry.kind === 'satellite').length;
        return pass(`on, ${satellites} satellite(s) and ${entries.length - satellites} integration(s) in ${file}${satellites === 0 ? ': add one with `hugh-hub satellite add <id>`' : ''}`);
      } catch (error) {
        return fail((error as Error).message, `restore ${file} from a backup, or move it away and add the satellites again`);
      }
    },
  };
}

/** Whether a hub answers /healthz on this port (without a login it says only its status): then a busy port is that hub's own. */
async function runningHub(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(`http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await response.json()) as { status?: unknown };
    return typeof body.status === 'string' && ['up', 'degraded', 'down'].includes(body.status) ? body.status : undefined;
  } catch {
    return undefined;
  }
}

function canListen(host: string, port: number): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen(port, host, () => server.close(() => resolve(undefined)));
  });
}

/** The ports the hub listens on are free, or held by this hub already running. */
function portsCheck(config: HubConfig, timeoutMs: number): DoctorCheck {
  const tls = config.tls.certFile !== undefined;
  const ports = [
    ...(config.mqtt.brokerUrl ? [] : [...(config.tls.only ? [] : [{ key: 'mqtt.port', host: config.mqtt.host, port: config.mqtt.port }]), ...(tls ? [{ key: 'tls.mqttPort', host: config.mqtt.host, port: config.tls.mqttPort }] : [])]),
    ...(config.tls.only ? [] : [{ key: 'http.port', host: config.http.host, port: config.http.port }]),
    ...(tls ? [{ key: 'tls.httpPort', host: config.http.host, port: config.tls.httpPort }] : []),
  ].filter((entry) => entry.port !== 0);
  return {
    name: 'ports',
    async run(): Promise<CheckOutcome> {
      const busy: string[] = [];
      for (const entry of ports) {
        const error = await canListen(entry.host, entry.port);
        if (error) busy.push(`${entry.key} ${entry.port} (${error.code})`);
      }
      const list = ports.map((entry) => `${entry.port}`).join(', ');
      if (busy.length === 0) return pass(`${list || 'none fixed'} free`);
      const status = config.tls.only ? undefined : await runningHub(config.http.host, config.http.port, timeoutMs);
      if (status) return pass(`${list} in use by the hub already running here (its /healthz says ${status})`);
      return fail(
        `in use: ${busy.join(', ')}`,
        'stop the program holding the port (often Debian\'s mosquitto on 1883: systemctl disable --now mosquitto), pick other ports, or use that broker with mqtt.brokerUrl',
      );
    },
  };
}

/** A cheap query (the latest turn record) with the secret, bounded: proves the URL, the functions and the secret. */
function convexCheck(config: HubConfig, timeoutMs: number, injected?: ConvexPort): DoctorCheck {
  const { url, secret } = config.convex;
  return {
    name: 'convex',
    async run() {
      if (!url && !injected) return pass('not configured: the local dispatcher answers (set convex.url and convex.secret to use the LLM workers)');
      const convex = injected ?? connectConvex(url!);
      try {
        await withTimeout(convex.query(convexFunctions.recentRecords, { secret: secret ?? '', limit: 1 }), timeoutMs, `Convex ${url ?? ''}`);
        return pass(`${url ?? 'the deployment'} answers, secret accepted`);
      } catch (error) {
        if (convexErrorCode(error) === 'HUGH_ERR_NOT_AUTHORIZED') {
          return fail(`${url ?? 'the deployment'} refused the secret: ${(error as { data?: { message?: string } }).data?.message ?? (error as Error).message}`, 'set HUGH_CONVEX_SECRET (in /etc/hugh/hub.env) to the value of `npx convex env get HUGH_CONVEX_SECRET`');
        }
        return fail((error as Error).message, 'check convex.url (HUGH_CONVEX_URL) and that the functions are deployed (npx convex deploy)');
      } finally {
        if (!injected) await convex.close().catch(() => undefined);
      }
    },
  };
}

/** An external broker: the hub's own login there is accepted. */
function brokerCheck(config: HubConfig, timeoutMs: number): DoctorCheck {
  const url = config.mqtt.brokerUrl;
  return {
    name: 'broker',
    run: () =>
      new Promise<CheckOutcome>((resolve) => {
        if (!url) return resolve(pass(`embedded (aedes) on ${config.mqtt.host}:${config.mqtt.port}`));
        const client = mqtt.connect(url, {
          clientId: `hugh-hub-doctor-${process.pid}`,
          protocolVersion: 4,
          reconnectPeriod: 0,
          connectTimeout: timeoutMs,
          ...(config.mqtt.username !== undefined ? { username: config.mqtt.username, password: config.mqtt.password ?? '' } : {}),
        });
        const done = (outcome: CheckOutcome) => {
          client.end(true);
          resolve(outcome);
        };
        client.once('connect', () => done(pass(`${url} accepted the hub's login`)));
        client.once('error', (error: Error & { code?: unknown }) =>
          done(
            error.code === 4 || error.code === 5
              ? fail(`${url} refused the login (${error.message})`, 'set mqtt.username and mqtt.password (HUGH_MQTT_USERNAME, HUGH_MQTT_PASSWORD) to the hub\'s account at the broker (mosquitto_passwd)')
              : fail(`${url}: ${(error as NodeJS.ErrnoException).code ?? error.message}`, 'start the broker, or correct mqtt.brokerUrl'),
          ),
        );
        client.once('close', () => done(fail(`${url}: connection closed before CONNACK`, 'start the broker, or correct mqtt.brokerUrl')));
      }),
  };
}

/**
 * `hugh-hub doctor`: one line per check (✔ or ✘ with the fix): config, the VAD model, state.dir,
 * logins, ports, every engine and the language model answering their health calls, Convex with
 * the secret, the broker. Returns whether every check passed.
 */
export function hubDoctor(loaded: LoadedConfig<HubConfig>, options: HubDoctorOptions): Promise<boolean> {
  const { config } = loaded;
  const timeoutMs = options.timeoutMs ?? 3_000;
  return runChecks(
    [
      ...configChecks(loaded),
      vadCheck(config.vad.modelPath),
      writableCheck('state.dir', config.state.dir),
      credentialsCheck(config),
      portsCheck(config, timeoutMs),
      ...engineChecks(config, timeoutMs),
      convexCheck(config, timeoutMs, options.convex),
      brokerCheck(config, timeoutMs),
    ],
    options.write,
  );
}
