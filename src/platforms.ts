import type { InboundEndpoint, OutboundAdapter, WebLogin } from '../adapters/types';
import type { TokenStore } from '../adapters/token-store';
import { createDingtalkPlatform, type DingtalkPlatform } from '../adapters/dingtalk/index';
import { createWecomPlatform, type WecomLongConnectionSettings } from '../adapters/wecom/index';
import type { GongzhiConfig } from './config/schema';
import type { Platform } from './domain/message';
import type { Logger } from './logger';

export interface Platforms {
  endpoints: Record<string, InboundEndpoint>;
  senders: Partial<Record<Platform, OutboundAdapter>>;
  dingtalk: DingtalkPlatform['settings'];
  /** WeCom AI bot long connection (Node only), when WECOM_BOT_ID/WECOM_BOT_SECRET are set. */
  wecomLongConnection: WecomLongConnectionSettings | null;
  /** Console sign-in through the platforms that are configured for it. */
  logins: WebLogin[];
}

/**
 * Builds every platform the environment and configuration switch on. Missing or partial
 * credentials fail here, at start-up, with the names of the variables to set. Pass the live
 * directory's config as a getter so outbound channels follow groups added while running.
 */
export function createPlatforms(env: Record<string, string | undefined>, config: GongzhiConfig | (() => GongzhiConfig), logger: Logger, fetchImpl?: typeof fetch, tokens?: TokenStore, now?: () => Date): Platforms {
  const wecom = createWecomPlatform(env, config, logger, fetchImpl, tokens, now);
  const dingtalk = createDingtalkPlatform(env, config, logger, fetchImpl, tokens);
  const senders: Partial<Record<Platform, OutboundAdapter>> = {};
  if (wecom.sender) senders.wecom = wecom.sender;
  if (dingtalk.sender) senders.dingtalk = dingtalk.sender;
  const logins = [wecom.login, dingtalk.login].filter((l): l is WebLogin => l !== null);
  return { endpoints: { ...wecom.endpoints, ...dingtalk.endpoints }, senders, dingtalk: dingtalk.settings, logins, wecomLongConnection: wecom.longConnection };
}
