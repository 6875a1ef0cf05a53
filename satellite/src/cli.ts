import { createLogger, formatHelp, loadForDoctor, redactUrl, type Logger } from '@hugh/common';
import { HughError } from '@hugh/protocol';
import { createInput } from './audio/input.js';
import { NullSink, type AudioSink } from './audio/sink.js';
import { SpeakerSink } from './audio/speaker-sink.js';
import { WavFileSink } from './audio/wav-file-sink.js';
import { SATELLITE_CONFIG_ENV, SATELLITE_OPTIONS, hubEndpoints, loadSatelliteConfig, type SatelliteConfig } from './config.js';
import { detectInFile } from './detect.js';
import { satelliteDoctor } from './doctor.js';
import { enroll } from './enroll.js';
import { HubClient } from './hub-client.js';
import { linkToHubs } from './link/connect-hubs.js';
import { Satellite } from './satellite.js';
import { SATELLITE_VERSION } from './version.js';
import { createWakeEngine } from './wake/create-engine.js';
import { WakeWordDetector } from './wake/detector.js';

const USAGE = `hugh-satellite — an H.U.G.H. Voice satellite: microphone, wake word, hub link, speaker.

Usage: hugh-satellite [--config FILE] [--id NAME] [--hub URL[,URL…]] [--input FILE.wav | -]   (URL: mqtt://host:port or ws://host:port; several: best first)
       hugh-satellite detect --input FILE.wav [--json]   (run the wake word over a recording)
       hugh-satellite doctor                             (check models, microphone, speaker, hub, login: ✔/✘ with the fix)
       hugh-satellite enroll --keyword hey_hugh --input TAKE1.wav TAKE2.wav TAKE3.wav | --record 3
                                                         (your own takes of the wake phrase → <keyword>.enrolled.json)`;

async function createDetector(config: SatelliteConfig, logger: Logger): Promise<WakeWordDetector> {
  const engine = await createWakeEngine(
    { modelsDir: config.wake.modelsDir, keywords: config.wake.keywords, porcupine: config.wake.porcupine },
    logger,
  );
  return new WakeWordDetector([engine], { refractoryMs: config.wake.refractoryMs, playbackThreshold: config.wake.playbackThreshold });
}

async function detect(config: SatelliteConfig, logger: Logger): Promise<void> {
  if (!config.audio.input || config.audio.input === '-') throw new HughError('HUGH_ERR_CONFIG_INVALID', 'detect needs --input FILE.wav');
  const detector = await createDetector(config, logger);
  for (const found of await detectInFile(detector, config.audio.input)) {
    const line = config.json
      ? JSON.stringify({ keyword: found.keyword, engine: found.engine, score: Number(found.score.toFixed(4)), timeS: Number(found.timeS.toFixed(2)), levelDbfs: Number(found.levelDbfs.toFixed(1)) })
      : `${found.keyword}\t${found.score.toFixed(3)}\t${found.timeS.toFixed(2)} s`;
    process.stdout.write(`${line}\n`);
  }
  await detector.close();
}

function createSink(output: string, logger: Logger): AudioSink {
  if (output === 'speaker') return new SpeakerSink(logger);
  if (output === 'none') return new NullSink();
  return new WavFileSink(output);
}

async function run(config: SatelliteConfig, logger: Logger): Promise<void> {
  const detector = await createDetector(config, logger);
  const link = await linkToHubs(config, logger);
  const client = new HubClient(link, {
    satelliteId: config.id,
    ...(config.room ? { room: config.room } : {}),
    softwareVersion: SATELLITE_VERSION,
    wakeEngines: [...new Set(detector.engines.map((engine) => engine.name))],
    playbackFormats: [24_000, 22_050, 16_000].map((sampleRateHz) => ({ sampleRateHz, channels: 1 as const })),
    logger,
    replyTimeoutMs: config.turn.replyTimeoutMs,
  });
  const input = createInput(config.audio.input, {
    logger,
    ...(config.audio.device ? { device: config.audio.device } : {}),
    ...(config.audio.recorder ? { recorder: config.audio.recorder } : {}),
  });
  const sink = createSink(config.audio.output, logger);
  const satellite = new Satellite(client, input, detector, sink, {
    replyTimeoutMs: config.turn.replyTimeoutMs,
    chimes: config.audio.chimes,
    logger,
  });
  const stopper = new AbortController();
  if (config.once) {
    // Done after the reply played, or after a turn that got none (waiting → idle on timeout).
    satellite.once('reply-played', () => stopper.abort());
    let previous = satellite.state;
    satellite.on('state', (state) => {
      if (previous === 'waiting' && state === 'idle') stopper.abort();
      previous = state;
    });
  }
  process.once('SIGINT', () => stopper.abort());
  process.once('SIGTERM', () => stopper.abort());
  logger.info({ id: config.id, hubs: hubEndpoints(config).map((hub) => redactUrl(hub.url)), input: input.description, output: sink.description, keywords: detector.keywords }, 'satellite starting');
  client.start();
  await satellite.run(stopper.signal);
  await client.stop();
  await sink.close();
  await detector.close();
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const write = (line: string) => process.stdout.write(`${line}\n`);
  // doctor reports a bad config as one of its ✘ lines rather than stopping.
  const loaded = argv.includes('doctor') ? loadForDoctor(() => loadSatelliteConfig(argv, process.env), write) : loadSatelliteConfig(argv, process.env);
  if (!loaded) process.exit(1);
  if (loaded.help) {
    process.stdout.write(formatHelp(USAGE, SATELLITE_OPTIONS, SATELLITE_CONFIG_ENV));
    return;
  }
  const [command] = loaded.positionals;
  if (command === 'doctor') process.exit((await satelliteDoctor(loaded, { write })) ? 0 : 1);
  const logger = createLogger('satellite');
  for (const warning of loaded.warnings) logger.warn(warning);
  if (command === 'detect') return detect(loaded.config, logger);
  if (command === 'enroll') {
    const files = [loaded.config.audio.input, ...loaded.positionals.slice(1)].filter((file): file is string => Boolean(file));
    await enroll(loaded.config, files, logger, (line) => process.stdout.write(`${line}\n`));
    return;
  }
  if (command !== undefined) throw new HughError('HUGH_ERR_CONFIG_INVALID', `unknown command ${command} (see --help)`);
  return run(loaded.config, logger);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const message = error instanceof HughError ? `${error.code}: ${error.message}` : ((error as Error).stack ?? String(error));
    process.stderr.write(`hugh-satellite: ${message}\n`);
    process.exit(error instanceof HughError && error.code === 'HUGH_ERR_CONFIG_INVALID' ? 2 : 1);
  },
);
