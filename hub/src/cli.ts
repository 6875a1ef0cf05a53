import { createLogger, formatHelp, loadForDoctor } from '@hugh/common';
import { HughError, Topics } from '@hugh/protocol';
import { join } from 'node:path';
import { HUB_CONFIG_ENV, HUB_OPTIONS, loadHubConfig, type HubConfig } from './config.js';
import { TopicAcl } from './security/acl.js';
import { issueCertificates } from './security/certificates.js';
import { CredentialStore, type Principal } from './security/credentials.js';
import { hubDoctor } from './doctor.js';
import { startHub } from './hub.js';
import { createPipeline } from './pipeline/create-pipeline.js';

const USAGE = `hugh-hub — the H.U.G.H. Voice hub: MQTT broker, WebSocket server and voice pipeline.

Usage: hugh-hub [--config FILE] [--mqtt-port N] [--http-port N] [--broker mqtt://host:port]
       hugh-hub satellite add|rotate ID        print new credentials for a satellite (stored hashed)
       hugh-hub satellite remove ID | list
       hugh-hub integration add|rotate NAME    credentials for Home Assistant & co (events and commands, never audio)
       hugh-hub integration remove NAME
       hugh-hub rhasspy add|rotate|remove SITE credentials for a Rhasspy 2.5 satellite (site id = username; hermes.sites)
       hugh-hub certs [HOST…]                  local CA + hub certificate in --tls-dir (default /etc/hugh/tls)
       hugh-hub certs satellite ID             a client certificate for one satellite
       hugh-hub mosquitto-acl                  the topic rules as a Mosquitto acl_file, for an external broker
       hugh-hub doctor                         check models, config, ports, engines, Convex (✔/✘ with the fix)
       hugh-hub wake-word train "PHRASE"       train a wake word model offline (wake-word --help for its options)`;

/** `hugh-hub satellite …`, `integration …`, `certs …`: administration, then exit. */
async function administer(command: string, args: string[], config: HubConfig): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  if (command === 'certs') {
    const satellite = args[0] === 'satellite' ? args[1] : undefined;
    if (args[0] === 'satellite' && !satellite) throw new HughError('HUGH_ERR_CONFIG_INVALID', 'certs satellite needs an ID');
    const issued = issueCertificates({ dir: config.tls.dir, hosts: satellite ? [] : args, ...(satellite ? { satellites: [satellite], hubToo: false } : {}) });
    out(`CA certificate (copy to every satellite, caFile): ${issued.caCert}`);
    if (issued.hubCert) out(`hub certificate and key (tls.certFile, tls.keyFile): ${issued.hubCert} ${issued.hubKey}`);
    for (const [id, files] of Object.entries(issued.satellites)) out(`satellite ${id}: ${files.cert} ${files.key}`);
    return;
  }
  const store = CredentialStore.load(config.auth.credentialsFile ?? join(config.state.dir, 'credentials.json'));
  if (command === 'mosquitto-acl') {
    if (!config.mqtt.username) throw new HughError('HUGH_ERR_CONFIG_INVALID', "mqtt.username: the hub's own login at the broker is needed for its block of the ACL (--mqtt-username)");
    const ids = (kind: Principal['kind']) => store.list().filter((entry) => entry.kind === kind).map((entry) => entry.id);
    const satellites = [...new Set([...ids('satellite'), ...(config.satellites ?? []).map((satellite) => satellite.id)])];
    const acl = new TopicAcl({ topics: new Topics(config.mqtt.topicPrefix), discoveryPrefix: config.homeAssistant.discoveryPrefix, integrationPublish: config.auth.integrationPublish });
    const hubPublish = config.devices.flatMap((device) => (device.commandTopic ? [device.commandTopic] : []));
    process.stdout.write(acl.mosquitto({ hubUser: config.mqtt.username, hubPublish, satellites, integrations: ids('integration'), rhasspySites: [...new Set([...ids('rhasspy'), ...config.hermes.sites.map((site) => site.siteId)])] }));
    return;
  }
  const kind = command as Principal['kind'];
  const [action, id] = args;
  if (action === 'list') {
    for (const entry of store.list().filter((entry) => entry.kind === kind)) out(`${entry.id}\tsince ${new Date(entry.createdMs).toISOString()}`);
    return;
  }
  if (!id) throw new HughError('HUGH_ERR_CONFIG_INVALID', `${command} ${action ?? ''}: give an id (see --help)`);
  if (action === 'add' || action === 'rotate') {
    const password = await store.issue(kind, id);
    out(`${kind} ${id}: ${action === 'rotate' ? 'new ' : ''}credentials (shown once; stored hashed in ${store.file})`);
    out(`  username: ${id}`);
    out(`  password: ${password}`);
    if (kind === 'satellite') out(`  on the satellite: HUGH_SATELLITE_ID=${id} HUGH_SATELLITE_PASSWORD=${password}`);
    if (kind === 'rhasspy') out(`  in Rhasspy (Settings → MQTT: External): site id ${id}, this username and password; and in the hub's config: hermes.sites: [{ siteId: ${id} }]`);
    out('A running hub picks this up at once (it watches the file); connections with an old password are closed.');
    return;
  }
  if (action === 'remove') {
    out(store.remove(id) ? `${kind} ${id} removed` : `no ${kind} ${id}`);
    return;
  }
  throw new HughError('HUGH_ERR_CONFIG_INVALID', `unknown ${command} action ${JSON.stringify(action)} (add, rotate, remove, list)`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // The trainer has flags of its own, and is loaded only for this command: a hub start never loads it.
  if (argv[0] === 'wake-word') return (await import('@hugh/wakeword/train')).wakeWordCommand(argv.slice(1));
  const write = (line: string) => process.stdout.write(`${line}\n`);
  // doctor reports a bad config as one of its ✘ lines rather than stopping.
  const loaded = argv.includes('doctor') ? loadForDoctor(() => loadHubConfig(argv, process.env), write) : loadHubConfig(argv, process.env);
  if (!loaded) process.exit(1);
  if (loaded.help) {
    process.stdout.write(formatHelp(USAGE, HUB_OPTIONS, HUB_CONFIG_ENV));
    return;
  }
  const [command, ...args] = loaded.positionals;
  if (command === 'doctor') process.exit((await hubDoctor(loaded, { write })) ? 0 : 1);
  if (command === 'satellite' || command === 'integration' || command === 'rhasspy' || command === 'certs' || command === 'mosquitto-acl') return administer(command, args, loaded.config);
  if (command) throw new HughError('HUGH_ERR_CONFIG_INVALID', `unknown command ${JSON.stringify(command)} (see --help)`);
  const logger = createLogger('hub');
  for (const warning of loaded.warnings) logger.warn(warning);
  // A bug in one satellite's turn must not take the house down: log, keep serving.
  process.on('uncaughtException', (error) => logger.fatal({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  const hub = await startHub(loaded.config, { logger, services: (context) => createPipeline(loaded.config, logger, context) });
  logger.info({ httpPort: hub.httpPort, httpsPort: hub.httpsPort, mqttPort: hub.mqttPort, mqttsPort: hub.mqttsPort, configFile: loaded.configFile }, 'hub ready');
  process.on('SIGHUP', () => hub.reloadCredentials());
  const stop = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    await hub.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof HughError ? `${error.code}: ${error.message}` : (error as Error).stack ?? String(error);
  process.stderr.write(`hugh-hub: ${message}\n`);
  process.exit(error instanceof HughError && error.code === 'HUGH_ERR_CONFIG_INVALID' ? 2 : 1);
});
