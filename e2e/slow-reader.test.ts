import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub, type Turn, type TurnHandler } from '@hugh/hub';
import { pcmChunks, streamTurn, type HubClient } from '@hugh/satellite';
import { freePort } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';

/** Reply audio a slow reader is offered: far more than any socket buffer holds. */
const OFFERED_BYTES = 32 * 1024 * 1024;

/** Writes reply audio as fast as the hub takes it (no pacing): what a fast TTS engine does. */
class FloodReply implements TurnHandler {
  accepted = 0;
  refused = 0;
  done: Promise<void>;
  private finish!: () => void;
  constructor(private readonly beforeReply: () => void) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  async handleTurn(turn: Turn): Promise<void> {
    for await (const _frame of turn.audio) turn.stopListening('end-of-speech');
    const writer = turn.startReply({ sampleRateHz: 24_000, channels: 1 });
    this.beforeReply();
    const chunk = new Uint8Array(48_000); // 1 s of 24 kHz s16le silence
    for (let offered = 0; offered < OFFERED_BYTES && !turn.signal.aborted; offered += chunk.byteLength) {
      if (writer.write(chunk)) this.accepted += chunk.byteLength;
      else this.refused += chunk.byteLength;
      await yieldToIo(); // lets the sockets move what they can between writes
    }
    writer.end('done');
    this.finish();
  }
}

/** The satellite's MQTT socket (a test reaching into the link): paused, nothing the hub sends is read any more. */
const socketOf = (satellite: HubClient) => (satellite.link as unknown as { client: MqttClient }).client.stream;

describe('a satellite that stops reading its MQTT connection', () => {
  let hub: Hub | undefined;
  let satellite: HubClient | undefined;
  afterEach(async () => {
    await satellite?.stop();
    await hub?.close();
  });

  it('has its reply audio dropped once the broker waits for its connection to drain, instead of queued in the broker every client shares (and the hub survives)', async () => {
    let paused = () => undefined as void;
    const handler = new FloodReply(() => paused());
    const port = await freePort();
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { host: '127.0.0.1', port }, http: { host: '127.0.0.1', port: 0 } }), { logger: silentLogger(), services: () => ({ turns: handler }) });
    const client = await connectSatellite('kitchen', `mqtt://127.0.0.1:${port}`);
    satellite = client;
    paused = () => void socketOf(client).pause();
    void streamTurn(client, pcmChunks(new Int16Array(3_200)));
    await handler.done;
    // Taken: the 1 MiB the hub lets queue, what the kernel's socket buffers hold on both ends, and
    // the frames already in flight. Without the limit all 32 MiB were taken (and kept in memory).
    expect(handler.refused).toBeGreaterThan(0);
    expect(handler.accepted).toBeLessThan(OFFERED_BYTES / 2);
    // Reading again, it gets what was queued for it and the reply's end: nothing else stuck behind.
    const ended = new Promise((resolve) => client.once('reply-stop', resolve));
    socketOf(client).resume();
    await ended;
  });
});
