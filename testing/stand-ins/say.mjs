// A stand-in for macOS's say(1), for tests on Linux: it parses the command line say(1) documents
// and writes the file the way macOS does (format from the extension, --data-format as documented,
// Apple's FLLR filler chunk before the data), with espeak-ng's voice inside. Only what the hub's
// adapter needs is implemented; anything else fails the way say does, or says it is not supported.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { extname } from 'node:path';

const fail = (message) => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const options = { voice: undefined, rate: undefined, output: undefined, input: undefined, fileFormat: undefined, dataFormat: undefined };
const words = [];
const args = process.argv.slice(2);
const long = { voice: 'voice', rate: 'rate', 'output-file': 'output', 'input-file': 'input', 'file-format': 'fileFormat', 'data-format': 'dataFormat' };
const short = { v: 'voice', r: 'rate', o: 'output', f: 'input' };
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--') {
    words.push(...args.slice(i + 1));
    break;
  }
  const longMatch = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
  if (longMatch) {
    const key = long[longMatch[1]];
    if (!key) fail(`say: unrecognized option '${arg}'`);
    options[key] = longMatch[2] ?? args[++i];
    continue;
  }
  const shortMatch = /^-([vrof])(.*)$/.exec(arg);
  if (shortMatch) {
    options[short[shortMatch[1]]] = shortMatch[2] || args[++i];
    continue;
  }
  if (arg.startsWith('-') && arg !== '-') fail(`say: invalid option -- '${arg.slice(1)}'`);
  words.push(arg);
}
if (process.env.HUGH_SAY_ARGS_LOG) appendFileSync(process.env.HUGH_SAY_ARGS_LOG, `${JSON.stringify(process.argv.slice(2))}\n`);

// Text: the words, else the input file, '-' or nothing meaning stdin.
let text = words.join(' ');
if (!text) text = readFileSync(options.input === undefined || options.input === '-' ? 0 : options.input, 'utf8');

if (!options.output) fail('stand-in say: playing through the speaker is not supported; use -o FILE');
const fileFormat = options.fileFormat ?? { '.wav': 'WAVE', '.aiff': 'AIFF', '.aif': 'AIFF', '.caf': 'caff', '.m4a': 'm4af' }[extname(options.output).toLowerCase()] ?? 'AIFF';
if (fileFormat !== 'WAVE') fail(`stand-in say: only WAVE files are supported here (got ${fileFormat})`);
// WAVE takes little-endian linear PCM; without a data format macOS picks one WAVE cannot hold.
const data = /^(BE|LE)?(F|I|UI)(8|16|24|32|64)(?:@(\d+))?$/.exec(options.dataFormat ?? '');
if (!data || data[1] === 'BE') fail('Opening output file failed: fmt?');
if (data[2] !== 'I' || data[3] !== '16') fail(`stand-in say: only LEI16 is supported here (got ${options.dataFormat})`);
const sampleRateHz = Number(data[4] ?? 22_050);

// espeak-ng speaks; sox converts to the asked rate as raw s16le. The rate in words per minute maps to espeak's -s.
const espeak = execFileSync('espeak-ng', ['--stdout', ...(options.rate ? ['-s', String(options.rate)] : []), '--', text]);
const pcm = execFileSync('sox', ['-q', '-t', 'wav', '-', '-t', 'raw', '-r', String(sampleRateHz), '-c', '1', '-b', '16', '-e', 'signed-integer', '-L', '-'], { input: espeak, maxBuffer: 64 * 1024 * 1024 });

// RIFF/WAVE as Apple writes it: fmt, a FLLR chunk that pads the header to 4096 bytes, then data.
const fmt = Buffer.alloc(8 + 16);
fmt.write('fmt ', 0, 'ascii');
fmt.writeUInt32LE(16, 4);
fmt.writeUInt16LE(1, 8);
fmt.writeUInt16LE(1, 10);
fmt.writeUInt32LE(sampleRateHz, 12);
fmt.writeUInt32LE(sampleRateHz * 2, 16);
fmt.writeUInt16LE(2, 20);
fmt.writeUInt16LE(16, 22);
const fillerBytes = 4096 - 12 - fmt.length - 8 - 8;
const filler = Buffer.alloc(8 + fillerBytes);
filler.write('FLLR', 0, 'ascii');
filler.writeUInt32LE(fillerBytes, 4);
const dataHeader = Buffer.alloc(8);
dataHeader.write('data', 0, 'ascii');
dataHeader.writeUInt32LE(pcm.length, 4);
const riff = Buffer.alloc(12);
riff.write('RIFF', 0, 'ascii');
riff.writeUInt32LE(4 + fmt.length + filler.length + dataHeader.length + pcm.length, 4);
riff.write('WAVE', 8, 'ascii');
writeFileSync(options.output, Buffer.concat([riff, fmt, filler, dataHeader, pcm]));
