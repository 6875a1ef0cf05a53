export * from './hub-client.js';
export * from './link/hub-link.js';
export * from './link/create-link.js';
export { MqttHubLink } from './link/mqtt-link.js';
export { WsHubLink } from './link/ws-link.js';
export * from './audio/wav.js';
export * from './audio/pcm-source.js';
