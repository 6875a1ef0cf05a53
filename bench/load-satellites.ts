/**
 * Load generator for the benchmarks, run in its own process: N satellite clients each stream one
 * turn (a recording, paced as a microphone) to the hub and wait for the reply to end.
 *   tsx bench/load-satellites.ts URL COUNT WAV
 */
import { Backoff, silentLogger } from '@hugh/common';
import { HubClient, createHubLink, pcmChunks, readWavAs16kMono, streamTurn } from '@hugh/satellite';

const [url, countText, wav] = process.argv.slice(2);
const count = Number(countText);
const speech = readWavAs16kMono(wav!);
const audio = new Int16Array(speech.length + 16_000);
audio.set(speech);
const logger = silentLogger();

const clients = await Promise.all(
  Array.from({ length: count }, async (_, i) => {
    const id = `load-${i}`;
    const client = new HubClient(await createHubLink({ url: url!, satelliteId: id, logger, backoff: new Backoff(100, 1_000) }), {
      satelliteId: id,
      softwareVersion: 'bench',
      wakeEngines: [],
      playbackFormats: [{ sampleRateHz: 24_000, channels: 1 }],
      logger,
    });
    client.start();
    await client.waitReady(30_000);
    return client;
  }),
);
process.stdout.write('ready\n');
await Promise.all(
  clients.map(async (client) => {
    const done = new Promise((resolve) => client.once('reply-stop', resolve));
    await streamTurn(client, pcmChunks(audio, { realtime: true }));
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  }),
);
await Promise.all(clients.map((client) => client.stop()));
process.stdout.write('done\n');
process.exit(0);
