import { describe, expect, it } from 'vitest';
import { WakeWordDetector } from '@hugh/satellite';
import { ScriptedEngine } from '../../testing/fake-engine.js';

const step = () => new Int16Array(1280).fill(1000);

describe('WakeWordDetector', () => {
  it('frames odd-sized chunks into engine steps and reports where in the stream it fired', async () => {
    const engine = new ScriptedEngine([0, 0, 0.9]);
    const detector = new WakeWordDetector([engine]);
    const found = [];
    const audio = new Int16Array(1280 * 3);
    for (let offset = 0; offset < audio.length; offset += 1000) found.push(...(await detector.push(audio.subarray(offset, offset + 1000))));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ keyword: 'hey_test', score: 0.9, endSample: 3840, engine: 'scripted' });
    expect(engine.resets).toBe(1);
  });

  it('fires once per refractory period', async () => {
    const detector = new WakeWordDetector([new ScriptedEngine([0.9, 0.9, 0.9, 0, 0, 0.9])], { refractoryMs: 300 });
    const hits = [];
    for (let i = 0; i < 6; i++) hits.push(...(await detector.push(step())));
    // Steps are 80 ms: 0 fires, 1-3 fall inside 300 ms, 5 (400 ms later) fires again.
    expect(hits.map((hit) => hit.endSample / 1280)).toEqual([1, 6]);
  });

  it('is deaf while suppressed (own chime) and needs a higher score while a reply plays', async () => {
    const detector = new WakeWordDetector([new ScriptedEngine([0.99, 0.7, 0.9])], { refractoryMs: 0, playbackThreshold: 0.8 });
    detector.suppressed = true;
    expect(await detector.push(step())).toEqual([]);
    detector.suppressed = false;
    detector.playing = true;
    expect(await detector.push(step())).toEqual([]);
    expect(await detector.push(step())).toHaveLength(1);
  });

  it('reports the level of the wake word audio in dBFS', async () => {
    const detector = new WakeWordDetector([new ScriptedEngine([0.9])]);
    const [hit] = await detector.push(new Int16Array(1280).fill(3277));
    expect(hit?.levelDbfs).toBeCloseTo(-20, 0);
  });
});
