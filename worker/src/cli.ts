import { createLogger, formatHelp } from '@hugh/common';
import { connectConvex, OllamaChat, OpenAiChat, type ChatModel } from '@hugh/common/clients';
import { HughError } from '@hugh/protocol';
import { loadWorkerConfig, WORKER_CONFIG_ENV, WORKER_OPTIONS } from './config.js';
import { LlmWorker } from './worker.js';

const USAGE = `hugh-worker — answers H.U.G.H. turns from Convex with a local Ollama or OpenAI-compatible server.

Usage: hugh-worker [--config FILE] [--convex-url URL] [--llm-model NAME]
Secrets come from the environment (HUGH_CONVEX_SECRET) or the config file, not from flags.`;

async function main(): Promise<void> {
  const loaded = loadWorkerConfig(process.argv.slice(2), process.env);
  if (loaded.help) {
    process.stdout.write(formatHelp(USAGE, WORKER_OPTIONS, WORKER_CONFIG_ENV));
    return;
  }
  const { config } = loaded;
  const logger = createLogger('worker');
  for (const warning of loaded.warnings) logger.warn(warning);
  const models = new Map<string, ChatModel>(
    config.models.map((model) => [model.name, model.api === 'ollama' ? new OllamaChat(model.url, model.model) : new OpenAiChat(model.url, model.model, model.apiKey)]),
  );
  const convex = connectConvex(config.convex.url);
  const worker = new LlmWorker(convex, { ...config, secret: config.convex.secret, models, logger });
  worker.start();
  const stop = async (signal: string) => {
    logger.info({ signal, busy: worker.busy }, 'stopping: finishing the turns in hand');
    await worker.stop();
    await convex.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof HughError ? `${error.code}: ${error.message}` : (error as Error).stack ?? String(error);
  process.stderr.write(`hugh-worker: ${message}\n`);
  process.exit(error instanceof HughError && error.code === 'HUGH_ERR_CONFIG_INVALID' ? 2 : 1);
});
