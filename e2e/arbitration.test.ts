import { afterEach, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub, type Turn, type TurnHandler } from '@hugh/hub';
import { chimePcm } from '@hugh/satellite';
import { startFileSatellite } from '../testing/file-satellite.js';
import { Mosquitto } from '../testing/mosquitto.js';
import { freePort, waitFor } from '../testing/net.js';
import { VOICES, synthesize } from '../testing/speech.js';

/** Listens 2 s, then replies: the losers' turns are cancelled long before. */
class ShortReply implements TurnHandler {
  readonly turns: Turn[] = [];
  async handleTurn(turn: Turn): Promise<void> {
    this.turns.push(turn);
    let audioMs = 0;
    for await (const _frame of turn.audio) if ((audioMs += 40) >= 2_000) turn.stopListening('end-of-speech');
    if (turn.signal.aborted) return;
    const writer = turn.startReply({ sampleRateHz: 24_000, channels: 1 });
    writer.write(chimePcm('done'));
    writer.end('done');
  }
}

describe('multi-room wake arbitration, through a real Mosquitto', () => {
  let hub: Hub | undefined;
  let mosquitto: Mosquitto | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await hub?.close();
    await mosquitto?.kill();
  });

  it('three satellites hear the same "hey jarvis" at different levels: only the loudest gets the turn', async () => {
    mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
    const handler = new ShortReply();
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { brokerUrl: mosquitto.url }, http: { host: '127.0.0.1', port: 0 } }), { logger: silentLogger(), services: () => ({ turns: handler }) });
    const watcher = await mqtt.connectAsync(mosquitto.url, { clientId: 'home-assistant', protocolVersion: 4 });
    const arbitration: string[] = [];
    watcher.on('message', (topic) => arbitration.push(topic.split('/')[2]!));
    await watcher.subscribeAsync('hugh/sat/+/event/arbitration');
    stops.push(() => watcher.endAsync(true));

    const rooms = [
      ['kitchen', -10],
      ['hallway', 0],
      ['den', -5],
    ] as const;
    const satellites = await Promise.all(
      rooms.map(async ([id, gainDb]) => {
        const started = await startFileSatellite({ hubUrl: mosquitto!.url, id, room: id, clip: synthesize('hey jarvis, turn on the lights', VOICES[0]!, { gainDb }), replyTimeoutMs: 10_000 });
        stops.push(started.stop);
        return { id, ...started };
      }),
    );

    await waitFor(() => satellites.some(({ sink }) => sink.files.length > 0), 'a reply', 15_000);
    // Every satellite has come back to idle: the winner after its reply, the others after standing down.
    await waitFor(() => satellites.every(({ states }) => states.length >= 2 && states.at(-1) === 'idle'), 'all satellites idle again');
    expect(handler.turns).toHaveLength(3);
    const [hallway] = satellites.filter(({ id }) => id === 'hallway');
    expect(hallway!.sink.files).toHaveLength(1);
    for (const loser of satellites.filter(({ id }) => id !== 'hallway')) {
      expect(loser.sink.files).toEqual([]);
      expect(loser.states).toEqual(['streaming', 'idle']);
    }
    expect(handler.turns.filter((turn) => turn.signal.reason === 'arbitration-lost').map((turn) => turn.satelliteId).sort()).toEqual(['den', 'kitchen']);
    await waitFor(() => arbitration.length === 2, 'the arbitration events');
    expect(arbitration.sort()).toEqual(['den', 'kitchen']);
  }, 40_000);
});
