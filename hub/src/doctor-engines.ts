import { fail, fetchFailure, pass, type CheckOutcome, type DoctorCheck } from '@hugh/common';
import type { HubConfig, SttEngineConfig, TtsEngineConfig } from './config.js';
import { PocketsphinxStt } from './engines/stt/pocketsphinx.js';
import { CommandLineTts } from './engines/tts/espeak.js';
import { readSpeakerProfile } from './engines/tts/outetts/prompt.js';
import { SayTts } from './engines/tts/say.js';
import { collectAudio } from './engines/wav-stream.js';
import { WyomingConnection } from './engines/wyoming/connection.js';

/** GET `path` on an engine's server: ✔ on a 2xx answer, else what came back. */
async function httpHealth(base: string, path: string, timeoutMs: number, fix: string, apiKey?: string): Promise<CheckOutcome> {
  const url = new URL(path, base).toString();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), ...(apiKey ? { headers: { authorization: `Bearer ${apiKey}` } } : {}) });
    await response.body?.cancel();
    if (response.ok) return pass(`GET ${url} answered ${response.status}`);
    // whisper-server and llama-server answer 503 while they load their model.
    return fail(`GET ${url} answered ${response.status}${response.status === 503 ? ' (still loading its model?)' : ''}`, fix);
  } catch (error) {
    return fail(`GET ${url}: ${fetchFailure(error)}`, fix);
  }
}

/** Wyoming `describe` → `info`, as Home Assistant asks its engines. */
async function wyomingHealth(url: string, timeoutMs: number, fix: string): Promise<CheckOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const connection = await WyomingConnection.open(url, `wyoming ${url}`, signal);
    try {
      connection.send('describe');
      for (;;) {
        const event = await connection.next();
        if (event.type === 'info') return pass(`${url} answered describe with info`);
      }
    } finally {
      connection.close();
    }
  } catch (error) {
    return fail(signal.aborted ? `${url}: no info within ${timeoutMs} ms` : (error as Error).message, fix);
  }
}

/** A local engine is healthy when it runs: a short synthesis, or a transcription of silence. */
async function localHealth(name: string, run: (signal: AbortSignal) => Promise<unknown>, timeoutMs: number, fix: string): Promise<CheckOutcome> {
  try {
    await run(AbortSignal.timeout(timeoutMs));
    return pass(`${name} runs`);
  } catch (error) {
    return fail((error as Error).message, fix);
  }
}

const SILENCE_HALF_SECOND = new Int16Array(8_000);

function sttCheck(engine: SttEngineConfig, timeoutMs: number): DoctorCheck {
  const remove = 'or remove it from stt.engines';
  switch (engine.type) {
    case 'whisper-cpp':
      return { name: `stt whisper-cpp ${engine.url}`, run: () => httpHealth(engine.url, '/health', timeoutMs, `start whisper-server (systemctl status whisper-server) ${remove}`) };
    case 'openai':
      return { name: `stt openai ${engine.url}`, run: () => httpHealth(engine.url, '/v1/models', timeoutMs, `start the server or correct url and apiKey, ${remove}`, engine.apiKey) };
    case 'wyoming':
      return { name: `stt wyoming ${engine.url}`, run: () => wyomingHealth(engine.url, timeoutMs, `start the Wyoming server (e.g. wyoming-faster-whisper) ${remove}`) };
    case 'pocketsphinx':
      return {
        name: 'stt pocketsphinx',
        run: () => localHealth('pocketsphinx_continuous', (signal) => new PocketsphinxStt(engine.modelDir).transcribe(SILENCE_HALF_SECOND, { signal }), Math.max(timeoutMs, engine.timeoutMs), 'apt install pocketsphinx pocketsphinx-en-us'),
      };
  }
}

function ttsCheck(engine: TtsEngineConfig, timeoutMs: number): DoctorCheck {
  const remove = 'or remove it from tts.engines';
  switch (engine.type) {
    case 'outetts':
      return {
        name: `tts outetts ${engine.completionUrl} + ${engine.vocoderUrl}`,
        async run() {
          const fix = `start the two llama-servers (systemctl status outetts-llm outetts-vocoder) ${remove}`;
          const [completion, vocoder] = await Promise.all([httpHealth(engine.completionUrl, '/health', timeoutMs, fix), httpHealth(engine.vocoderUrl, '/health', timeoutMs, fix)]);
          if (!completion.ok) return completion;
          if (!vocoder.ok) return vocoder;
          const speaker = await readSpeakerProfile(engine.speakerFile).catch((error: Error) => error);
          if (speaker instanceof Error) return fail(speaker.message, 'run deploy/vm-vocal/install.sh again (it fetches en_male_1.json) or correct speakerFile');
          return pass(`${completion.detail}; ${vocoder.detail}; speaker ${engine.speakerFile} (${speaker.words.length} words)`);
        },
      };
    case 'openai':
      return { name: `tts openai ${engine.url}`, run: () => httpHealth(engine.url, '/v1/models', timeoutMs, `start the server or correct url and apiKey, ${remove}`, engine.apiKey) };
    case 'wyoming':
      return { name: `tts wyoming ${engine.url}`, run: () => wyomingHealth(engine.url, timeoutMs, `start the Wyoming server (e.g. wyoming-piper) ${remove}`) };
    case 'espeak-ng':
    case 'flite': {
      const tts = new CommandLineTts(engine.type, engine.voice);
      return { name: `tts ${engine.type}`, run: () => localHealth(engine.type, (signal) => collectAudio(tts.synthesize('ok', { signal })), Math.max(timeoutMs, engine.timeoutMs), `apt install ${engine.type}`) };
    }
    case 'say': {
      const tts = new SayTts({ sampleRateHz: engine.sampleRateHz, ...(engine.voice ? { voice: engine.voice } : {}), ...(engine.rateWpm ? { rateWpm: engine.rateWpm } : {}) });
      return { name: 'tts say', run: () => localHealth('say', (signal) => collectAudio(tts.synthesize('ok', { signal })), Math.max(timeoutMs, engine.timeoutMs), `say runs on macOS only; check the voice (say -v '?') ${remove}`) };
    }
  }
}

/** One check per STT and TTS engine, in chain order, one for Home Assistant's API when it is a dispatch stage, and one for the language model. */
export function engineChecks(config: HubConfig, timeoutMs: number): DoctorCheck[] {
  const llm = config.llm;
  const ha = config.homeAssistant;
  const haFix = 'check homeAssistant.url (HUGH_HA_URL) and homeAssistant.token (HUGH_HA_TOKEN: a long-lived access token, from your Home Assistant profile → Security); without it the next dispatch stage answers';
  const llmFix = `start ${llm.api === 'ollama' ? 'Ollama (ollama serve)' : 'the OpenAI-compatible server'} or set llm.url (--llm-url); without it only local intents are answered${config.convex.url ? ' when Convex is unreachable' : ''}`;
  return [
    ...config.stt.engines.map((engine) => sttCheck(engine, timeoutMs)),
    ...config.tts.engines.map((engine) => ttsCheck(engine, timeoutMs)),
    ...(ha.url && ha.token ? [{ name: `home assistant ${ha.url}`, run: () => httpHealth(ha.url!, '/api/', timeoutMs, haFix, ha.token) }] : []),
    { name: `llm ${llm.api} ${llm.url}`, run: () => httpHealth(llm.url, llm.api === 'ollama' ? '/api/tags' : '/v1/models', timeoutMs, llmFix, llm.apiKey) },
  ];
}
