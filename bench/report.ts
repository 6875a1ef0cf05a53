import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** What was measured, on what input: a figure without its conditions means nothing. */
  conditions: string;
  target?: string;
}

export interface BenchContext {
  /** CI smoke run: short inputs, same code paths. */
  smoke: boolean;
  sharedDir: string;
}

export type Benchmark = (context: BenchContext) => Promise<Figure[]>;

/** Prints a table and writes the JSON report; returns its path. */
export function writeReport(figures: Figure[], smoke: boolean): string {
  const rows = figures.map((figure) => [figure.name, `${figure.value.toFixed(figure.value < 10 ? 2 : 1)} ${figure.unit}`, figure.target ?? '', figure.conditions]);
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length), 6));
  for (const row of [['figure', 'value', 'target', 'conditions'], ...rows]) {
    process.stdout.write(`${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padStart(widths[1]!)}  ${row[2]!.padEnd(widths[2]!)}  ${row[3]}\n`);
  }
  const dir = fileURLToPath(new URL('./reports/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const date = new Date().toISOString();
  const file = `${dir}bench-${date.replace(/[:.]/g, '-')}.json`;
  const machine = { host: hostname(), cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  writeFileSync(file, `${JSON.stringify({ date, smoke, machine, figures }, null, 2)}\n`);
  process.stdout.write(`\nreport: ${file}\n`);
  return file;
}

/** The p-th percentile (nearest rank) of `values`; NaN when empty. */
export { percentile } from '@hugh/common';
