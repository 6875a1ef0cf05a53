import { readFileSync } from 'node:fs';
import type { Backoff, Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import { hubEndpoints, type SatelliteConfig } from '../config.js';
import { createHubLink, probeHub } from './create-link.js';
import { FailoverLink } from './failover-link.js';
import type { HubLink, HubTarget } from './hub-link.js';

function readCa(file: string, field: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `${field}: ${(error as Error).message}`);
  }
}

/**
 * The satellite's link from its config: to its one hub (reconnecting with backoff, as ever), or,
 * with several, a failover link across them in order (see FailoverLink). Each hub gets its own
 * login and CA.
 */
export async function linkToHubs(config: SatelliteConfig, logger: Logger, options: { backoff?: Backoff } = {}): Promise<HubLink> {
  const hubs: HubTarget[] = hubEndpoints(config).map((hub, index) => ({
    url: hub.url,
    ...(hub.username !== undefined ? { username: hub.username, password: hub.password ?? '' } : {}),
    ...(hub.caFile ? { ca: readCa(hub.caFile, typeof config.hub[index] === 'string' ? 'caFile' : `hub[${index}].caFile`) } : {}),
  }));
  const open = (hub: HubTarget) =>
    createHubLink({
      url: hub.url,
      satelliteId: config.id,
      topicPrefix: config.topicPrefix,
      logger,
      ...(hub.username !== undefined ? { username: hub.username, password: hub.password ?? '' } : {}),
      ...(hub.ca ? { ca: hub.ca } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
    });
  if (hubs.length === 1) return open(hubs[0]!);
  return new FailoverLink({
    hubs,
    logger,
    returnAfterMs: config.failover.returnAfterMs,
    probeIntervalMs: config.failover.probeIntervalMs,
    probeTimeoutMs: config.failover.probeTimeoutMs,
    open,
    probe: (hub, timeoutMs) => probeHub(hub, { satelliteId: config.id, topicPrefix: config.topicPrefix, timeoutMs }),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
}
