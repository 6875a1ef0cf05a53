import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parsePlist } from 'plist';
import { describe, expect, it } from 'vitest';
import { loadHubConfig } from '@hugh/hub';
import { hubEndpoints, loadSatelliteConfig } from '@hugh/satellite';
import { parseEnvironmentFile, parseServiceUnit } from '../deploy/test/units.js';

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

  it('the MacBook hub config is a valid hub config: whisper.cpp then pocketsphinx, say then espeak-ng, the local Ollama, no Convex', () => {
    const { config } = loadHubConfig(['--config', `${root}deploy/macos/hub.macos.yaml`], {});
    expect(config.stt.engines.map((engine) => engine.type)).toEqual(['whisper-cpp', 'pocketsphinx']);
    expect(config.tts.engines).toEqual([{ type: 'say', voice: 'Samantha', sampleRateHz: 22_050, timeoutMs: 8_000 }, { type: 'espeak-ng', timeoutMs: 5_000 }]);
    expect(config.llm).toMatchObject({ api: 'ollama', url: 'http://127.0.0.1:11434', model: 'llama3.1:8b' });
    expect(config.convex.url).toBeUndefined();
  });

  it("the MacBook's satellite lists VM_Vocal first and its own hub second, with that hub's password", () => {
    const { config } = loadSatelliteConfig(['--config', `${root}deploy/macos/satellite.macos.yaml`], { HUGH_SATELLITE_PASSWORD: 'for-vm-vocal' });
    expect(hubEndpoints(config)).toEqual([
      { url: 'mqtt://vm-vocal.lan:1883', username: 'macbook', password: 'for-vm-vocal' },
      { url: 'ws://127.0.0.1:8750', username: 'macbook', password: 'CHANGE-ME' },
    ]);
  });

  it.each([
    ['com.hugh.hub.plist', ['/opt/homebrew/bin/node', '/Users/YOU/hugh/hub/bin/hugh-hub.js', '--config', '/Users/YOU/.config/hugh/hub.yaml']],
    ['com.hugh.satellite.plist', ['/opt/homebrew/bin/node', '/Users/YOU/hugh/satellite/bin/hugh-satellite.js', '--config', '/Users/YOU/.config/hugh/satellite.yaml']],
    ['com.hugh.whisper-server.plist', ['/opt/homebrew/bin/whisper-server', '--model', '/Users/YOU/hugh/models/ggml-base.en.bin', '--host', '127.0.0.1', '--port', '8080']],
  ])('deploy/macos/%s is a launch agent that runs its program at login and keeps it alive', (file, program) => {
    const agent = parsePlist(readFileSync(`${root}deploy/macos/${file}`, 'utf8')) as Record<string, unknown>;
    expect(agent).toMatchObject({ Label: file.replace(/\.plist$/, ''), ProgramArguments: program, RunAtLoad: true, KeepAlive: true });
  });

  it.each([
    ['deploy/vm-vocal/hugh-hub.service', 'hub/bin/hugh-hub.js', ['/etc/hugh/hub.env']],
    ['deploy/pi/hugh-satellite.service', 'satellite/bin/hugh-satellite.js', ['/etc/hugh/satellite.env']],
    ['deploy/vm-llm/hugh-worker.service', 'worker/bin/hugh-worker.js', ['/etc/hugh/worker.env']],
  ])('%s runs node on the installed program as hugh, in its home, with its environment file', (file, program, envFiles) => {
    const unit = parseServiceUnit(readFileSync(`${root}${file}`, 'utf8'));
    expect(unit).toMatchObject({ execStart: ['/usr/bin/node', `/opt/hugh/${program}`], user: 'hugh', group: 'hugh', workingDirectory: '/var/lib/hugh' });
    expect(unit.environmentFiles.map((entry) => entry.path)).toEqual(envFiles);
  });

  it('the env file examples hold no value yet but the worker\'s placeholders', () => {
    expect(parseEnvironmentFile(readFileSync(`${root}deploy/pi/satellite.env.example`, 'utf8'))).toEqual({});
    expect(parseEnvironmentFile(readFileSync(`${root}deploy/vm-vocal/hub.env.example`, 'utf8'))).toEqual({});
    expect(parseEnvironmentFile(readFileSync(`${root}deploy/vm-llm/worker.env.example`, 'utf8'))).toMatchObject({ HUGH_CONVEX_SECRET: 'change-me-to-a-long-random-string', HUGH_LLM_API: 'ollama' });
  });

  it('every deploy folder has a README', () => {
    for (const entry of readdirSync(`${root}deploy`, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      expect(readdirSync(`${root}deploy/${entry.name}`)).toContain('README.md');
    }
  });

  it('fetch_checked (the OuteTTS speaker download) installs a file only when its sha256 matches, and keeps what was there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hugh-fetch-'));
    const source = join(dir, 'en_male_1.json');
    const dest = join(dir, 'installed.json');
    writeFileSync(source, '{"text": "hi", "words": []}');
    const sha = createHash('sha256').update(readFileSync(source)).digest('hex');
    const fetchChecked = (checksum: string, url = `file://${source}`) => spawnSync('bash', ['-c', 'source "$1" && fetch_checked "$2" "$3" "$4"', 'test', `${root}deploy/lib.sh`, url, checksum, dest], { encoding: 'utf8' });

    expect(fetchChecked(sha)).toMatchObject({ status: 0, stdout: expect.stringContaining(`installed ${dest}`) });
    expect(readFileSync(dest, 'utf8')).toBe(readFileSync(source, 'utf8'));
    expect(fetchChecked(sha).stdout).toContain(`kept ${dest} (sha256 matches)`);
    writeFileSync(dest, 'what the admin had');
    const refused = fetchChecked('0'.repeat(64));
    expect(refused).toMatchObject({ status: 1, stderr: expect.stringContaining('sha256 is not 0000') });
    expect(readFileSync(dest, 'utf8')).toBe('what the admin had');
    expect(fetchChecked(sha, `file://${dir}/missing.json`)).toMatchObject({ status: 1, stderr: expect.stringContaining('could not download') });
    expect(readFileSync(dest, 'utf8')).toBe('what the admin had');
    expect(readdirSync(dir).sort(), 'no temporary file left').toEqual(['en_male_1.json', 'installed.json']);
  });
});
