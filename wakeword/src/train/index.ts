export { trainWakeWord, type TrainOptions, type TrainResult } from './train.js';
export { wakeWordCommand, WAKE_WORD_USAGE } from './cli.js';
export { FULL_SIZES, SMALL_SIZES, type TrainSizes } from './plan.js';
export { formatReport, TARGETS, type TrainReport } from './report.js';
export { parseVoiceId, voiceId, discoverVoices, type Voice } from './voices.js';
