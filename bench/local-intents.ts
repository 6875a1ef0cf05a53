import { HubEvents, LocalIntentReplies, type ReplyGenerator } from '@hugh/hub';

const unanswered: ReplyGenerator = {
  async *reply() {
    yield 'No model here.';
  },
};
import { percentile, type Benchmark } from './report.js';

const UTTERANCES = [
  'what time is it', 'turn on the kitchen lights', 'switch the fan off', 'what day is it today', 'set the volume to forty',
  'toggle the hallway light', 'stop', 'say that again', 'turn off the lights', 'what is the capital of france',
];

/** Transcript → first reply text for local intents (no LLM), as the pipeline calls it. */
export const localIntents: Benchmark = async ({ smoke }) => {
  const events = new HubEvents();
  events.on('device-command', () => undefined);
  const replies = new LocalIntentReplies(unanswered, {
    devices: [{ name: 'kitchen lights', room: 'Kitchen', commandTopic: 'x/set' }, { name: 'fan', commandTopic: 'fan/set' }, { name: 'hallway light', commandTopic: 'h/set' }],
    events,
  });
  const rounds = smoke ? 20 : 500;
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const text of UTTERANCES) {
      const started = performance.now();
      for await (const _chunk of replies.reply(text, { satelliteId: 'kitchen', room: 'Kitchen', signal: new AbortController().signal })) break;
      times.push(performance.now() - started);
    }
  }
  return [
    { name: 'local intent: transcript to reply text, p50', value: percentile(times, 50), unit: 'ms', target: '≤ 20 ms', conditions: `${times.length} answers over ${UTTERANCES.length} utterances (devices, time, date, volume, stop, repeat, one fallback)` },
    { name: 'local intent: transcript to reply text, p99', value: percentile(times, 99), unit: 'ms', target: '≤ 20 ms', conditions: 'same' },
  ];
};
