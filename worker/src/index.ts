export * from './config.js';
export * from './reply-batcher.js';
export * from './worker.js';
