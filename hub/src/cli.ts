import { createLogger, formatHelp } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import { join } from 'node:path';
import { HUB_CONFIG_ENV, HUB_OPTIONS, loadHubConfig, type HubConfig } from './config.js';
import { issueCertificates } from './security/certificates.js';
import { CredentialStore, type Principal } from './security/credentials.js';
import { HubEvents } from './events.js';
import { startHub } from './hub.js';
import { createPipeline } from './pipeline/create-pipeline.js';

const USAGE = `hugh-hub — the H.U.G.H. Voice hub: MQTT broker, WebSocket server and voice pipeline.

Usage: hugh-hub [--config FILE] [--mqtt-port N] [--http-port N] [--broker mqtt://host:port]
       hugh-hub satellite add|rotate ID        print new credentials for a satellite (stored hashed)
       hugh-hub satellite remove ID | list
       hugh-hub integration add|rotate NAME    credentials for Home Assistant & co (events and commands, never audio)
       hugh-hub integration remove NAME
       hugh-hub certs [HOST…]                  local CA + hub certificate in --tls-dir (default /etc/hugh/tls)
       hugh-hub certs satellite ID             a client certificate for one satellite
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
    out('A running hub picks this up on SIGHUP (systemctl reload hugh-hub) or restart.');
    return;
  }
  if (action === 'remove') {
    out(store.remove(id) ? `${kind} ${id} removed` : `no ${kind} ${id}`);
    return;
  }
  throw new HughError('HUGH_ERR_CONFIG_INVALID', `unknown ${command} action ${JSON.stringify(action)} (add, rotate, remove, list)`);
}

async function main(): Promise<void> {
  // The trainer has flags of its own, and is loaded only for this command: a hub start never loads it.
  if (process.argv[2] === 'wake-word') return (await import('@hugh/wakeword/train')).wakeWordCommand(process.argv.slice(3));
  const loaded = loadHubConfig(process.argv.slice(2), process.env);
  if (loaded.help) {
    process.stdout.write(formatHelp(USAGE, HUB_OPTIONS, HUB_CONFIG_ENV));
    return;
  }
  const [command, ...args] = loaded.positionals;
  if (command === 'satellite' || command === 'integration' || command === 'certs') return administer(command, args, loaded.config);
  if (command) throw new HughError('HUGH_ERR_CONFIG_INVALID', `unknown command ${JSON.stringify(command)} (see --help)`);
  const logger = createLogger('hub');
  for (const warning of loaded.warnings) logger.warn(warning);
  // A bug in one satellite's turn must not take the house down: log, keep serving.
  process.on('uncaughtException', (error) => logger.fatal({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  const events = new HubEvents();
  const turnHandler = await createPipeline(loaded.config, logger, { events, onRecord: (record) => events.emit('turn', record) });
  const hub = await startHub(loaded.config, { logger, turnHandler, events });
  logger.info({ httpPort: hub.httpPort, httpsPort: hub.httpsPort, mqttPort: hub.mqttPort, mqttsPort: hub.mqttsPort, configFile: loaded.configFile }, 'hub ready');
  process.on('SIGHUP', () => {
    hub.credentials?.reload();
    logger.info('credentials reloaded');
  });
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
