import { spawn } from 'node:child_process';
import { HughError } from '@hugh/protocol';
import { SAMPLE_RATE_HZ } from '../geometry.js';
import type { Room } from './plan.js';
import type { Rng } from './rng.js';

const RAW = ['-t', 'raw', '-r', String(SAMPLE_RATE_HZ), '-e', 'signed', '-b', '16', '-c', '1'];

/** sox's effect arguments for a room; empty when there is nothing to do. */
export function soxEffects(room: Room): string[] {
  const effects: string[] = [];
  if (room.tempo !== 1) effects.push('tempo', '-s', room.tempo.toFixed(3));
  if (room.pitchCents !== 0) effects.push('pitch', String(room.pitchCents));
  for (const band of room.eq) effects.push('equalizer', String(band.frequencyHz), `${band.q.toFixed(2)}q`, band.gainDb.toFixed(1));
  if (room.reverb) {
    const { reverberance, hfDamping, roomScale, preDelayMs } = room.reverb;
    effects.push('reverb', reverberance.toFixed(0), hfDamping.toFixed(0), roomScale.toFixed(0), '100', preDelayMs.toFixed(0));
  }
  return effects;
}

/**
 * Runs float audio (±1) through sox's effects: raw s16 in and out, no dither and repeatable
 * (`-D -R`), so the same plan gives the same bytes. Input is scaled to a -12 dBFS peak first
 * and scaled back, so that reverb and EQ have headroom.
 */
export async function applyRoom(audio: Float32Array, room: Room): Promise<Float32Array> {
  const effects = soxEffects(room);
  if (effects.length === 0) return audio;
  let peak = 1e-9;
  for (const sample of audio) peak = Math.max(peak, Math.abs(sample));
  const scale = (0.25 * 32_767) / peak;
  const input = Buffer.alloc(audio.length * 2);
  for (let i = 0; i < audio.length; i++) input.writeInt16LE(Math.round((audio[i] as number) * scale), i * 2);
  const output = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('sox', ['-D', '-R', '-V1', ...RAW, '-', ...RAW, '-', ...effects], { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-1000)));
    child.once('error', (error) => reject(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `sox could not start: ${error.message}`)));
    child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new HughError('HUGH_ERR_ENGINE_UNAVAILABLE', `sox ${effects.join(' ')} failed (${code}): ${stderr.trim()}`))));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
  // Reverb adds a tail; tempo changes the length. Speech keeps its place; the tail is cut.
  const length = room.tempo !== 1 ? Math.floor(output.length / 2) : Math.min(audio.length, Math.floor(output.length / 2));
  const out = new Float32Array(room.tempo !== 1 ? length : audio.length);
  for (let i = 0; i < length; i++) out[i] = output.readInt16LE(i * 2) / scale;
  return out;
}

/** RMS of the loud part (10 ms frames within 30 dB of the loudest): a speech level that ignores pauses. */
export function activeRms(audio: Float32Array): number {
  const frame = SAMPLE_RATE_HZ / 100;
  const energies: number[] = [];
  for (let start = 0; start + frame <= audio.length; start += frame) {
    let sum = 0;
    for (let i = start; i < start + frame; i++) sum += (audio[i] as number) ** 2;
    energies.push(sum / frame);
  }
  const loudest = Math.max(1e-20, ...energies);
  const active = energies.filter((energy) => energy > loudest / 1000);
  return Math.sqrt(active.reduce((sum, energy) => sum + energy, 0) / Math.max(1, active.length));
}

function rms(audio: Float32Array): number {
  let sum = 0;
  for (const sample of audio) sum += sample * sample;
  return Math.sqrt(sum / Math.max(1, audio.length));
}

/** Noise of a colour, scaled to an RMS. */
export function noise(length: number, color: 'white' | 'pink' | 'brown', targetRms: number, rng: Rng): Float32Array {
  const out = new Float32Array(length);
  // Paul Kellet's economy pink filter; brown is leaky integrated white.
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let brown = 0;
  for (let i = 0; i < length; i++) {
    const white = rng.normal();
    if (color === 'white') out[i] = white;
    else if (color === 'pink') {
      b0 = 0.99765 * b0 + white * 0.099046;
      b1 = 0.963 * b1 + white * 0.2965164;
      b2 = 0.57 * b2 + white * 1.0526913;
      out[i] = b0 + b1 + b2 + white * 0.1848;
    } else {
      brown = 0.995 * brown + white * 0.1;
      out[i] = brown;
    }
  }
  const scale = targetRms / Math.max(1e-12, rms(out));
  for (let i = 0; i < length; i++) out[i] = (out[i] as number) * scale;
  return out;
}

/** `source` looped from `offset` to `length` samples, scaled to an active RMS. */
export function looped(source: Float32Array, offset: number, length: number, targetRms: number): Float32Array {
  const out = new Float32Array(length);
  if (source.length === 0) return out;
  for (let i = 0; i < length; i++) out[i] = source[(offset + i) % source.length] as number;
  const scale = targetRms / Math.max(1e-12, activeRms(source));
  for (let i = 0; i < length; i++) out[i] = (out[i] as number) * scale;
  return out;
}

export function dbToAmplitude(db: number): number {
  return 10 ** (db / 20);
}

/** Float (±1 full scale) to s16, clipped. */
export function toInt16(audio: Float32Array): Int16Array {
  const out = new Int16Array(audio.length);
  for (let i = 0; i < audio.length; i++) out[i] = Math.max(-32_768, Math.min(32_767, Math.round((audio[i] as number) * 32_767)));
  return out;
}

export function toFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] as number) / 32_767;
  return out;
}
