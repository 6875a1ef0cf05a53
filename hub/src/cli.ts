import { createLogger, formatHelp } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import { HUB_CONFIG_ENV, HUB_OPTIONS, loadHubConfig } from './config.js';
import { HubEvents } from './events.js';
import { startHub } from './hub.js';
import { createPipeline } from './pipeline/create-pipeline.js';

const USAGE = `hugh-hub — the H.U.G.H. Voice hub: MQTT broker, WebSocket server and voice pipeline.

Usage: hugh-hub [--config FILE] [--mqtt-port N] [--http-port N] [--broker mqtt://host:port]`;

async function main(): Promise<void> {
  const loaded = loadHubConfig(process.argv.slice(2), process.env);
  if (loaded.help) {
    process.stdout.write(formatHelp(USAGE, HUB_OPTIONS, HUB_CONFIG_ENV));
    return;
  }
  const logger = createLogger('hub');
  // A bug in one satellite's turn must not take the house down: log, keep serving.
  process.on('uncaughtException', (error) => logger.fatal({ err: error }, 'uncaught exception'));
  process.on('unhandledRejection', (error) => logger.error({ err: error }, 'unhandled rejection'));
  const events = new HubEvents();
  const turnHandler = await createPipeline(loaded.config, logger, { events, onRecord: (record) => events.emit('turn', record) });
  const hub = await startHub(loaded.config, { logger, turnHandler, events });
  logger.info({ httpPort: hub.httpPort, mqttPort: hub.mqttPort, configFile: loaded.configFile }, 'hub ready');
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
