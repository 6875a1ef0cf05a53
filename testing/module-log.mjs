// `node --import ./testing/module-log.mjs …`: every module the program loads is appended to the file
// named by HUGH_MODULE_LOG, one per line: ES modules as they resolve, CommonJS ones (require.cache)
// when the process exits. Tests check what a program loads.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.HUGH_MODULE_LOG;
register('./module-log-hooks.mjs', import.meta.url, { data: { file } });
const require = createRequire(import.meta.url);
process.on('exit', () => {
  if (file) appendFileSync(file, Object.keys(require.cache).map((path) => `${path}\n`).join(''));
});
