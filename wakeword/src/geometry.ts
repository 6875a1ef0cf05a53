import { defaultDataPath } from '@hugh/common';

/**
 * openWakeWord's fixed feature geometry (dscripka/openWakeWord, models v0.1): every model in this
 * package (trained classifiers, enrolled templates) lives on these features.
 */
export const SAMPLE_RATE_HZ = 16_000;
/** 80 ms at 16 kHz: one embedding per step. */
export const STEP_SAMPLES = 1280;
export const STEP_MS = 80;
/** History the mel model needs to emit 8 frames for 1280 new samples. */
export const MEL_CONTEXT_SAMPLES = 480;
export const MEL_BINS = 32;
/** Mel frames per step (10 ms hop). */
export const MEL_FRAMES_PER_STEP = 8;
/** Mel frames the embedding model looks at (760 ms). */
export const EMBEDDING_WINDOW_FRAMES = 76;
export const EMBEDDING_SIZE = 96;
/** Embeddings a keyword classifier looks at (1.28 s), the shape of openWakeWord's keyword models. */
export const KEYWORD_WINDOW = 16;
/** openWakeWord zeroes the first predictions after start, while the buffers hold no real audio. */
export const WARMUP_STEPS = 5;

/**
 * The openWakeWord models where scripts/fetch-models.mjs puts them: /var/lib/hugh/models for the
 * installed app (/opt/hugh), else the checkout's .cache/models. `HUGH_MODELS_DIR` or `wake.modelsDir` override it.
 */
export const defaultModelsDir = (): string => defaultDataPath('models', 'openwakeword');
