import { z } from 'zod';

/**
 * What the hub can do right now, as published retained on `<prefix>/hub/capability`:
 * `full`; `degraded` when a primary engine, a model or Convex is down and a fallback serves; `down`
 * when no speech-to-text or no text-to-speech engine is left at all. Home Assistant's binary
 * sensor reads exactly this shape: keep it.
 */
export const CAPABILITY_STATES = ['full', 'degraded', 'down'] as const;
export type CapabilityState = (typeof CAPABILITY_STATES)[number];

export const CapabilityReasonSchema = z.object({
  /** What reports it: `stt`, `tts`, `dispatch`, or another part of the hub (`disk`, `home-assistant`). */
  source: z.string().min(1).max(64),
  /** The engine concerned, as /healthz names it. */
  engine: z.string().max(200).optional(),
  message: z.string().max(500),
});
export type CapabilityReason = z.infer<typeof CapabilityReasonSchema>;

export const CapabilitySchema = z.object({
  state: z.enum(CAPABILITY_STATES),
  reasons: z.array(CapabilityReasonSchema).max(64),
  /** Unix epoch ms since which the hub is in this state. */
  sinceMs: z.number().nonnegative(),
});
export type Capability = z.infer<typeof CapabilitySchema>;
