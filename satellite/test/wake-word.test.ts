import { describe, expect, it, beforeAll } from 'vitest';
import { silentLogger } from '@hugh/common';
import { OpenWakeWordEngine, WakeWordDetector, createWakeEngine, detectInFile, keywordName } from '@hugh/satellite';
import { sharedPath } from '../../testing/shared.js';
import { VOICES, synthesize } from '../../testing/speech.js';

const MODELS = () => sharedPath('models/openwakeword');
const COMMANDS = ['what time is it', 'turn on the kitchen lights', 'set a timer for five minutes', 'what is the weather tomorrow'];
const NEGATIVE_PHRASES = ['what time is it', 'turn on the kitchen lights please', 'hey travis, how are you', 'the jar is on the shelf', 'hello there, good morning'];
const RECORDINGS = ['audio/jfk.wav', 'audio/welcome-3s.wav', 'audio/willow-10s.wav', 'audio/hello-world-22k.wav', 'audio/speech-60s.wav'];

describe('openWakeWord "hey jarvis" on the real models (../shared/models/openwakeword)', () => {
  let engine: OpenWakeWordEngine;
  beforeAll(async () => {
    engine = await OpenWakeWordEngine.load(MODELS(), [{ model: 'hey_jarvis_v0.1.onnx', threshold: 0.5 }]);
  });

  async function bestScore(file: string): Promise<number> {
    engine.reset();
    const detector = new WakeWordDetector([engine]);
    const found = await detectInFile(detector, file);
    return Math.max(0, ...found.map((hit) => hit.score));
  }

  it.each(VOICES.map((voice, index) => [`${voice.tool} ${voice.voice}`, voice, COMMANDS[index % COMMANDS.length]!] as const))(
    'detects "hey jarvis, %s"',
    async (_name, voice, command) => {
      expect(await bestScore(synthesize(`hey jarvis, ${command}`, voice))).toBeGreaterThanOrEqual(0.5);
    },
  );

  it.each(
    NEGATIVE_PHRASES.flatMap((phrase, index) => {
      const voice = VOICES[(index * 3) % VOICES.length]!;
      return [[`"${phrase}" (${voice.tool} ${voice.voice})`, () => synthesize(phrase, voice)] as const];
    }),
  )('stays quiet on %s', async (_name, make) => {
    expect(await bestScore(make())).toBe(0);
  });

  it.each(RECORDINGS)('stays quiet on the human recording %s', async (recording) => {
    expect(await bestScore(sharedPath(recording))).toBe(0);
  });

  it('names keywords after their model file', () => {
    expect(keywordName('hey_jarvis_v0.1.onnx')).toBe('hey_jarvis');
    expect(keywordName('/models/hey_hugh.onnx')).toBe('hey_hugh');
  });

  it('a missing model is a start-up error naming the file', async () => {
    await expect(OpenWakeWordEngine.load(MODELS(), [{ model: 'hey_nobody.onnx' }])).rejects.toThrow(/hey_nobody\.onnx is missing or unreadable/);
  });
});

describe('Porcupine without a usable AccessKey', () => {
  it.each([
    ['a malformed key', 'not-a-key'],
    ['an unknown key', Buffer.alloc(42, 7).toString('base64')],
  ])('%s: says why plainly and runs on openWakeWord', async (_name, accessKey) => {
    const messages: string[] = [];
    const logger = silentLogger();
    logger.error = ((message: unknown, text?: string) => void messages.push(String(text ?? message))) as typeof logger.error;
    const engine = await createWakeEngine({ modelsDir: MODELS(), keywords: [{ model: 'hey_jarvis_v0.1.onnx' }], porcupine: { accessKey, keywords: ['jarvis'], sensitivity: 0.5 } }, logger);
    expect(engine.name).toBe('openwakeword');
    expect(messages.join('\n')).not.toContain(accessKey);
    expect(messages.join('\n')).toMatch(/Porcupine could not start \(Porcupine\w*Error\): .+ — continuing with openWakeWord \(hey_jarvis\)/);
    const detector = new WakeWordDetector([engine]);
    const hits = await detectInFile(detector, synthesize('hey jarvis, what time is it', VOICES[0]!));
    expect(hits[0]?.keyword).toBe('hey_jarvis');
    await engine.close();
  });

  it('an unknown built-in keyword is a config error, not a silent fallback', async () => {
    await expect(
      createWakeEngine({ modelsDir: MODELS(), keywords: [{ model: 'hey_jarvis_v0.1.onnx' }], porcupine: { accessKey: 'x', keywords: ['hey hugh'], sensitivity: 0.5 } }, silentLogger()),
    ).rejects.toThrow(/neither a \.ppn file nor a built-in keyword/);
  });
});
