// For e2e/power-cut.test.ts: the hub's real store classes (built dist/) writing as fast as they can
// into one state dir, until the test kills this process with SIGKILL at a random point. The hub
// itself cannot be driven to write its credentials (only `hugh-hub satellite add` does, one scrypt
// each) or its outbox (one record per spoken turn) anywhere near this often.
//   node testing/store-writer.mjs STATE_DIR SEED
import { join } from 'node:path';
import { silentLogger } from '@hugh/common';
import { CredentialStore, RecordOutbox, TimerService } from '@hugh/hub';

const [dir, seedText] = process.argv.slice(2);
let seed = Number(seedText) >>> 0;
/** mulberry32: the same seed, the same writes. */
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const logger = silentLogger();
const timers = new TimerService(join(dir, 'timers.json'), logger);
const credentials = CredentialStore.load(join(dir, 'credentials.json'));
// Convex acknowledges about half the records: the outbox both inserts and deletes rows.
const convex = {
  mutation: () => (random() < 0.5 ? Promise.resolve(null) : Promise.reject(new Error('offline'))),
  query: () => Promise.reject(new Error('offline')),
  onUpdate: () => () => undefined,
  close: async () => undefined,
};
const outbox = new RecordOutbox(join(dir, 'outbox.sqlite'), convex, { secret: 'power-cut', timeoutMs: 1_000, logger });

let turnId = Math.floor(random() * 1e9);
let writes = 0;
process.stdout.write('writing\n');
// Credentials: one scrypt per issue, so they run beside the others rather than in the same loop.
void (async () => {
  for (;;) {
    const id = `sat-${Math.floor(random() * 30)}`;
    if (random() < 0.2 && credentials.has(id)) credentials.remove(id);
    else await credentials.issue('satellite', id);
  }
})();
const tick = () => {
  for (let i = 0; i < 20; i++) {
    // Timers for up to 40 satellites: the list (the file) grows and shrinks.
    const satellite = `sat-${Math.floor(random() * 40)}`;
    if (random() < 0.3) timers.cancel(satellite);
    else timers.set(satellite, 60_000 + Math.floor(random() * 3_600_000));
    turnId++;
    outbox.add({ key: `kitchen:${turnId}:1700000000000`, satelliteId: 'kitchen', turnId, outcome: 'answered', transcript: 'x'.repeat(Math.floor(random() * 2_000)), replyText: 'fine', times: { turnStartMs: 1_700_000_000_000 }, engineMs: {} });
    writes += 2;
  }
  if (writes % 200 === 0) process.stdout.write(`writes ${writes}\n`);
  setImmediate(tick);
};
tick();
