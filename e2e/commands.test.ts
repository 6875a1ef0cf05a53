import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, startHub, type Hub, type Turn, type TurnHandler } from '@hugh/hub';
import { chimePcm, pcmChunks, streamTurn, type HubClient } from '@hugh/satellite';
import { Mosquitto } from '../testing/mosquitto.js';
import { freePort, waitFor } from '../testing/net.js';
import { connectSatellite } from '../testing/satellites.js';

/** Replies with a long reply, paced like TTS, until the turn is cancelled. */
class LongReply implements TurnHandler {
  turns: Turn[] = [];
  async handleTurn(turn: Turn): Promise<void> {
    this.turns.push(turn);
    for await (const _frame of turn.audio) turn.stopListening('end-of-speech');
    const writer = turn.startReply({ sampleRateHz: 24_000, channels: 1 });
    for (let i = 0; i < 50 && !turn.signal.aborted; i++) {
      writer.write(chimePcm('wake'));
      await new Promise((resolve) => setTimeout(resolve, 100)); // paces the fake TTS (not a wait)
    }
    writer.end('done');
  }
}

describe('home-automation commands on <prefix>/sat/<id>/cmd/<name>, through a real Mosquitto', () => {
  let mosquitto: Mosquitto;
  let hub: Hub;
  let handler: LongReply;
  let satellite: HubClient;
  let outside: MqttClient;
  const hubErrors: { code: string; message: string; topic: string }[] = [];

  beforeEach(async () => {
    handler = new LongReply();
    mosquitto = new Mosquitto(await freePort());
    await mosquitto.start();
    hub = await startHub(HubConfigSchema.parse({ auth: { allowAnonymous: true }, mqtt: { brokerUrl: mosquitto.url }, http: { host: '127.0.0.1', port: 0 } }), { logger: silentLogger(), services: () => ({ turns: handler }) });
    satellite = await connectSatellite('kitchen', mosquitto.url);
    outside = await mqtt.connectAsync(mosquitto.url, { clientId: 'home-assistant', protocolVersion: 4 });
    outside.on('message', (_topic, payload) => hubErrors.push(JSON.parse(payload.toString())));
    await outside.subscribeAsync('hugh/hub/error');
    hubErrors.length = 0;
  });
  afterEach(async () => {
    await outside.endAsync(true);
    await satellite.stop();
    await hub.close();
    await mosquitto.kill();
  });

  it('stop cuts a reply in the middle and cancels the turn', async () => {
    const stopped = new Promise<string>((resolve) => satellite.once('reply-stop', (_turnId, reason) => resolve(reason)));
    const playing = new Promise((resolve) => satellite.once('reply-start', resolve));
    await streamTurn(satellite, pcmChunks(new Int16Array(3_200)));
    await playing;
    await outside.publishAsync('hugh/sat/kitchen/cmd/stop', '');
    expect(await stopped).toBe('cancelled');
    expect(handler.turns[0]?.signal.reason).toBe('stop-command');
  });

  it('mute and volume reach the satellite, in plain or JSON form', async () => {
    await outside.publishAsync('hugh/sat/kitchen/cmd/mute', 'on');
    await waitFor(() => satellite.muted, 'mute');
    await outside.publishAsync('hugh/sat/kitchen/cmd/mute', '{"muted": false}');
    await waitFor(() => !satellite.muted, 'unmute');
    await outside.publishAsync('hugh/sat/kitchen/cmd/volume', '35');
    await waitFor(() => satellite.volumePercent === 35, 'volume 35');
    await outside.publishAsync('hugh/sat/kitchen/cmd/volume', '{"percent": 80}');
    await waitFor(() => satellite.volumePercent === 80, 'volume 80');
  });

  it('listen asks the satellite to start a turn without the wake word', async () => {
    const listen = new Promise<number>((resolve) => satellite.once('listen', resolve));
    await outside.publishAsync('hugh/sat/kitchen/cmd/listen', '');
    expect(await listen).toBeGreaterThanOrEqual(0x8000_0000);
  });

  it.each([
    ['hugh/sat/kitchen/cmd/volume', '150', 'HUGH_ERR_MESSAGE_INVALID'],
    ['hugh/sat/kitchen/cmd/mute', 'maybe', 'HUGH_ERR_MESSAGE_INVALID'],
    ['hugh/sat/kitchen/cmd/dance', '', 'HUGH_ERR_UNKNOWN_MESSAGE_TYPE'],
    ['hugh/sat/attic/cmd/mute', 'on', 'HUGH_ERR_UNKNOWN_SATELLITE'],
  ])('%s %j → %s on hugh/hub/error, nothing changes', async (topic, payload, code) => {
    await outside.publishAsync(topic, payload);
    await waitFor(() => hubErrors.length > 0, 'an error answer');
    expect(hubErrors[0]).toMatchObject({ code, topic });
    expect(satellite.muted).toBe(false);
    expect(satellite.volumePercent).toBe(70);
  });
});
