import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, ReplyBatcher } from '@hugh/worker';

describe('ReplyBatcher', () => {
  it('writes at a sentence end or when batchMs has passed, never per token', () => {
    const batcher = new ReplyBatcher(100);
    expect(batcher.add('The sky', 0)).toBeUndefined();
    expect(batcher.add(' is', 40)).toBeUndefined();
    expect(batcher.add(' blue.', 60)).toBe('The sky is blue.');
    expect(batcher.add(' It', 200)).toBeUndefined();
    expect(batcher.due(250)).toBeUndefined();
    expect(batcher.due(300)).toBe(' It');
    expect(batcher.add(' scatters', 310)).toBeUndefined();
    expect(batcher.add(' light', 411)).toBe(' scatters light');
    expect(batcher.add(' "quoted!"', 420)).toBe(' "quoted!"');
    expect(batcher.take()).toBeUndefined();
  });
});

describe('worker config', () => {
  const env = { HUGH_CONVEX_URL: 'https://happy-otter-123.convex.cloud', HUGH_CONVEX_SECRET: 'a-long-enough-secret' };

  it('builds one model from the HUGH_LLM_* variables the hub also reads', () => {
    const { config } = loadWorkerConfig([], { ...env, HUGH_LLM_MODEL: 'llama3.1:8b', HUGH_LLM_URL: 'http://127.0.0.1:8000', HUGH_LLM_API: 'openai', HUGH_WORKER_ID: 'vm-llm-2' });
    expect(config.models).toEqual([{ name: 'llama3.1:8b', model: 'llama3.1:8b', api: 'openai', url: 'http://127.0.0.1:8000' }]);
    expect(config.workerId).toBe('vm-llm-2');
    const named = loadWorkerConfig([], { ...env, HUGH_LLM_NAME: 'macbook/llama3.1:8b', HUGH_LLM_MODEL: 'llama3.1:8b-q4' }).config;
    expect(named.models[0]).toMatchObject({ name: 'macbook/llama3.1:8b', model: 'llama3.1:8b-q4', api: 'ollama', url: 'http://127.0.0.1:11434' });
  });

  it('names the field and its source when a value is wrong or missing', () => {
    expect(() => loadWorkerConfig([], { ...env, HUGH_CONVEX_SECRET: 'short', HUGH_LLM_MODEL: 'm' })).toThrow(/convex\.secret \(from env HUGH_CONVEX_SECRET\)/);
    expect(() => loadWorkerConfig([], env)).toThrow(/models/);
    expect(() => loadWorkerConfig(['--concurrency', '0'], { ...env, HUGH_LLM_MODEL: 'm' })).toThrow(/concurrency \(from flag --concurrency\)/);
  });
});

describe('deploy/vm-llm/worker.example.yaml', () => {
  it('is a valid worker config', () => {
    const { config } = loadWorkerConfig(['--config', 'deploy/vm-llm/worker.example.yaml'], {});
    expect(config.models.map((model) => model.name)).toEqual(['llama3.1:8b', 'codestral:22b']);
  });
});
