import type { Backoff, Logger } from '@hugh/common';
import { HughError, Topics } from '@hugh/protocol';
import { websocketUrl, type HubLink, type HubTarget } from './hub-link.js';

/**
 * Picks the transport from the hub URL: mqtt(s):// or ws(s)://. Only the chosen transport's module
 * is loaded: each costs a small board 10-20 MB of memory.
 */
export async function createHubLink(options: {
  url: string;
  satelliteId: string;
  topicPrefix?: string;
  logger: Logger;
  username?: string;
  password?: string;
  /** The house CA for mqtts:// and wss://. */
  ca?: Buffer;
  backoff?: Backoff;
}): Promise<HubLink> {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `hub: ${JSON.stringify(options.url)} is not a URL (expected mqtt://host:1883 or ws://host:8750)`);
  }
  if (url.protocol === 'mqtt:' || url.protocol === 'mqtts:') {
    const { MqttHubLink } = await import('./mqtt-link.js');
    return new MqttHubLink({
      url: options.url,
      satelliteId: options.satelliteId,
      topics: new Topics(options.topicPrefix),
      logger: options.logger,
      ...(options.username !== undefined ? { username: options.username, password: options.password ?? '' } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') {
    const { WsHubLink } = await import('./ws-link.js');
    return new WsHubLink({
      url: websocketUrl(options.url),
      logger: options.logger,
      ...(options.username !== undefined ? { username: options.username, password: options.password ?? '' } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
  }
  throw new HughError('HUGH_ERR_CONFIG_INVALID', `hub: unsupported scheme ${url.protocol} (expected mqtt:, mqtts:, ws: or wss:)`);
}

/**
 * Is this hub up and would it let the satellite in? A real login with the hub's credentials,
 * dropped again at once, never a port check (see `probeMqttHub`, `probeWsHub`). Rejects with the reason.
 */
export async function probeHub(hub: HubTarget, options: { satelliteId: string; topicPrefix?: string; timeoutMs: number }): Promise<void> {
  const { protocol } = new URL(hub.url);
  if (protocol === 'mqtt:' || protocol === 'mqtts:') {
    const { probeMqttHub } = await import('./mqtt-link.js');
    return probeMqttHub(hub, { satelliteId: options.satelliteId, topics: new Topics(options.topicPrefix), timeoutMs: options.timeoutMs });
  }
  const { probeWsHub } = await import('./ws-link.js');
  return probeWsHub(hub, options.timeoutMs);
}
