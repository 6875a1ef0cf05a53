import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { SoakOptions } from './options.js';

export const SoakFigureSchema = z.strictObject({
  /** `phase: what`, e.g. `soak: hub RSS growth`. */
  name: z.string().min(1),
  /** NaN (nothing measured) is written as null. */
  value: z.number().nullable(),
  unit: z.string().min(1),
  target: z.string().optional(),
  /** Whether the target was met; absent for a figure without one. */
  pass: z.boolean().optional(),
  conditions: z.string().min(1),
});
export type SoakFigure = z.infer<typeof SoakFigureSchema>;

export const SoakReportSchema = z.strictObject({
  machine: z.strictObject({ cpus: z.int().min(1), cpuModel: z.string(), memBytes: z.number().positive(), node: z.string(), platform: z.string() }),
  date: z.iso.datetime(),
  options: z.record(z.string(), z.unknown()),
  figures: z.array(SoakFigureSchema).min(1),
});
export type SoakReport = z.infer<typeof SoakReportSchema>;

/** A figure; `pass` is worked out from `check` when the figure has a target. */
export function figure(name: string, value: number, unit: string, conditions: string, target?: { text: string; check: (value: number) => boolean }): SoakFigure {
  return { name, value: Number.isFinite(value) ? value : null, unit, conditions, ...(target ? { target: target.text, pass: Number.isFinite(value) && target.check(value) } : {}) };
}

export function defaultReportFile(date: string): string {
  return fileURLToPath(new URL(`../reports/soak-${date.replace(/[:.]/g, '-')}.json`, import.meta.url));
}

/** Validates, writes the JSON report and prints the table; returns the file. */
export function writeSoakReport(options: SoakOptions, figures: SoakFigure[], date = new Date().toISOString()): string {
  const report: SoakReport = SoakReportSchema.parse({
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memBytes: totalmem(), node: process.version, platform: `${platform()} ${process.arch}` },
    date,
    options: { ...options },
    figures,
  });
  const rows = figures.map((entry) => [entry.name, entry.value === null ? '—' : `${entry.value.toFixed(Math.abs(entry.value) < 10 ? 2 : 1)} ${entry.unit}`, entry.target ?? '', entry.pass === undefined ? '' : entry.pass ? 'pass' : 'FAIL']);
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]!.length), 6));
  for (const row of [['figure', 'value', 'target', ''], ...rows]) {
    process.stdout.write(`${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padEnd(widths[2]!)}  ${row[3]}\n`);
  }
  const file = options.out ?? defaultReportFile(date);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\nreport: ${file}\n`);
  return file;
}
