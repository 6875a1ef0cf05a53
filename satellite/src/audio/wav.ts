export { readWavAs16kMono, encodeWav } from '@hugh/wakeword';
export { pcmBytes, pcmSamples } from '@hugh/protocol';
