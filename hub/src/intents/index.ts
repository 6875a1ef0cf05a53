export * from './template.js';
export * from './intents.js';
export * from './local-intents.js';
export * from './duration.js';
export * from './timers.js';
