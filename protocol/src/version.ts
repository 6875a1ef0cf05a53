/** Version of the wire protocol (control messages and audio frames). Bump on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Largest audio frame, header included, in bytes. */
export const MAX_FRAME_BYTES = 64 * 1024;

/** Largest control message (UTF-8 JSON), in bytes. */
export const MAX_CONTROL_BYTES = 16 * 1024;

/** Audio the satellite captures and streams: 16 kHz mono s16le. */
export const CAPTURE_SAMPLE_RATE_HZ = 16_000;

/** Most audio from before the wake word's end a satellite keeps and a hub may ask for. */
export const MAX_PRE_ROLL_MS = 5_000;

/** Most hubs a satellite may list (its `hub` setting) and announce in its hello. */
export const MAX_HUBS = 8;
