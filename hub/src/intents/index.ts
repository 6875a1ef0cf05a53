export * from './template.js';
export * from './intents.js';
export * from './local-intents.js';
