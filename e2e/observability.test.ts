import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '@hugh/common';
import { HubConfigSchema, createPipeline, startHub, type Hub } from '@hugh/hub';
import { startFileSatellite } from '../testing/file-satellite.js';
import { waitFor } from '../testing/net.js';
import { sharedPath } from '../testing/shared.js';
import { VOICES, synthesize } from '../testing/speech.js';

describe('GET /healthz and GET /metrics', () => {
  let hub: Hub | undefined;
  const stops: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await hub?.close();
  });

  it('report the satellites, every engine of each chain, turns by outcome, stage latencies and frame counts', async () => {
    const config = HubConfigSchema.parse({ auth: { allowAnonymous: true },
      mqtt: { host: '127.0.0.1', port: 0 },
      http: { host: '127.0.0.1', port: 0 },
      vad: { modelPath: sharedPath('models/silero-vad/silero_vad_v5.onnx') },
      // A GPU Whisper that is down: the turn is answered by pocketsphinx and health says so.
      stt: { engines: [{ type: 'whisper-cpp', url: 'http://127.0.0.1:1', timeoutMs: 1_000 }, { type: 'pocketsphinx' }] },
    });
    const logger = silentLogger();
    hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
    const { sink, stop } = await startFileSatellite({ hubUrl: `ws://127.0.0.1:${hub.httpPort}`, id: 'kitchen', room: 'Kitchen', clip: synthesize('hey jarvis, what time is it', VOICES[0]!) });
    stops.push(stop);
    await waitFor(() => sink.files.length === 1, 'the reply', 20_000);

    const health = (await (await fetch(`http://127.0.0.1:${hub.httpPort}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: 'degraded',
      broker: 'embedded',
      satellites: [{ id: 'kitchen', room: 'Kitchen', transport: 'ws' }],
      engines: {
        stt: [{ name: 'whisper.cpp http://127.0.0.1:1', state: 'open' }, { name: 'pocketsphinx', state: 'closed' }],
        tts: [{ name: 'espeak-ng', state: 'closed' }],
      },
    });

    const response = await fetch(`http://127.0.0.1:${hub.httpPort}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(value(/^hugh_turns_total\{outcome="answered"\} (\d+)/m)).toBe(1);
    expect(value(/^hugh_satellites_connected (\d+)/m)).toBe(1);
    expect(value(/^hugh_audio_frames_in_total (\d+)/m)).toBeGreaterThan(25); // 300 ms of pre-roll, then the question
    expect(value(/^hugh_audio_frames_out_total (\d+)/m)).toBeGreaterThan(10);
    expect(value(/^hugh_turn_stage_seconds_count\{stage="first_audio"\} (\d+)/m)).toBe(1);
    expect(value(/^hugh_engine_failovers_total\{kind="stt",engine="whisper.cpp http:\/\/127.0.0.1:1"\} (\d+)/m)).toBe(1);
    expect(text).toMatch(/^hugh_nodejs_eventloop_lag_seconds /m);
  }, 40_000);
});
