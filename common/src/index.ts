export * from './async-queue.js';
export * from './backoff.js';
export * from './config.js';
export * from './logger.js';
