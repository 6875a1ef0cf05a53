/** Reported in welcome messages and /healthz. */
export const HUB_VERSION = '0.1.0';
