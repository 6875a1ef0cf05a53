import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A folder with an asoundrc that stands in for a sound card (DESIGN §4): `filemic` replays IN.raw
 * byte for byte to arecord, and the default PCM writes whatever is played to OUT.raw. Programs
 * use it when HOME points at the folder; the machine's real ALSA config is left alone.
 */
export function fakeSoundCard(): { home: string; micFile: string; speakerFile: string } {
  const home = mkdtempSync(join(tmpdir(), 'hugh-alsa-'));
  const micFile = join(home, 'IN.raw');
  const speakerFile = join(home, 'OUT.raw');
  writeFileSync(micFile, Buffer.alloc(0));
  writeFileSync(
    join(home, '.asoundrc'),
    `pcm.filemic { type file; slave.pcm "null"; file "/dev/null"; infile "${micFile}"; format "raw" }\n` +
      `pcm.!default { type file; slave.pcm "null"; file "${speakerFile}"; format "raw" }\n`,
  );
  return { home, micFile, speakerFile };
}
