import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { HughError } from '@hugh/protocol';

/** One setting reachable from the command line and the environment, as well as the config file. */
export interface OptionSpec {
  /** Long flag without dashes, e.g. `mqtt-port`. */
  flag: string;
  /** Environment variable, e.g. `HUGH_MQTT_PORT`. */
  env?: string;
  /** Dotted path in the config object, e.g. `mqtt.port`. */
  path: string;
  type: 'string' | 'int' | 'boolean';
  description: string;
}

export interface LoadedConfig<T> {
  config: T;
  /** Things worth a log line at start (a config file holding secrets that others can read). */
  warnings: string[];
  /** Positional arguments (e.g. a subcommand). */
  positionals: string[];
  help: boolean;
  configFile?: string;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  keys.slice(0, -1).forEach((key, index) => {
    // A numeric key addresses an array element ("models.0.url").
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = /^\d+$/.test(keys[index + 1]!) ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  node[keys[keys.length - 1] as string] = value;
}

function convert(spec: OptionSpec, raw: string | boolean, source: string): unknown {
  if (spec.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `${spec.path} (from ${source}): expected true or false, got ${JSON.stringify(raw)}`);
  }
  if (spec.type === 'int') {
    const text = String(raw).trim();
    if (!/^-?\d+$/.test(text)) {
      throw new HughError('HUGH_ERR_CONFIG_INVALID', `${spec.path} (from ${source}): expected an integer, got ${JSON.stringify(raw)}`);
    }
    return Number(text);
  }
  return String(raw);
}

const SECRET_KEY = /^(password|secret|apiKey|accessKey|token)$/i;

/** Dotted paths of non-empty secret-looking values in a parsed config file. */
export function secretPaths(value: unknown, path = ''): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const here = path ? `${path}.${key}` : key;
    if (SECRET_KEY.test(key) && typeof child === 'string' && child !== '') return [here];
    return secretPaths(child, here);
  });
}

/** A warning when a file holding secrets can be read by other users or written by anyone but its owner. */
function permissionWarning(file: string, raw: Record<string, unknown>): string | undefined {
  const secrets = secretPaths(raw);
  if (secrets.length === 0) return undefined;
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o004) === 0 && (mode & 0o022) === 0) return undefined;
  return `config file ${file} holds secrets (${secrets.join(', ')}) but its mode is ${(mode & 0o777).toString(8)}: run chmod 640 (or 600) on it, or move the secrets to environment variables`;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `config file ${file} cannot be read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `config file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `config file ${file} must hold a mapping of settings`);
  }
  return value as Record<string, unknown>;
}

/**
 * Builds a config from, lowest to highest precedence: the schema's defaults, the config file
 * (`--config FILE` or the `configEnv` variable; YAML, or JSON by extension), environment
 * variables, then flags. Every error names the field, what was expected and where the value came from.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  options: { argv: string[]; env: NodeJS.ProcessEnv; specs: OptionSpec[]; configEnv: string },
): LoadedConfig<z.infer<S>> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: options.argv,
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(options.specs.map((spec) => [spec.flag, { type: spec.type === 'boolean' ? 'boolean' : 'string' } as const])),
      },
    });
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `${(error as Error).message} (see --help)`);
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const configFile = (values.config as string | undefined) ?? options.env[options.configEnv];
  const raw: Record<string, unknown> = configFile ? readConfigFile(configFile) : {};
  // Before env and flags are merged in: only what the file itself holds counts.
  const warning = configFile ? permissionWarning(configFile, raw) : undefined;
  const sources = new Map<string, string>();

  for (const spec of options.specs) {
    const fromEnv = spec.env ? options.env[spec.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      setPath(raw, spec.path, convert(spec, fromEnv, `env ${spec.env}`));
      sources.set(spec.path, `env ${spec.env}`);
    }
    const fromFlag = values[spec.flag];
    if (fromFlag !== undefined) {
      setPath(raw, spec.path, convert(spec, fromFlag, `flag --${spec.flag}`));
      sources.set(spec.path, `flag --${spec.flag}`);
    }
  }

  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const path = issue.path.join('.') || '(root)';
      // A list entry (`hub.1`) came from where its list did.
      const source = sources.get(path) ?? [...sources].find(([parent]) => path.startsWith(`${parent}.`))?.[1] ?? (configFile ? `config file ${configFile}` : 'defaults');
      return `${path} (from ${source}): ${issue.message}`;
    });
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `invalid configuration: ${lines.join('; ')}`);
  }
  return { config: result.data, warnings: warning ? [warning] : [], positionals: parsed.positionals, help: values.help === true, ...(configFile ? { configFile } : {}) };
}

/** `--help` text generated from the option table, so the help and the parser cannot disagree. */
export function formatHelp(usage: string, specs: OptionSpec[], configEnv: string): string {
  const rows = [
    ['--config FILE', configEnv, 'config file, YAML or JSON'],
    ...specs.map((spec) => [`--${spec.flag}${spec.type === 'boolean' ? '' : ` ${spec.type === 'int' ? 'N' : 'VALUE'}`}`, spec.env ?? '', `${spec.description} [${spec.path}]`]),
    ['-h, --help', '', 'this text'],
  ];
  const width0 = Math.max(...rows.map((row) => row[0]!.length));
  const width1 = Math.max(...rows.map((row) => row[1]!.length));
  return `${usage}\n\nOptions (flag, environment variable, meaning [config file key]):\n${rows
    .map(([flag, env, text]) => `  ${flag!.padEnd(width0)}  ${env!.padEnd(width1)}  ${text}`)
    .join('\n')}\n`;
}
