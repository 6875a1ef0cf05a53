import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

/**
 * GPU engines modelled over their real wire formats, for benchmarks and end-to-end tests: what a
 * whisper.cpp server, an Ollama server and an OpenAI-compatible TTS server answer, at stated
 * latencies. Not a model of any model: transcripts come from a script the caller sets.
 */
export interface EngineLatencies {
  /** STT: fixed time plus time per second of audio. */
  sttBaseMs: number;
  sttMsPerAudioS: number;
  /** LLM: time to the first token, then tokens per second. */
  llmFirstTokenMs: number;
  llmTokensPerS: number;
  /** TTS: time to the first audio, then audio made at this many times real time. */
  ttsFirstAudioMs: number;
  ttsRealtimeFactor: number;
}

/** The GPU-like figures (#15): STT 120 ms + 25 ms/s, LLM 250 ms then 40 tokens/s, TTS 120 ms then 3× real time. */
export const GPU_LATENCIES: EngineLatencies = { sttBaseMs: 120, sttMsPerAudioS: 25, llmFirstTokenMs: 250, llmTokensPerS: 40, ttsFirstAudioMs: 120, ttsRealtimeFactor: 3 };

/** What the "speaker" says in the audio the hub will send: words with where each phrase ends in that audio. */
export interface SpokenScript {
  segments: { text: string; endS: number }[];
  /** The words of the final transcript when the audio covers all of it (defaults to the segments joined). */
  finalText?: string;
}

/** Seconds of speech in TTS audio per word (about 170 words a minute). */
const SECONDS_PER_WORD = 0.35;
const TTS_RATE_HZ = 24_000;

function wavSeconds(body: Buffer): number {
  const data = body.indexOf('data');
  if (data < 0) return 0;
  const rate = body.readUInt32LE(body.indexOf('fmt ') + 12);
  return (body.length - data - 8) / 2 / rate;
}

/** The WAV file inside a multipart body (whisper.cpp's `file` field). */
function uploadedWav(body: Buffer): Buffer {
  const start = body.indexOf('RIFF');
  return start < 0 ? Buffer.alloc(0) : body.subarray(start);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `port`: listen there (0, the default: any free port), so that a server "killed" by `close()` can come back at the same address. */
export async function startModelledEngines(latencies: EngineLatencies = GPU_LATENCIES, options: { port?: number } = {}) {
  let script: SpokenScript = { segments: [] };
  /** The LLM stalls: it takes the request and sends its headers, then no token until the client gives up. */
  let llmStalled = false;
  const answers = new Map<string, string>();
  const counts = { stt: 0, llm: 0, tts: 0 };
  const open = new Set<ServerResponse>();

  /** The transcript of audio that covers `coveredS` seconds: the phrases that have ended by then. */
  const transcriptOf = (coveredS: number) => {
    const said = script.segments.filter((segment) => segment.endS <= coveredS + 0.03);
    if (said.length === script.segments.length && script.finalText) return script.finalText;
    return said.map((segment) => segment.text).join(' ');
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    open.add(response);
    response.on('close', () => open.delete(response));
    const gone = () => response.destroyed || response.writableEnded;
    if (request.url === '/inference') {
      counts.stt++;
      const seconds = wavSeconds(uploadedWav(body));
      await sleep(latencies.sttBaseMs + latencies.sttMsPerAudioS * seconds);
      if (!gone()) response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ text: ` ${transcriptOf(seconds)}` }));
      return;
    }
    if (request.url === '/api/chat') {
      counts.llm++;
      const { messages } = JSON.parse(body.toString()) as { messages: { content: string }[] };
      const question = messages.at(-1)?.content ?? '';
      const answer = answers.get(question.toLowerCase()) ?? 'I think the answer is simple, and I will keep it short. That is all there is to it.';
      response.writeHead(200, { 'content-type': 'application/x-ndjson' });
      if (llmStalled) return;
      await sleep(latencies.llmFirstTokenMs);
      // A token is about a word here; each written as the model would stream it.
      for (const token of answer.match(/\S+\s*/g) ?? []) {
        if (gone()) return;
        response.write(`${JSON.stringify({ model: 'modelled', message: { role: 'assistant', content: token }, done: false })}\n`);
        await sleep(1000 / latencies.llmTokensPerS);
      }
      if (!gone()) response.end(`${JSON.stringify({ model: 'modelled', message: { role: 'assistant', content: '' }, done: true })}\n`);
      return;
    }
    if (request.url === '/v1/audio/speech') {
      counts.tts++;
      const { input, response_format: format } = JSON.parse(body.toString()) as { input: string; response_format: string };
      const audioS = Math.max(0.3, (input.match(/\S+/g)?.length ?? 1) * SECONDS_PER_WORD);
      const samples = Math.round(audioS * TTS_RATE_HZ);
      const tone = Buffer.alloc(samples * 2);
      for (let i = 0; i < samples; i++) tone.writeInt16LE(Math.round(Math.sin(i / 9) * 6_000), 2 * i);
      await sleep(latencies.ttsFirstAudioMs);
      if (format === 'wav') {
        // The whole file once it is all made.
        await sleep(((audioS * 1000) / latencies.ttsRealtimeFactor) - 0);
        if (gone()) return;
        const header = Buffer.alloc(44);
        header.write('RIFF', 0);
        header.writeUInt32LE(36 + tone.length, 4);
        header.write('WAVEfmt ', 8);
        header.writeUInt32LE(16, 16);
        header.writeUInt16LE(1, 20);
        header.writeUInt16LE(1, 22);
        header.writeUInt32LE(TTS_RATE_HZ, 24);
        header.writeUInt32LE(TTS_RATE_HZ * 2, 28);
        header.writeUInt16LE(2, 32);
        header.writeUInt16LE(16, 34);
        header.write('data', 36);
        header.writeUInt32LE(tone.length, 40);
        response.writeHead(200, { 'content-type': 'audio/wav' }).end(Buffer.concat([header, tone]));
        return;
      }
      // pcm: each 40 ms of audio as soon as it is made.
      response.writeHead(200, { 'content-type': 'audio/pcm' });
      const step = Math.round(0.04 * TTS_RATE_HZ) * 2;
      for (let offset = 0; offset < tone.length; offset += step) {
        if (gone()) return;
        response.write(tone.subarray(offset, offset + step));
        await sleep(40 / latencies.ttsRealtimeFactor);
      }
      if (!gone()) response.end();
      return;
    }
    response.writeHead(404).end();
  };

  const server = createServer((request, response) => void handle(request, response).catch(() => response.destroy()));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    counts,
    /** What the next clip says, so that STT answers what was said in the audio it is given. */
    setScript(next: SpokenScript) {
      script = next;
    },
    /** While stalled, /api/chat answers with headers and then silence (a model wedged on its GPU). */
    setLlmStalled(stalled: boolean) {
      llmStalled = stalled;
    },
    /** The LLM's answer to a question (lower case). */
    setAnswer(question: string, answer: string) {
      answers.set(question.toLowerCase(), answer);
    },
    async close() {
      for (const response of open) response.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
