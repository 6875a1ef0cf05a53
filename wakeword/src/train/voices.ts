import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Rng } from './rng.js';

const run = promisify(execFile);

/** A synthetic speaker: a synthesiser's voice, for espeak-ng optionally with a variant (`en-US+f3`). */
export interface Voice {
  tool: 'espeak-ng' | 'flite';
  voice: string;
  variant?: string;
}

export function voiceId(voice: Voice): string {
  return `${voice.tool}:${voice.voice}${voice.variant ? `+${voice.variant}` : ''}`;
}

/** `espeak-ng:en-US+f3` / `flite:slt` → a Voice. */
export function parseVoiceId(id: string): Voice {
  const [tool, name = ''] = id.split(':');
  if (tool !== 'espeak-ng' && tool !== 'flite') throw new Error(`voice ${id}: expected espeak-ng:NAME[+VARIANT] or flite:NAME`);
  const [voice = '', variant] = name.split('+');
  return { tool, voice, ...(variant ? { variant } : {}) };
}

/** flite voices that speak anything (awb_time only says the time). */
const FLITE_LIMITED = new Set(['awb_time']);
/** flite voices of one speaker: held out together. */
const FLITE_SPEAKER: Record<string, string> = { kal16: 'kal' };

/** What the local synthesisers offer: espeak-ng's English voices and its variants, flite's voices. */
export interface VoiceInventory {
  espeakVoices: string[];
  espeakVariants: string[];
  fliteVoices: string[];
}

/** File column of `espeak-ng --voices=…` lines (`gmw/en-US`, `!v/f3`) in folders `voices` or `variants`: its last part. */
function espeakFiles(listing: string, kind: 'voices' | 'variants'): string[] {
  return listing
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 5 && fields[4]!.startsWith('!v/') === (kind === 'variants'))
    .map((fields) => fields[4]!.split('/').at(-1)!)
    .filter((name) => /^[A-Za-z0-9_-]+$/.test(name));
}

/** Whether `tool` can say a word with this voice (mbrola voices are listed even without their data). */
async function speaks(args: string[], tool: string): Promise<boolean> {
  try {
    const { stdout } = await run(tool, args, { encoding: 'buffer', maxBuffer: 8 << 20 });
    return tool === 'flite' || stdout.length > 1000;
  } catch {
    return false;
  }
}

/** Asks the installed synthesisers which voices they have and keeps those that work. */
export async function discoverVoices(): Promise<VoiceInventory> {
  const inventory: VoiceInventory = { espeakVoices: [], espeakVariants: [], fliteVoices: [] };
  try {
    const voices = espeakFiles((await run('espeak-ng', ['--voices=en'])).stdout, 'voices');
    const working = await Promise.all([...new Set(voices)].map(async (voice) => ((await speaks(['-v', voice, '--stdout', 'hey'], 'espeak-ng')) ? voice : undefined)));
    inventory.espeakVoices = working.filter((voice): voice is string => voice !== undefined).sort();
    inventory.espeakVariants = [...new Set(espeakFiles((await run('espeak-ng', ['--voices=variant'])).stdout, 'variants'))].sort();
  } catch {
    // No espeak-ng: flite alone.
  }
  try {
    const { stdout } = await run('flite', ['-lv']);
    const names = stdout.replace(/^.*:/, '').trim().split(/\s+/).filter((name) => name && !FLITE_LIMITED.has(name));
    // flite cannot write to a pipe; `-o none` synthesises and discards, and fails for an unknown voice.
    const working = await Promise.all(names.map(async (voice) => ((await speaks(['-voice', voice, '-t', 'hey', '-o', 'none'], 'flite')) ? voice : undefined)));
    inventory.fliteVoices = working.filter((voice): voice is string => voice !== undefined).sort();
  } catch {
    // No flite.
  }
  return inventory;
}

export interface VoiceSplit {
  train: Voice[];
  heldOut: Voice[];
}

/**
 * Splits speakers so that no evaluation voice shares anything with training: an espeak-ng voice
 * is held out with its base voice AND its variant both held out (or no variant), training uses
 * neither; flite speakers (kal and kal16 are one) are held out whole.
 */
export function splitVoices(inventory: VoiceInventory, rng: Rng, fraction = { espeakVoices: 0.25, espeakVariants: 0.2, fliteSpeakers: 0.25 }): VoiceSplit {
  const take = (items: string[], share: number) => rng.shuffle(items).slice(0, items.length > 1 ? Math.max(1, Math.round(items.length * share)) : 0);
  const heldBases = new Set(take(inventory.espeakVoices, fraction.espeakVoices));
  const heldVariants = new Set(take(inventory.espeakVariants, fraction.espeakVariants));
  const speakers = [...new Set(inventory.fliteVoices.map((voice) => FLITE_SPEAKER[voice] ?? voice))].sort();
  const heldSpeakers = new Set(take(speakers, fraction.fliteSpeakers));
  const train: Voice[] = [];
  const heldOut: Voice[] = [];
  for (const voice of inventory.espeakVoices) {
    for (const variant of [undefined, ...inventory.espeakVariants]) {
      const entry: Voice = { tool: 'espeak-ng', voice, ...(variant ? { variant } : {}) };
      const variantHeld = variant === undefined || heldVariants.has(variant);
      if (heldBases.has(voice) && variantHeld) heldOut.push(entry);
      else if (!heldBases.has(voice) && !(variant && heldVariants.has(variant))) train.push(entry);
    }
  }
  for (const voice of inventory.fliteVoices) (heldSpeakers.has(FLITE_SPEAKER[voice] ?? voice) ? heldOut : train).push({ tool: 'flite', voice });
  return { train, heldOut };
}
