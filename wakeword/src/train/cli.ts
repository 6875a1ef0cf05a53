import { parseArgs } from 'node:util';
import { HughError } from '@hugh/protocol';
import { defaultModelsDir } from '../geometry.js';
import { FULL_SIZES, SMALL_SIZES } from './plan.js';
import { formatReport } from './report.js';
import { trainWakeWord } from './train.js';
import { parseVoiceId } from './voices.js';

export const WAKE_WORD_USAGE = `hugh-hub wake-word train "PHRASE" [options]   make a wake word model from synthetic voices, offline

  --out DIR          where <keyword>.trained.json and <keyword>.report.json go (default: the models folder)
  --models-dir DIR   openWakeWord's melspectrogram.onnx, embedding_model.onnx (and hey_jarvis_v0.1.onnx
                     for the CPU comparison); default $HUGH_MODELS_DIR or ${defaultModelsDir()}
  --speech PATH      real speech recordings (WAV files or folders; repeat the flag): negatives, and the
                     longest one held out for the false-accept test
  --eval-speech PATH real speech for the false-accept test only (then every --speech recording trains)
  --seed N           the run's seed (default 1): the same seed and inputs make the same model
  --size full|small  full (default, under 30 min on 2 cores) or small (a quick check)
  --voices LIST      training voices instead of every local one (espeak-ng:en-US+f3,flite:kal16,…)
  --held-out LIST    the evaluation voices (with --voices)
  --threads N        synthesisers running at once (default: the cores)`;

function integer(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new HughError('HUGH_ERR_CONFIG_INVALID', `--${flag}: expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
  return Number(value);
}

function voiceList(value: string, flag: string) {
  try {
    return value.split(',').filter(Boolean).map(parseVoiceId);
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `--${flag}: ${(error as Error).message}`);
  }
}

/** `hugh-hub wake-word …`: parses its own flags, trains, prints the report. */
export async function wakeWordCommand(argv: string[], out: (text: string) => void = (text) => process.stdout.write(`${text}\n`)): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: 'string' },
        'models-dir': { type: 'string' },
        speech: { type: 'string', multiple: true },
        'eval-speech': { type: 'string', multiple: true },
        seed: { type: 'string' },
        size: { type: 'string' },
        voices: { type: 'string' },
        'held-out': { type: 'string' },
        threads: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake-word: ${(error as Error).message}\n${WAKE_WORD_USAGE}`);
  }
  const values = parsed.values as Record<string, string | string[] | boolean | undefined>;
  const [action, phrase, ...rest] = parsed.positionals;
  if (values.help) return out(WAKE_WORD_USAGE);
  if (action !== 'train' || !phrase || rest.length > 0) throw new HughError('HUGH_ERR_CONFIG_INVALID', `wake-word: expected train "PHRASE"\n${WAKE_WORD_USAGE}`);
  const size = (values.size as string | undefined) ?? 'full';
  if (size !== 'full' && size !== 'small') throw new HughError('HUGH_ERR_CONFIG_INVALID', `--size: expected full or small, got ${JSON.stringify(size)}`);
  if ((values.voices === undefined) !== (values['held-out'] === undefined)) throw new HughError('HUGH_ERR_CONFIG_INVALID', '--voices and --held-out go together');
  const modelsDir = (values['models-dir'] as string | undefined) ?? process.env.HUGH_MODELS_DIR ?? defaultModelsDir();
  const seed = integer(values.seed as string | undefined, 'seed', 0);
  const threads = integer(values.threads as string | undefined, 'threads', 1);
  const result = await trainWakeWord({
    phrase,
    outDir: (values.out as string | undefined) ?? modelsDir,
    modelsDir,
    speech: (values.speech as string[] | undefined) ?? [],
    evalSpeech: (values['eval-speech'] as string[] | undefined) ?? [],
    ...(seed !== undefined ? { seed } : {}),
    ...(threads !== undefined ? { threads } : {}),
    sizes: size === 'small' ? SMALL_SIZES : FULL_SIZES,
    ...(values.voices ? { voices: { train: voiceList(values.voices as string, 'voices'), heldOut: voiceList(values['held-out'] as string, 'held-out') } } : {}),
    log: (line) => process.stderr.write(`wake-word: ${line}\n`),
  });
  out(formatReport(result.report));
  out(`model: ${result.modelPath}`);
  out(`report: ${result.reportPath}`);
}
