import type { Logger } from '@hugh/common';
import type { HubConfig } from '../config.js';
import type { ReplyGenerator } from '../pipeline/replies.js';
import { HomeAssistantApi } from './home-assistant-api.js';
import { HomeAssistantReplies } from './home-assistant-replies.js';

export interface ReplyStageParts {
  /** The last stage: the language model (local, or through Convex), which always answers. */
  llm: ReplyGenerator;
  /** Builds the local intents in front of `next`; `unknownDevices` says whether a device it does not know goes on. */
  local: (next: ReplyGenerator, unknownDevices: 'answer' | 'next') => ReplyGenerator;
  logger: Logger;
  onFailover?: (engine: string, error: Error) => void;
}

/**
 * The dispatch stages in `dispatch.order` (local intents → Home Assistant → language model by
 * default), each wrapping the next: the first that answers wins. Home Assistant is a stage only
 * with `homeAssistant.url`; after it, a device the local intents do not know is Home Assistant's.
 */
export function createReplyStages(config: HubConfig, parts: ReplyStageParts): { replies: ReplyGenerator; homeAssistant: HomeAssistantReplies | undefined } {
  const ha = config.homeAssistant;
  const order = config.dispatch.order.filter((stage) => stage !== 'homeAssistant' || ha.url);
  let replies = parts.llm;
  let homeAssistant: HomeAssistantReplies | undefined;
  for (let index = order.length - 2; index >= 0; index--) {
    if (order[index] === 'local') {
      replies = parts.local(replies, order.slice(index + 1).includes('homeAssistant') ? 'next' : 'answer');
    } else {
      homeAssistant = new HomeAssistantReplies(replies, new HomeAssistantApi(ha.url!, ha.token!), {
        timeoutMs: ha.timeoutMs,
        halfOpenAfterMs: ha.halfOpenAfterMs,
        language: ha.language ?? config.stt.language,
        agentId: ha.agentId,
        deviceContext: ha.deviceContext,
        logger: parts.logger,
        ...(parts.onFailover ? { onFailover: parts.onFailover } : {}),
      });
      replies = homeAssistant;
    }
  }
  if (config.dispatch.order.includes('homeAssistant') && !ha.url) parts.logger.debug('no homeAssistant.url: the Home Assistant stage is left out');
  return { replies, homeAssistant };
}
