import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CAPABILITY_STATES, type Capability } from '@hugh/protocol';
import type { HubCounters } from './counters.js';
import type { HubEvents } from './events.js';
import type { SessionManager } from './session/session-manager.js';

/**
 * Prometheus metrics of one hub: turns by outcome, per-stage latency, engine failovers,
 * connected satellites, audio frames in and out and dropped, and Node's own (event-loop lag…).
 */
export function createMetrics(options: { events: HubEvents; sessions: SessionManager; counters: HubCounters; capability?: () => Capability }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'hugh_' });
  const { events, sessions, counters } = options;
  const turns = new Counter({ name: 'hugh_turns_total', help: 'Turns by outcome', labelNames: ['outcome'] as const, registers: [registry] });
  const stages = new Histogram({
    name: 'hugh_turn_stage_seconds',
    help: 'Time from the end of speech (where the VAD placed it) to each stage of a turn',
    labelNames: ['stage'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
    registers: [registry],
  });
  const overhead = new Histogram({ name: 'hugh_hub_overhead_seconds', help: 'First audio out minus end of speech minus engine times', buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1], registers: [registry] });
  const errors = new Counter({ name: 'hugh_turn_errors_total', help: 'Turn errors by code', labelNames: ['code'] as const, registers: [registry] });
  new Gauge({ name: 'hugh_satellites_connected', help: 'Connected satellites', registers: [registry], collect() { this.set(sessions.sessions.size); } });
  for (const [name, key, help] of [
    ['hugh_audio_frames_in_total', 'framesIn', 'Audio frames received from satellites'],
    ['hugh_audio_frames_out_total', 'framesOut', 'Reply audio frames sent to satellites'],
    ['hugh_audio_frames_dropped_total', 'framesDropped', 'Audio frames dropped (stale, duplicate, congested)'],
    ['hugh_bad_inputs_total', 'badInputs', 'Malformed or refused inputs from clients'],
  ] as const) {
    new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(counters[key]); } });
  }
  new Counter({
    name: 'hugh_logins_total',
    help: 'Logins over MQTT, WebSocket and HTTP by outcome (locked-out: refused before hashing, the address has failed too often)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [outcome, count] of Object.entries(counters.logins)) this.inc({ outcome }, count);
    },
  });
  const speculations = new Counter({
    name: 'hugh_speculations_total',
    help: 'Speculative transcriptions at a pause, by what became of them: committed (ended the turn early), reused (at the long silence), dropped (speech went on), unused',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  events.on('turn', (record) => {
    turns.inc({ outcome: record.outcome });
    const spec = record.speculation;
    if (spec && spec.attempts > 0) {
      if (spec.early) speculations.inc({ outcome: 'committed' });
      if (spec.reused) speculations.inc({ outcome: 'reused' });
      if (spec.dropped) speculations.inc({ outcome: 'dropped' }, spec.dropped);
      const unused = spec.attempts - spec.dropped - (spec.early || spec.reused ? 1 : 0);
      if (unused > 0) speculations.inc({ outcome: 'unused' }, unused);
    }
    // From where the VAD placed the end of speech: what the user feels. (The decision time when absent.)
    const end = record.times.speechEndMs ?? record.times.endOfSpeechMs;
    if (end === undefined) return;
    for (const [stage, at] of [
      ['end_of_turn', record.times.endOfSpeechMs],
      ['transcript', record.times.transcriptMs],
      ['first_reply_text', record.times.firstReplyTextMs],
      ['tts_start', record.times.ttsStartMs],
      ['first_audio', record.times.firstAudioOutMs],
      ['last_audio', record.times.lastAudioOutMs],
    ] as const) {
      if (at !== undefined) stages.observe({ stage }, Math.max(0, at - end) / 1000);
    }
    if (record.hubOverheadMs !== undefined) overhead.observe(record.hubOverheadMs / 1000);
  });
  events.on('error', (_id, error) => errors.inc({ code: error.code }));
  const failovers = new Counter({ name: 'hugh_engine_failovers_total', help: 'Engine calls that failed or timed out, so the next engine of the chain was tried', labelNames: ['kind', 'engine'] as const, registers: [registry] });
  events.on('engine-failover', (kind, engine) => failovers.inc({ kind, engine }));
  capabilityMetrics(registry, events, sessions, options.capability);
  return registry;
}

/** Satellites remembered with a 0 after they went offline: beyond this many, the oldest are forgotten. */
const MAX_SATELLITE_SERIES = 256;

/**
 * Reduced capability and satellite presence, for alerts: `hugh_capability_state{state}` is 1 for
 * the current state and 0 for the others (the Prometheus way to export an enum), transitions are
 * counted by the state entered, and `hugh_satellite_up{satellite}` stays 0 after a satellite leaves
 * so that "satellite offline" can fire (take the max over the hubs a satellite may fail over to).
 */
function capabilityMetrics(registry: Registry, events: HubEvents, sessions: SessionManager, capability: (() => Capability) | undefined): void {
  if (capability) {
    new Gauge({
      name: 'hugh_capability_state',
      help: 'The hub capability: 1 for the current state (full, degraded, down), 0 for the others',
      labelNames: ['state'] as const,
      registers: [registry],
      collect() {
        const current = capability().state;
        for (const state of CAPABILITY_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    new Gauge({ name: 'hugh_capability_reasons', help: 'Reasons the hub runs reduced (failed engines, Convex unreachable…)', registers: [registry], collect() { this.set(capability().reasons.length); } });
  }
  const transitions = new Counter({ name: 'hugh_capability_transitions_total', help: 'Changes of the hub capability, by the state entered', labelNames: ['to'] as const, registers: [registry] });
  for (const state of CAPABILITY_STATES) transitions.inc({ to: state }, 0);
  events.on('capability', (current, previous) => {
    if (current.state !== previous.state) transitions.inc({ to: current.state });
  });
  const seen = new Set<string>();
  const remember = (id: string) => {
    seen.delete(id);
    seen.add(id);
    if (seen.size > MAX_SATELLITE_SERIES) seen.delete(seen.values().next().value!);
  };
  events.on('satellite-online', remember);
  new Gauge({
    name: 'hugh_satellite_up',
    help: 'Whether a satellite is connected to this hub (1) or has been since the hub started and is not (0)',
    labelNames: ['satellite'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const id of seen) this.set({ satellite: id }, sessions.sessions.has(id) ? 1 : 0);
    },
  });
}
