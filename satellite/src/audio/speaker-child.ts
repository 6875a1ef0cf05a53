/**
 * Runs `speaker` in a child process. When ALSA cannot open its device, speaker aborts the whole
 * process from native code; in here that costs one child, not the satellite.
 *
 * stdin carries records `[kind u8][length u32 LE][payload]`: kind 1 opens a stream (payload:
 * rate u32, channels u8), 2 is PCM, 3 ends the stream (play out, then print "done"), 4 aborts it.
 */
import Speaker from 'speaker';

let speaker: Speaker | undefined;
let buffer: Buffer = Buffer.alloc(0);

function open(sampleRate: number, channels: number): void {
  speaker?.close(false);
  speaker = new Speaker({ sampleRate, channels, bitDepth: 16 });
  speaker.on('error', (error: Error) => process.stderr.write(`speaker error: ${error.message}\n`));
}

function handle(kind: number, payload: Buffer): void {
  if (kind === 1) open(payload.readUInt32LE(0), payload.readUInt8(4));
  else if (kind === 2) speaker?.write(payload);
  else if (kind === 3) {
    const ending = speaker;
    speaker = undefined;
    if (!ending) return void process.stdout.write('done\n');
    ending.once('close', () => process.stdout.write('done\n'));
    ending.end();
  } else if (kind === 4) {
    speaker?.close(false);
    speaker = undefined;
    process.stdout.write('done\n');
  }
}

process.stdin.on('data', (chunk: Buffer) => {
  buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
  while (buffer.length >= 5) {
    const length = buffer.readUInt32LE(1);
    if (buffer.length < 5 + length) break;
    handle(buffer.readUInt8(0), buffer.subarray(5, 5 + length));
    buffer = buffer.subarray(5 + length);
  }
});
process.stdin.on('end', () => {
  if (!speaker) process.exit(0);
  speaker.once('close', () => process.exit(0));
  speaker.end();
});
