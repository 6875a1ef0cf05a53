import type { EngineStatus } from '../engines/chain.js';
import type { ReducedCapability } from './capability.js';

const WHAT: Record<string, string> = { stt: 'speech to text', tts: 'text to speech' };

/**
 * What the breakers of the engine chains and of dispatch say, per source. Only an engine ahead of
 * the one that serves counts: a broken fallback behind a healthy primary changes nothing the
 * family hears. An engine is working when its breaker is closed; open, or half-open before its
 * trial call succeeded, it is not. No working STT or TTS engine at all is `down`; dispatch
 * (Convex) always has the local dispatcher behind it, so it can only degrade.
 */
export function engineReports(health: Record<string, EngineStatus[]>): Record<string, ReducedCapability[]> {
  const reports: Record<string, ReducedCapability[]> = {};
  for (const [source, chain] of Object.entries(health)) {
    const serving = chain.findIndex((engine) => engine.state === 'closed');
    const what = WHAT[source];
    if (what === undefined) {
      reports[source] = chain.filter((engine) => engine.state !== 'closed').map((engine) => ({ engine: engine.name, message: `${engine.name} is unreachable: the local dispatcher answers` }));
    } else if (serving < 0) {
      reports[source] = chain.map((engine) => ({ engine: engine.name, message: `${engine.name} is down: no ${what} engine is left`, down: true }));
    } else {
      const fallback = chain[serving]!.name;
      reports[source] = chain.slice(0, serving).map((engine) => ({ engine: engine.name, message: `${engine.name} is down: ${fallback} serves instead` }));
    }
  }
  return reports;
}
