export * from './errors.js';
export * from './version.js';
export * from './ids.js';
export * from './audio-frame.js';
export * from './messages.js';
export * from './topics.js';
export * from './pcm.js';
export * from './framer.js';
