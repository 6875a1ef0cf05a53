import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { parseWav, wavBytes } from '@hugh/hub';

/** 1024 frames per chunk: what Rhasspy's microphone services publish (2048 bytes of 16 kHz s16 mono). */
const CHUNK_FRAMES = 1024;

export interface RhasspyMessage {
  topic: string;
  atMs: number;
  json?: Record<string, unknown>;
  bytes: Buffer;
}

/**
 * A Rhasspy 2.5 satellite as the hub sees it over MQTT: a microphone publishing WAV chunks on
 * `hermes/audioServer/<site>/audioFrame` in real time (silence unless it is saying something), a wake
 * word service publishing `hermes/hotword/<id>/detected`, and a speaker that "plays" each playBytes
 * for the WAV's own length, then answers `playFinished`. Everything it receives is recorded.
 */
export async function startRhasspySite(options: { url: string; siteId: string; username?: string; password?: string; sampleRateHz?: number; channels?: 1 | 2; clientId?: string }) {
  const sampleRateHz = options.sampleRateHz ?? 16_000;
  const channels = options.channels ?? 1;
  const siteId = options.siteId;
  const client: MqttClient = await mqtt.connectAsync(options.url, {
    clientId: options.clientId ?? `rhasspy-${siteId}-${Math.random().toString(16).slice(2, 8)}`,
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(options.username ? { username: options.username, password: options.password } : {}),
  });
  const received: RhasspyMessage[] = [];
  const played: { requestId: string; wav: Buffer; atMs: number }[] = [];
  /** playFinished timers still running: cleared on stop, so no publish follows the disconnect. */
  const playing = new Set<NodeJS.Timeout>();
  client.on('message', (topic, payload) => {
    const message: RhasspyMessage = { topic, atMs: Date.now(), bytes: payload };
    if (!topic.includes('/playBytes/')) {
      try {
        message.json = JSON.parse(payload.toString()) as Record<string, unknown>;
      } catch {
        // not JSON: kept as bytes
      }
    }
    received.push(message);
    if (topic.startsWith(`hermes/audioServer/${siteId}/playBytes/`)) {
      const requestId = topic.split('/').at(-1)!;
      played.push({ requestId, wav: payload, atMs: message.atMs });
      const audio = parseWav(payload);
      // The speaker plays it, then says so (unless the site has been stopped meanwhile).
      const finished = setTimeout(() => {
        playing.delete(finished);
        void client.publishAsync(`hermes/audioServer/${siteId}/playFinished`, JSON.stringify({ id: requestId, siteId, sessionId: '' }));
      }, (audio.samples.length / audio.channels / audio.sampleRateHz) * 1000);
      playing.add(finished);
    }
  });
  await client.subscribeAsync([`hermes/audioServer/${siteId}/playBytes/#`, 'hermes/hotword/toggleOn', 'hermes/hotword/toggleOff', 'hermes/asr/startListening', 'hermes/asr/stopListening']);

  // The microphone: samples queued to be said, else silence, one chunk per chunk's length of real time.
  const queue: Int16Array[] = [];
  const onSpoken: (() => void)[] = [];
  const silence = new Int16Array(CHUNK_FRAMES * channels);
  const timer = setInterval(() => {
    let chunk: Int16Array = silence;
    const next = queue[0];
    if (next) {
      chunk = next.subarray(0, CHUNK_FRAMES * channels);
      queue[0] = next.subarray(CHUNK_FRAMES * channels);
      if (queue[0].length === 0) {
        queue.shift();
        onSpoken.shift()?.();
      }
    }
    client.publish(`hermes/audioServer/${siteId}/audioFrame`, wavBytes({ sampleRateHz, channels, samples: chunk }));
  }, (CHUNK_FRAMES / sampleRateHz) * 1000);

  const dir = mkdtempSync(join(tmpdir(), `hugh-rhasspy-${siteId}-`));
  let converted = 0;
  return {
    client,
    received,
    played,
    /** Messages received on `topic` so far. */
    on: (topic: string) => received.filter((message) => message.topic === topic),
    /** Publishes the wake word, then says the 16 kHz mono `clip` (converted to the microphone's format with sox); resolves once it has been said. */
    async wakeAndSay(clip: string, wakewordId = 'porcupine'): Promise<void> {
      const file = join(dir, `clip-${converted++}.wav`);
      execFileSync('sox', [clip, '-r', String(sampleRateHz), '-c', String(channels), '-b', '16', file]);
      await client.publishAsync(`hermes/hotword/${wakewordId}/detected`, JSON.stringify({ modelId: wakewordId, modelVersion: '', modelType: 'personal', currentSensitivity: 0.5, siteId, sessionId: null, sendAudioCaptured: null, lang: null }));
      const spoken = new Promise<void>((resolve) => onSpoken.push(resolve));
      queue.push(parseWav(readFileSync(file)).samples);
      await spoken;
    },
    async stop() {
      clearInterval(timer);
      for (const finished of playing) clearTimeout(finished);
      await client.endAsync(true);
    },
  };
}
