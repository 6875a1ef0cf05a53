export * from './config.js';
export * from './hub.js';
export * from './session/turn.js';
export { SessionManager } from './session/session-manager.js';
export { checkPublish, checkSubscribe } from './transport/embedded-broker.js';
export { filterMatches, filterCanMatchPattern } from './transport/mqtt-filter.js';
export { WS_PATH } from './transport/ws-transport.js';
export { HUB_VERSION } from './version.js';
