import { hostname } from 'node:os';
import { loadConfig, type OptionSpec } from '@hugh/common';
import { z } from 'zod';

const ModelConfig = z
  .strictObject({
    /** The name turns ask for (the hub's routing table uses it), e.g. "llama3.3:70b" or "macbook/llama3.1:8b"; default: `model`. */
    name: z.string().min(1).optional(),
    api: z.enum(['ollama', 'openai']).default('ollama'),
    url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:11434'),
    /** The model's name at that server; default: `name`. */
    model: z.string().min(1).optional(),
    apiKey: z.string().optional(),
  })
  .refine((model) => model.name ?? model.model, { message: 'give the model a name (or a model)', path: ['name'] })
  .transform((model) => ({ ...model, name: (model.name ?? model.model)!, model: (model.model ?? model.name)! }));

export const WorkerConfigSchema = z.strictObject({
  convex: z
    .strictObject({
      url: z.url({ protocol: /^https?$/ }),
      secret: z.string().min(16),
    }),
  workerId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).default(hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'worker'),
  models: z.array(ModelConfig).min(1),
  /** Turns answered at once; more wait in the queue for this or another worker. */
  concurrency: z.int().min(1).max(64).default(2),
  /** Reply text is written to the turn at most this often (and at each sentence end). */
  batchMs: z.int().min(10).max(2_000).default(100),
  /** Lease renewal while the model thinks; must be well under the deployment's leaseMs (15 s by default). */
  leaseRenewMs: z.int().min(100).max(60_000).default(5_000),
  /** How often the worker tells Convex it is alive and which models it serves. */
  heartbeatMs: z.int().min(100).max(60_000).default(10_000),
  firstTokenTimeoutMs: z.int().min(500).max(300_000).default(30_000),
  stallTimeoutMs: z.int().min(500).max(300_000).default(15_000),
});

export type WorkerConfig = z.infer<typeof WorkerConfigSchema>;

export const WORKER_CONFIG_ENV = 'HUGH_WORKER_CONFIG';

export const WORKER_OPTIONS: OptionSpec[] = [
  { flag: 'convex-url', env: 'HUGH_CONVEX_URL', path: 'convex.url', type: 'string', description: 'Convex deployment URL' },
  { flag: 'convex-secret', env: 'HUGH_CONVEX_SECRET', path: 'convex.secret', type: 'string', description: 'the shared secret set in the deployment (prefer the env var)' },
  { flag: 'worker-id', env: 'HUGH_WORKER_ID', path: 'workerId', type: 'string', description: 'name of this worker (default: the host name)' },
  { flag: 'concurrency', env: 'HUGH_WORKER_CONCURRENCY', path: 'concurrency', type: 'int', description: 'turns answered at once (default 2)' },
];

/**
 * Config file < env < flags. With no `models` in a file, one model is built from HUGH_LLM_NAME,
 * HUGH_LLM_API, HUGH_LLM_URL and HUGH_LLM_MODEL, the same variables the hub's local dispatcher reads.
 */
export function loadWorkerConfig(argv: string[], env: NodeJS.ProcessEnv) {
  const specs: OptionSpec[] = [
    ...WORKER_OPTIONS,
    { flag: 'llm-name', env: 'HUGH_LLM_NAME', path: 'models.0.name', type: 'string', description: 'model name turns ask for (default: --llm-model)' },
    { flag: 'llm-api', env: 'HUGH_LLM_API', path: 'models.0.api', type: 'string', description: 'ollama or openai (default ollama)' },
    { flag: 'llm-url', env: 'HUGH_LLM_URL', path: 'models.0.url', type: 'string', description: 'LLM server (default http://127.0.0.1:11434)' },
    { flag: 'llm-model', env: 'HUGH_LLM_MODEL', path: 'models.0.model', type: 'string', description: 'model name at the LLM server' },
  ];
  return loadConfig(WorkerConfigSchema, { argv, env, specs, configEnv: WORKER_CONFIG_ENV });
}
