import { z } from 'zod';

/**
 * A satellite id is one MQTT topic level: no "/", "+", "#" or "$", so that topics built from it
 * cannot escape its namespace and an ACL pattern can match it exactly.
 */
export const SATELLITE_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const SatelliteIdSchema = z
  .string()
  .regex(SATELLITE_ID_PATTERN, 'must be 1-63 characters of a-z, 0-9, "_" or "-", starting with a letter or digit');

export type SatelliteId = z.infer<typeof SatelliteIdSchema>;

/** Turn ids are u32. Satellites choose ids below 2^31, the hub (announcements, "listen") above. */
export const TurnIdSchema = z.int().min(0).max(0xffff_ffff);
export const HUB_TURN_ID_BASE = 0x8000_0000;

/** A fresh turn id for the given side. */
export function newTurnId(side: 'satellite' | 'hub'): number {
  const low = Math.floor(Math.random() * HUB_TURN_ID_BASE);
  return side === 'hub' ? HUB_TURN_ID_BASE + low : low;
}
