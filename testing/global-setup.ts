import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Tests that start the real binaries need dist/ current; `tsc -b` is a no-op when it is. */
export default function setup(): void {
  const root = fileURLToPath(new URL('../', import.meta.url));
  execFileSync(`${root}node_modules/.bin/tsc`, ['-b', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
