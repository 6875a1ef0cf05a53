import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '@hugh/hub';
import { loadSatelliteConfig } from '@hugh/satellite';

const root = fileURLToPath(new URL('../', import.meta.url));

describe('deploy files', () => {
  const scripts = ['deploy/lib.sh', 'deploy/pi/install.sh', 'deploy/vm-vocal/install.sh', 'deploy/vm-llm/install.sh', 'scripts/setup.sh', 'scripts/start.sh', 'scripts/test.sh', '.ci/run'];
  it.each(scripts)('%s parses as bash', (script) => {
    expect(() => execFileSync('bash', ['-n', `${root}${script}`])).not.toThrow();
  });

  it('the Pi example config is a valid satellite config', () => {
    const { config } = loadSatelliteConfig(['--config', `${root}deploy/pi/satellite.example.yaml`], {});
    expect(config.id).toBe('kitchen');
    expect(config.wake.keywords).toEqual([{ model: 'hey_jarvis_v0.1.onnx', threshold: 0.5 }]);
  });

  it('the VM_Vocal example config is a valid hub config with the GPU engines first', () => {
    const { config } = loadHubConfig(['--config', `${root}deploy/vm-vocal/hub.example.yaml`], {});
    expect(config.stt.engines.map((engine) => engine.type)).toEqual(['whisper-cpp', 'pocketsphinx']);
    expect(config.tts.engines.map((engine) => engine.type)).toEqual(['outetts', 'espeak-ng']);
  });

  it('every deploy folder has a README', () => {
    for (const entry of readdirSync(`${root}deploy`, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'macos') continue;
      expect(readdirSync(`${root}deploy/${entry.name}`)).toContain('README.md');
    }
  });
});
