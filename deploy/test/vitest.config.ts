import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The system tests, outside `npm test`: they build or install whole copies of the repository and
 * take minutes. `bash scripts/test.sh` runs them after the suite (see README.md in this folder).
 */
export default defineConfig({
  resolve: {
    // Exact matches: '@hugh/common' must not swallow '@hugh/common/clients'.
    alias: Object.entries({
      '@hugh/protocol': '../../protocol/src/index.ts',
      '@hugh/common/clients': '../../common/src/clients.ts',
      '@hugh/common': '../../common/src/index.ts',
      '@hugh/hub': '../../hub/src/index.ts',
      '@hugh/satellite': '../../satellite/src/index.ts',
    }).map(([name, path]) => ({ find: new RegExp(`^${name}$`), replacement: source(path) })),
  },
  test: {
    root: source('../..'),
    include: ['deploy/test/**/*.test.ts'],
    environment: 'node',
    // The two files at once: one mostly waits on npm ci's native builds, the other on a build and a turn.
    maxWorkers: 2,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
