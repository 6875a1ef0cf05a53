/** Reported in the hello message. */
export const SATELLITE_VERSION = '0.1.0';
