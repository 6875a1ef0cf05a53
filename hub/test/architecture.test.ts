import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every .ts file under `dir` and the relative modules it imports or re-exports, type-only ones too. */
function importGraph(dir: string): Map<string, string[]> {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'));
  const graph = new Map<string, string[]>();
  for (const name of files) {
    const path = join(dir, name);
    const source = readFileSync(path, 'utf8');
    const targets = [...source.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/g)].map((match) => relative(dir, resolve(dirname(path), match[1]!.replace(/\.js$/, '.ts'))));
    graph.set(relative(dir, path), targets);
  }
  return graph;
}

/** The first import circle found, as the list of files around it; undefined when there is none. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): string[] | undefined => {
    if (state.get(file) === 'done') return undefined;
    if (state.get(file) === 'open') return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, 'open');
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      const circle = visit(target);
      if (circle) return circle;
    }
    stack.pop();
    state.set(file, 'done');
    return undefined;
  };
  for (const file of graph.keys()) {
    const circle = visit(file);
    if (circle) return circle;
  }
  return undefined;
}

describe('the hub has no import circle', () => {
  it('finds a circle when there is one (the check can fail)', () => {
    expect(findCircle(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']]]))).toEqual(['a.ts', 'b.ts', 'c.ts', 'a.ts']);
  });

  it('hub/src: none, type-only imports included (events.ts and session/turn.ts once imported each other)', () => {
    const graph = importGraph(fileURLToPath(new URL('../src', import.meta.url)));
    expect(graph.size).toBeGreaterThan(50);
    expect(findCircle(graph)).toBeUndefined();
  });
});
