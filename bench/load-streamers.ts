/**
 * Load generator for the capacity benchmark, run in its own process: N satellites over raw MQTT
 * (no wake word, no HubClient: the generator must stay lighter than the hub it loads), each
 * saying hello and then streaming one turn of 16 kHz audio in 40 ms frames for DURATION seconds.
 * One timer paces every stream, so 1000 satellites cost 25 timer ticks a second, not 25 000.
 *   tsx bench/load-streamers.ts URL COUNT DURATION_S
 * Prints `ready` once all are welcomed, then one JSON line: frames sent, and how late the ticks ran.
 */
import mqtt from 'mqtt';
import { Topics, encodeAudioFrame, encodeMessage, satelliteClientId, satelliteMessage } from '@hugh/protocol';

const [url, countText, durationText] = process.argv.slice(2);
const count = Number(countText);
const durationMs = Number(durationText) * 1000;
const topics = new Topics();
const FRAME_MS = 40;
const payload = new Uint8Array(640 * 2); // 40 ms of 16 kHz s16le; a quiet room
for (let i = 0; i < payload.length; i += 2) payload[i] = (i * 7) & 0x0f;

interface Streamer {
  client: mqtt.MqttClient;
  audioTopic: string;
  turnId: number;
  seq: number;
}

async function connect(index: number): Promise<Streamer> {
  const id = `cap-${index}`;
  const client = await mqtt.connectAsync(url!, { clientId: satelliteClientId(id), protocolVersion: 4, reconnectPeriod: 0, queueQoSZero: false, keepalive: 60 });
  const ctlDown = topics.satellite(id, 'down/ctl');
  const welcomed = new Promise<void>((resolve) => client.on('message', (topic, message) => topic === ctlDown && message.includes('"welcome"') && resolve()));
  await client.subscribeAsync(ctlDown);
  const ctlUp = topics.satellite(id, 'up/ctl');
  client.publish(ctlUp, Buffer.from(encodeMessage(satelliteMessage({ type: 'hello', satelliteId: id, softwareVersion: 'bench', capabilities: { wakeEngines: [], playback: true }, playbackFormats: [{ sampleRateHz: 16_000, channels: 1 }] }))));
  await welcomed;
  const turnId = index + 1;
  client.publish(ctlUp, Buffer.from(encodeMessage(satelliteMessage({ type: 'audio-start', turnId, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', preRollMs: 0 }))));
  return { client, audioTopic: topics.satellite(id, 'up/audio'), turnId, seq: 0 };
}

const streamers: Streamer[] = [];
for (let start = 0; start < count; start += 50) {
  streamers.push(...(await Promise.all(Array.from({ length: Math.min(50, count - start) }, (_, i) => connect(start + i)))));
}
process.stdout.write('ready\n');

let sent = 0;
const lateMs: number[] = [];
const startedMs = performance.now();
await new Promise<void>((resolve) => {
  let tick = 0;
  const next = () => {
    const dueMs = startedMs + tick * FRAME_MS;
    lateMs.push(performance.now() - dueMs);
    const last = (tick + 1) * FRAME_MS >= durationMs;
    for (const streamer of streamers) {
      const frame = encodeAudioFrame({ turnId: streamer.turnId, seq: streamer.seq++, sampleRateHz: 16_000, channels: 1, codec: 'pcm_s16le', last, timestampMs: Date.now(), payload });
      streamer.client.publish(streamer.audioTopic, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
      sent++;
    }
    tick++;
    if (last) return resolve();
    setTimeout(next, Math.max(0, startedMs + tick * FRAME_MS - performance.now()));
  };
  next();
});
await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the last frames leave the sockets
lateMs.sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify({ sent, ticks: lateMs.length, lateP99Ms: lateMs[Math.floor(lateMs.length * 0.99)] ?? 0 })}\n`);
await Promise.all(streamers.map((streamer) => streamer.client.endAsync(true)));
process.exit(0);
