/**
 * `npm run demo`: one spoken turn end to end on this machine, embedded defaults only: a hub
 * (embedded broker, Silero VAD, pocketsphinx, local replies, espeak-ng) and a real hugh-satellite
 * process whose microphone is a recording. The models come from scripts/fetch-models.mjs.
 *
 *   npm run demo -- [--say "hey jarvis, what time is it" | --input FILE.wav] [--transport mqtt|ws] [--json] [hub flags…]
 *
 * Every other flag, the hub's config file (`--config`) and its environment (`HUGH_LLM_URL`, …) go to
 * the hub as they would to `hugh-hub`, so the demo can run against your own engines; the demo only
 * takes over its ports, logins and state dir.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, silentLogger } from '@hugh/common';
import { CredentialStore, createPipeline, loadHubConfig, startHub, type TurnRecord } from '@hugh/hub';

const root = fileURLToPath(new URL('../', import.meta.url));
const DEMO_OPTIONS = { say: { type: 'string' }, input: { type: 'string' }, transport: { type: 'string', default: 'mqtt' }, json: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } } as const;
/** The demo's own flags; the rest are the hub's. */
const { tokens } = parseArgs({ options: DEMO_OPTIONS, strict: false, tokens: true, allowPositionals: true });
const demoArgs: string[] = [];
const hubArgs: string[] = [];
for (const token of tokens ?? []) {
  const raw = token.kind === 'option' ? process.argv.slice(2).slice(token.index, token.index + (token.inlineValue === false ? 2 : 1)) : [process.argv[2 + token.index]!];
  (token.kind === 'option' && token.name in DEMO_OPTIONS ? demoArgs : hubArgs).push(...raw);
}
const { values } = parseArgs({ args: demoArgs, options: DEMO_OPTIONS });
const hubLoaded = loadHubConfig(hubArgs, process.env);
if (values.transport !== 'mqtt' && values.transport !== 'ws') throw new Error('--transport must be mqtt or ws');

// The models, where the hub's and the satellite's defaults look for them (fetched once, then checked).
execFileSync(process.execPath, [join(root, 'scripts/fetch-models.mjs'), '--quiet'], { stdio: 'inherit' });

const work = mkdtempSync(join(tmpdir(), 'hugh-demo-'));
let clip = values.input;
if (!clip) {
  const text = values.say ?? 'hey jarvis, what time is it';
  const raw = join(work, 'say-raw.wav');
  clip = join(work, 'say.wav');
  execFileSync('flite', ['-voice', 'slt', '-t', text, '-o', raw]);
  execFileSync('sox', [raw, '-r', '16000', '-c', '1', '-b', '16', clip, 'pad', '1', '2']);
}

const logger = values.verbose ? createLogger('hub') : silentLogger();
// Authentication stays on, as in production: the demo provisions its own satellite credentials.
const credentialsFile = join(work, 'credentials.json');
const password = await CredentialStore.load(credentialsFile).issue('satellite', 'demo');
const hubConfig = hubLoaded.config;
const config = {
  ...hubConfig,
  mqtt: { ...hubConfig.mqtt, host: '127.0.0.1', port: 0, brokerUrl: undefined },
  http: { ...hubConfig.http, host: '127.0.0.1', port: 0 },
  auth: { ...hubConfig.auth, allowAnonymous: false, credentialsFile },
  tls: { ...hubConfig.tls, certFile: undefined, keyFile: undefined, only: false },
  state: { ...hubConfig.state, dir: join(work, 'state') },
};
let record: TurnRecord | undefined;
const hub = await startHub(config, { logger, services: (context) => createPipeline(config, logger, context) });
hub.events.on('turn', (r) => (record = r));
const output = join(work, 'replies');
const hubUrl = values.transport === 'mqtt' ? `mqtt://127.0.0.1:${hub.mqttPort}` : `ws://127.0.0.1:${hub.httpPort}`;
const satellite = spawn(
  process.execPath,
  [join(root, 'satellite/bin/hugh-satellite.js'), '--hub', hubUrl, '--id', 'demo', '--input', clip, '--output', output, '--once'],
  { stdio: ['ignore', values.verbose ? 'inherit' : 'ignore', 'inherit'], env: { ...process.env, HUGH_LOG_LEVEL: values.verbose ? 'info' : 'warn', HUGH_SATELLITE_PASSWORD: password } },
);
const timer = setTimeout(() => satellite.kill(), 30_000);
const code = await new Promise<number | null>((resolve) => satellite.once('exit', resolve));
clearTimeout(timer);
await hub.close();

const replies = existsSync(output) ? readdirSync(output).filter((file) => file.startsWith('reply-')).map((file) => join(output, file)) : [];
const t = record?.times;
const since = (at?: number) => (at !== undefined && t?.endOfSpeechMs !== undefined ? at - t.endOfSpeechMs : undefined);
const summary = {
  input: clip,
  transport: values.transport,
  keyword: record?.keyword,
  transcript: record?.transcript,
  replyText: record?.replyText,
  outcome: record?.outcome ?? 'no turn (was the wake word heard?)',
  error: record?.error,
  stagesMs: {
    wakeToEndOfSpeech: t?.wakeMs !== undefined && t.endOfSpeechMs !== undefined ? t.endOfSpeechMs - t.wakeMs : undefined,
    transcript: since(t?.transcriptMs),
    firstReplyText: since(t?.firstReplyTextMs),
    firstAudioOut: since(t?.firstAudioOutMs),
    lastAudioOut: since(t?.lastAudioOutMs),
  },
  engineMs: record?.engineMs,
  hubOverheadMs: record?.hubOverheadMs,
  times: t,
  replyWav: replies.at(-1),
  satelliteExitCode: code,
};
if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
else {
  process.stdout.write(
    [
      `heard:      ${summary.keyword ?? '-'} → "${summary.transcript ?? ''}"`,
      `answered:   "${summary.replyText ?? ''}" (${summary.outcome})`,
      `after end of speech: transcript ${summary.stagesMs.transcript} ms, first audio ${summary.stagesMs.firstAudioOut} ms, last audio ${summary.stagesMs.lastAudioOut} ms`,
      `reply WAV:  ${summary.replyWav ?? '-'}`,
    ].join('\n') + '\n',
  );
}
process.exit(record?.outcome === 'answered' && code === 0 ? 0 : 1);
