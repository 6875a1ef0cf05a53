import { silentLogger } from '@hugh/common';
import { Backoff } from '@hugh/common';
import { HubClient, createHubLink } from '@hugh/satellite';

/** A satellite protocol client (no microphone) connected to a hub URL. */
export async function connectSatellite(satelliteId: string, url: string, options: { wait?: boolean; password?: string; ca?: Buffer } = {}): Promise<HubClient> {
  const logger = silentLogger();
  const link = await createHubLink({
    url,
    satelliteId,
    logger,
    backoff: new Backoff(100, 1_000),
    ...(options.password !== undefined ? { username: satelliteId, password: options.password } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
  });
  const client = new HubClient(link, {
    satelliteId,
    room: 'test',
    softwareVersion: 'test',
    wakeEngines: [],
    playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }],
    logger,
  });
  client.start();
  if (options.wait !== false) await client.waitReady();
  return client;
}
