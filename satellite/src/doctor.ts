import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import mqtt from 'mqtt';
import WebSocket from 'ws';
import { configChecks, fail, modelsCheck, pass, runChecks, silentLogger, tcpReachable, type CheckOutcome, type DoctorCheck, type LoadedConfig } from '@hugh/common';
import { Topics, satelliteClientId } from '@hugh/protocol';
import { hubEndpoints, type HubEndpoint, type SatelliteConfig } from './config.js';
import { captureCheck, playbackCheck } from './doctor-audio.js';
import { createWakeEngine } from './wake/create-engine.js';

export interface SatelliteDoctorOptions {
  write: (line: string) => void;
  /** Longest wait for the hub, the microphone or the speaker (ms). */
  timeoutMs?: number;
}

/** The ports a hub URL means when it names none: the hub's defaults, as the README gives them. */
const DEFAULT_PORTS: Record<string, number> = { 'mqtt:': 1883, 'mqtts:': 8883, 'ws:': 8750, 'wss:': 8751 };

function hubAddress(hub: HubEndpoint) {
  const url = new URL(hub.url);
  return { url, host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) || DEFAULT_PORTS[url.protocol]!, tls: url.protocol === 'mqtts:' || url.protocol === 'wss:' };
}

function readCa(hub: HubEndpoint): Buffer | undefined {
  return hub.caFile ? readFileSync(hub.caFile) : undefined;
}

/** The login the satellite presents at this hub: its id and password, or an external broker's own account. */
function credentials(hub: HubEndpoint) {
  return hub.username === undefined ? undefined : { username: hub.username, password: hub.password ?? '' };
}

function wakeCheck(config: SatelliteConfig): DoctorCheck {
  return {
    name: 'wake word',
    async run() {
      try {
        const engine = await createWakeEngine({ modelsDir: config.wake.modelsDir, keywords: config.wake.keywords, porcupine: config.wake.porcupine }, silentLogger());
        try {
          // One step of a quiet room through every model: loading alone does not prove inference runs.
          await engine.process(new Int16Array(engine.frameSamples));
          return pass(`${engine.name} loads and runs (${engine.keywords.join(', ')})`);
        } finally {
          await engine.close();
        }
      } catch (error) {
        return fail((error as Error).message, 'set wake.modelsDir (HUGH_MODELS_DIR) to the folder holding the models, and wake.keywords to files in it');
      }
    },
  };
}

function reachableCheck(hub: HubEndpoint, name: string, timeoutMs: number): DoctorCheck {
  const { host, port } = hubAddress(hub);
  return {
    name,
    async run() {
      try {
        await tcpReachable(host, port, timeoutMs);
        return pass(`${host}:${port} accepts connections`);
      } catch (error) {
        return fail(`${host}:${port}: ${(error as Error).message}`, 'start the hub (systemctl status hugh-hub on it), or correct hub: (HUGH_HUB_URL), and check no firewall is in between');
      }
    },
  };
}

function tlsCheck(hub: HubEndpoint, name: string, timeoutMs: number): DoctorCheck {
  const { host, port, tls, url } = hubAddress(hub);
  return {
    name,
    run: () =>
      new Promise<CheckOutcome>((resolve) => {
        if (!tls) return resolve(pass(`not used (${url.protocol}//: the link is not encrypted)`));
        let ca: Buffer | undefined;
        try {
          ca = readCa(hub);
        } catch (error) {
          return resolve(fail(`caFile: ${(error as Error).message}`, 'copy ca.crt from the hub (made by `hugh-hub certs`) to this path'));
        }
        const socket = tlsConnect({ host, port, timeout: timeoutMs, ...(ca ? { ca } : {}), ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }) });
        const done = (outcome: CheckOutcome) => {
          socket.destroy();
          resolve(outcome);
        };
        socket.once('secureConnect', () => done(pass(`the certificate of ${host} chains to ${hub.caFile ?? 'the system CAs'}`)));
        socket.once('timeout', () => done(fail(`${host}:${port}: no TLS handshake within ${timeoutMs} ms`, 'check the port is the hub\'s TLS port (8883 mqtts, 8751 wss)')));
        socket.once('error', (error: NodeJS.ErrnoException) =>
          done(fail(`${host}:${port}: ${error.code ?? error.message}`, `copy ca.crt from the hub to caFile (HUGH_HUB_CA), and use a name the hub's certificate was made for (hugh-hub certs ${host})`)),
        );
      }),
  };
}

const LOGIN_FIX = 'run `hugh-hub satellite add <id>` (or rotate) on the hub and put the password in HUGH_SATELLITE_PASSWORD (/etc/hugh/satellite.env); the username is the satellite id';

/** MQTT: CONNACK for the satellite's client id, then the hub's retained availability says "online". */
function mqttLogin(config: SatelliteConfig, hub: HubEndpoint, timeoutMs: number, ca: Buffer | undefined): Promise<CheckOutcome> {
  const login = credentials(hub);
  const topic = new Topics(config.topicPrefix).hub('availability');
  return new Promise((resolve) => {
    const client = mqtt.connect(hub.url, {
      clientId: satelliteClientId(config.id),
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      ...(login ?? {}),
      ...(ca ? { ca } : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const done = (outcome: CheckOutcome) => {
      clearTimeout(timer);
      client.end(true);
      resolve(outcome);
    };
    client.once('connect', () => {
      timer = setTimeout(() => done(fail(`the broker accepted ${config.id}, but no hub says it is online on ${topic}`, 'start the hub, and check it uses the same broker and topic prefix')), timeoutMs);
      client.on('message', (_topic, payload) => {
        if (payload.toString() === 'online') done(pass(`${login ? `${login.username}'s login accepted` : 'no login needed (the hub allows anonymous satellites)'}; the hub is online`));
      });
      client.subscribe(topic);
    });
    client.once('error', (error: Error & { code?: unknown }) =>
      done(error.code === 4 || error.code === 5 ? fail(`the hub refused the login of ${login?.username ?? `${config.id} (no password set)`}: ${error.message}`, LOGIN_FIX) : fail(error.message, 'see hub reachable and TLS trust above')),
    );
    // A broker that hangs up without an answer (limits, a dead hub) sends no error: this ends the wait.
    client.once('close', () => done(fail('the connection closed before the hub answered', 'see hub reachable and TLS trust above; the hub logs why it closed it')));
  });
}

/** WebSocket: the hub answers the upgrade with 101 (login accepted) or 401 before any audio could flow. */
function wsLogin(config: SatelliteConfig, hub: HubEndpoint, timeoutMs: number, ca: Buffer | undefined): Promise<CheckOutcome> {
  const login = credentials(hub);
  const url = new URL(hub.url);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/satellite';
  return new Promise((resolve) => {
    const socket = new WebSocket(url, {
      handshakeTimeout: timeoutMs,
      ...(ca ? { ca } : {}),
      ...(login ? { headers: { authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}` } } : {}),
    });
    const done = (outcome: CheckOutcome) => {
      socket.terminate();
      resolve(outcome);
    };
    socket.once('open', () => done(pass(`${login ? `${login.username}'s login accepted` : 'no login needed (the hub allows anonymous satellites)'} at ${url}`)));
    socket.once('unexpected-response', (_request, response) =>
      done(
        response.statusCode === 401
          ? fail(`the hub refused the login of ${login?.username ?? `${config.id} (no password set)`} (HTTP 401)`, LOGIN_FIX)
          : fail(`${url} answered HTTP ${response.statusCode}`, response.statusCode === 429 ? 'too many connections from this address: wait, or raise limits.connectionsPerAddress on the hub' : 'check hub: points at the hub\'s HTTP port'),
      ),
    );
    socket.once('error', (error) => done(fail(error.message, 'see hub reachable and TLS trust above')));
  });
}

function loginCheck(config: SatelliteConfig, hub: HubEndpoint, name: string, timeoutMs: number): DoctorCheck {
  return {
    name,
    async run() {
      let ca: Buffer | undefined;
      try {
        ca = readCa(hub);
      } catch (error) {
        return fail(`caFile: ${(error as Error).message}`, 'see TLS trust above');
      }
      return hubAddress(hub).url.protocol.startsWith('mqtt') ? mqttLogin(config, hub, timeoutMs, ca) : wsLogin(config, hub, timeoutMs, ca);
    },
  };
}

/** Reachable, TLS trust and login for each hub; with several, each line names its hub. */
function hubChecks(config: SatelliteConfig, timeoutMs: number): DoctorCheck[] {
  const hubs = hubEndpoints(config);
  return hubs.flatMap((hub) => {
    const named = (check: string) => (hubs.length === 1 ? check : `${check} (${hub.url})`);
    return [reachableCheck(hub, named('hub reachable'), timeoutMs), tlsCheck(hub, named('TLS trust'), timeoutMs), loginCheck(config, hub, named('login'), timeoutMs)];
  });
}

/** The model files this config loads: openWakeWord's two shared models and each keyword model. */
function modelFiles(config: SatelliteConfig): string[] {
  const dir = config.wake.modelsDir;
  const keywordFiles = config.wake.keywords.map((keyword) => (isAbsolute(keyword.model) ? keyword.model : join(dir, keyword.model)));
  return [join(dir, 'melspectrogram.onnx'), join(dir, 'embedding_model.onnx'), ...keywordFiles];
}

/**
 * `hugh-satellite doctor`: one line per check (✔ or ✘ with the fix): config, models and their
 * checksums, the wake-word engine, microphone and speaker, the hub reachable, TLS trust, the login.
 * Logging in uses the satellite's own client id: a satellite already running with this id is
 * disconnected for a moment and reconnects by itself. Returns whether every check passed.
 */
export function satelliteDoctor(loaded: LoadedConfig<SatelliteConfig>, options: SatelliteDoctorOptions): Promise<boolean> {
  const { config } = loaded;
  const timeoutMs = options.timeoutMs ?? 3_000;
  return runChecks(
    [
      ...configChecks(loaded),
      // fetch-models.mjs puts openWakeWord's files in openwakeword/ under the folder it fills.
      modelsCheck(modelFiles(config), dirname(config.wake.modelsDir)),
      wakeCheck(config),
      captureCheck(config, timeoutMs),
      playbackCheck(config, timeoutMs),
      ...hubChecks(config, timeoutMs),
    ],
    options.write,
  );
}
