import type { HubEvents } from '../events.js';
import type { ReplyContext, ReplyGenerator } from '../pipeline/replies.js';
import { IntentMatcher, type MatchedIntent } from './intents.js';
import { spokenDuration } from './duration.js';
import { normalise } from './template.js';
import type { TimerService } from './timers.js';

export interface DeviceConfig {
  name: string;
  aliases?: string[];
  /** Room of the device: "the lights" said on this room's satellite finds it. */
  room?: string;
  commandTopic?: string;
  payloadOn?: string;
  payloadOff?: string;
  payloadToggle?: string;
}

const ACTIONS = { HassTurnOn: ['Turning on', 'payloadOn'], HassTurnOff: ['Turning off', 'payloadOff'], HassToggle: ['Toggling', 'payloadToggle'] } as const;

export interface LocalIntentOptions {
  devices: DeviceConfig[];
  events?: HubEvents;
  now?: () => Date;
  timers?: TimerService;
  /**
   * A device intent for a device not in `devices`: 'answer' says it is unknown; 'next' leaves it to
   * the next stage (Home Assistant, which knows the house's devices). Default 'answer'.
   */
  unknownDevices?: 'answer' | 'next';
}

/**
 * Answers what a home asks most without a language model, in milliseconds: time, date, devices
 * (published for home automation, and to the device's own topic when it is mapped), volume, stop,
 * repeat. Anything else goes to `fallback`. Every intent answered here is published as an `intent`
 * event (with the words that matched); one left to the next stage is not, since another acts on it.
 */
export class LocalIntentReplies implements ReplyGenerator {
  private readonly matcher = new IntentMatcher();
  private readonly lastReply = new Map<string, string>();

  constructor(
    private readonly fallback: ReplyGenerator,
    private readonly options: LocalIntentOptions,
  ) {}

  async *reply(transcript: string, context: ReplyContext): AsyncIterable<string> {
    const intent = this.matcher.match(transcript);
    let text = '';
    if (intent && intent.name !== 'HassRepeat') {
      const answer = this.answer(intent, context);
      if (answer !== undefined) {
        this.options.events?.emit('intent', context.satelliteId, intent, transcript);
        this.lastReply.set(context.satelliteId, answer);
        if (answer) yield answer;
        return;
      }
    } else if (intent?.name === 'HassRepeat') {
      this.options.events?.emit('intent', context.satelliteId, intent, transcript);
      yield this.lastReply.get(context.satelliteId) ?? "I haven't said anything yet.";
      return;
    }
    for await (const chunk of this.fallback.reply(transcript, context)) {
      text += chunk;
      yield chunk;
    }
    this.lastReply.set(context.satelliteId, text);
  }

  /**
   * Whether a local intent answers `transcript` outright: it matches a sentence whole and, for a
   * device, names one that exists ("turn on the" is not "turn on the kitchen lights"). Such a
   * transcript ends the turn at once; nothing is executed here.
   */
  understands(transcript: string, room: string | undefined): boolean {
    const intent = this.matcher.match(transcript);
    if (!intent) return false;
    if (intent.name === 'HassTurnOn' || intent.name === 'HassTurnOff' || intent.name === 'HassToggle') return this.findDevice(intent.slots.device!, room) !== undefined;
    if ((intent.name === 'HassStartTimer' || intent.name === 'HassCancelTimer') && !this.options.timers) return false;
    return true;
  }

  /** The spoken answer ('' for none); undefined when the fallback should answer instead. */
  private answer(intent: MatchedIntent, context: { satelliteId: string; room: string | undefined }): string | undefined {
    const now = this.options.now?.() ?? new Date();
    switch (intent.name) {
      case 'HassGetTime':
        return `It's ${now.toLocaleTimeString('en-US', { hour: 'numeric', minute: '2-digit' })}.`;
      case 'HassGetDate':
        return `Today is ${now.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric' })}.`;
      case 'HassStop':
        return '';
      case 'HassStartTimer': {
        if (!this.options.timers) return undefined;
        const timer = this.options.timers.set(context.satelliteId, Number(intent.slots.durationMs));
        return `Timer set for ${spokenDuration(timer.durationMs)}.`;
      }
      case 'HassCancelTimer':
        if (!this.options.timers) return undefined;
        return this.options.timers.cancel(context.satelliteId) ? 'Timer cancelled.' : "There's no timer running.";
      case 'HassTimerStatus': {
        const left = this.options.timers?.remainingMs(context.satelliteId);
        return left === undefined ? "There's no timer running." : `${spokenDuration(left)} left.`;
      }
      case 'HassSetVolume':
        this.options.events?.emit('command', context.satelliteId, 'volume', intent.slots.percent!);
        return `Volume ${intent.slots.percent}.`;
      case 'HassTurnOn':
      case 'HassTurnOff':
      case 'HassToggle': {
        const spoken = intent.slots.device!;
        const device = this.findDevice(spoken, context.room);
        if (!device) return this.options.unknownDevices === 'next' ? undefined : `I don't know a device called ${spoken}.`;
        const [verb, payloadKey] = ACTIONS[intent.name];
        const payload = device[payloadKey] ?? (payloadKey === 'payloadOn' ? 'ON' : payloadKey === 'payloadOff' ? 'OFF' : 'TOGGLE');
        if (device.commandTopic) this.options.events?.emit('device-command', device.commandTopic, payload);
        return `${verb} the ${device.name}.`;
      }
      default:
        return undefined;
    }
  }

  private findDevice(spoken: string, room: string | undefined): DeviceConfig | undefined {
    const said = normalise(spoken);
    const names = (device: DeviceConfig) => [device.name, ...(device.aliases ?? [])].map(normalise);
    return (
      this.options.devices.find((device) => names(device).includes(said)) ??
      // "the lights" in the kitchen is the kitchen's lights.
      (room ? this.options.devices.find((device) => device.room !== undefined && normalise(device.room) === normalise(room) && names(device).some((name) => name === said || name.endsWith(` ${said}`))) : undefined)
    );
  }
}
