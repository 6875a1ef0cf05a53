import { describe, expect, it } from 'vitest';
import { HubEvents, LocalIntentReplies, type ReplyGenerator } from '@hugh/hub';

/** Stands in for the language model: says what it was asked. */
const echo: ReplyGenerator = {
  async *reply(transcript) {
    yield `You asked: ${transcript}.`;
  },
};

const devices = [
  { name: 'kitchen lights', aliases: ['kitchen light'], room: 'Kitchen', commandTopic: 'zigbee2mqtt/kitchen_lights/set', payloadOn: '{"state":"ON"}', payloadOff: '{"state":"OFF"}' },
  { name: 'fan', commandTopic: 'home/fan/set' },
];

async function ask(replies: LocalIntentReplies, text: string, room?: string): Promise<string> {
  let out = '';
  for await (const chunk of replies.reply(text, { satelliteId: 'kitchen', room, signal: new AbortController().signal })) out += chunk;
  return out;
}

function setup() {
  const events = new HubEvents();
  const published: [string, string][] = [];
  const intents: string[] = [];
  const commands: string[] = [];
  events.on('device-command', (topic, payload) => published.push([topic, payload]));
  events.on('intent', (_id, intent) => intents.push(`${intent.name} ${JSON.stringify(intent.slots)}`));
  events.on('command', (id, name, payload) => commands.push(`${id} ${name} ${payload}`));
  const replies = new LocalIntentReplies(echo, { devices, events, now: () => new Date(2026, 10, 24, 17, 5) });
  return { replies, published, intents, commands };
}

describe('local intents', () => {
  it('switches a mapped device: its own payload on its own topic, and a spoken confirmation', async () => {
    const { replies, published, intents } = setup();
    expect(await ask(replies, 'turn on the kitchen lights')).toBe('Turning on the kitchen lights.');
    expect(published).toEqual([['zigbee2mqtt/kitchen_lights/set', '{"state":"ON"}']]);
    expect(intents).toEqual(['HassTurnOn {"device":"kitchen lights"}']);
    expect(await ask(replies, 'switch the fan off')).toBe('Turning off the fan.');
    expect(published[1]).toEqual(['home/fan/set', 'OFF']);
  });

  it('finds "the lights" in the room of the satellite that heard it', async () => {
    const { replies, published } = setup();
    expect(await ask(replies, 'turn off the lights', 'Kitchen')).toBe('Turning off the kitchen lights.');
    expect(published).toEqual([['zigbee2mqtt/kitchen_lights/set', '{"state":"OFF"}']]);
  });

  it('says when a device is unknown, and still publishes the intent for home automation', async () => {
    const { replies, published, intents } = setup();
    expect(await ask(replies, 'turn on the garage door')).toBe("I don't know a device called garage door.");
    expect(published).toEqual([]);
    expect(intents).toEqual(['HassTurnOn {"device":"garage door"}']);
  });

  it('with Home Assistant next, leaves a device it does not know to it, publishing no intent it did not answer', async () => {
    const events = new HubEvents();
    const intents: string[] = [];
    events.on('intent', (_id, intent, input) => intents.push(`${intent.name} ${input}`));
    const replies = new LocalIntentReplies(echo, { devices, events, unknownDevices: 'next' });
    expect(await ask(replies, 'turn on the garage door')).toBe('You asked: turn on the garage door.');
    expect(await ask(replies, 'turn on the kitchen lights')).toBe('Turning on the kitchen lights.');
    expect(intents).toEqual(['HassTurnOn turn on the kitchen lights']);
  });

  it('answers time and date, sets the volume through a command, repeats the last answer', async () => {
    const { replies, commands } = setup();
    expect(await ask(replies, 'what time is it')).toBe("It's 5:05 PM.");
    expect(await ask(replies, 'say that again')).toBe("It's 5:05 PM.");
    expect(await ask(replies, 'what day is it today')).toBe('Today is Tuesday, November 24.');
    expect(await ask(replies, 'set the volume to 40 percent')).toBe('Volume 40.');
    expect(commands).toEqual(['kitchen volume 40']);
    expect(await ask(replies, 'stop')).toBe('');
  });

  it('hands anything else to the fallback', async () => {
    const { replies, intents } = setup();
    expect(await ask(replies, 'what is the capital of france')).toBe('You asked: what is the capital of france.');
    expect(intents).toEqual([]);
  });
});
