import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger, loadConfig } from '@hugh/common';

it('secrets never reach the logs: passwords, keys and tokens are redacted wherever they sit', async () => {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger('test', { level: 'info', destination });
  logger.info({ config: { convex: { secret: 's3cr3t-convex' }, mqtt: { password: 'hunter2' } }, password: 'p4ss', porcupine: { accessKey: 'AK-123' }, auth: { token: 'tok-9' } }, 'config loaded');
  const text = lines.join('');
  expect(text).toContain('config loaded');
  for (const secret of ['hunter2', 'p4ss', 'AK-123', 'tok-9']) expect(text).not.toContain(secret);
  expect(text).toContain('[redacted]');
});

it('a config file holding secrets that others can read gives a warning naming the fields; a private one does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hugh-config-'));
  const file = join(dir, 'hub.yaml');
  writeFileSync(file, 'convex:\n  secret: abcdefabcdefabcdef\nname: x\n');
  const schema = z.object({ convex: z.object({ secret: z.string() }), name: z.string() });
  chmodSync(file, 0o644);
  const loose = loadConfig(schema, { argv: ['--config', file], env: {}, specs: [], configEnv: 'X' });
  expect(loose.warnings).toEqual([expect.stringMatching(/holds secrets \(convex\.secret\) but its mode is 644: run chmod 640/)]);
  chmodSync(file, 0o640);
  expect(loadConfig(schema, { argv: ['--config', file], env: {}, specs: [], configEnv: 'X' }).warnings).toEqual([]);
  writeFileSync(file, 'convex:\n  secret: ""\nname: x\n');
  chmodSync(file, 0o666);
  expect(loadConfig(z.object({ convex: z.object({ secret: z.string() }), name: z.string() }), { argv: ['--config', file], env: {}, specs: [], configEnv: 'X' }).warnings).toEqual([]);
});
