import { appendFileSync, copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultDataPath, modelFileProblem, modelFiles } from '@hugh/common';
import { sharedPath } from '../../testing/shared.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('models', () => {
  it('the hub loads Silero VAD and the satellite the openWakeWord models', () => {
    expect(modelFiles('hub').map((file) => file.path)).toEqual(['silero_vad_v5.onnx']);
    expect(modelFiles('satellite').map((file) => file.path)).toContain('openwakeword/hey_jarvis_v0.1.onnx');
  });

  it('a model file is fine when its sha256 is the tested one, and named when missing or different', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-models-'));
    const file = join(dir, 'hey_jarvis_v0.1.onnx');
    expect(modelFileProblem(file)).toBe(`${file} is missing`);
    copyFileSync(sharedPath('models/openwakeword/hey_jarvis_v0.1.onnx'), file);
    expect(modelFileProblem(file)).toBeUndefined();
    appendFileSync(file, 'x');
    expect(modelFileProblem(file)).toMatch(new RegExp(`^${file} has sha256 [0-9a-f]{16}…, not the tested 94a13cfe60075b13…$`));
  });

  it('a model the table does not know only has to be there', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hugh-models-')), 'my_own_keyword.onnx');
    copyFileSync(sharedPath('models/openwakeword/alexa_v0.1.onnx'), file);
    expect(modelFileProblem(file)).toBeUndefined();
  });

  it('a checkout keeps its models and state in its own .cache (only /opt/hugh uses /var/lib/hugh)', () => {
    expect(defaultDataPath('models', 'silero_vad_v5.onnx')).toBe(join(root, '.cache/models/silero_vad_v5.onnx'));
    expect(defaultDataPath('state')).toBe(join(root, '.cache/state'));
  });
});
