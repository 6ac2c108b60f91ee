import { z } from 'zod';
import { requireGroup } from '../../src/config/env';
import { resolveSecret } from '../../src/directory/secrets';
import { configGetter, perConfig } from '../per-config';
import type { GongzhiConfig } from '../../src/config/schema';
import type { Logger } from '../../src/logger';
import type { InboundEndpoint, OutboundAdapter, WebLogin } from '../types';
import { createWecomClient, DEFAULT_WECOM_API_BASE } from './client';
import { encryptReply } from './crypto';
import { templates } from '../../src/domain/templates';
import type { TokenStore } from '../token-store';
import { parseAibot, parseApp, verifyAibotPost, verifyAppPost, verifyEchostr, type WecomCallbackSettings } from './inbound';
import { createWecomSender } from './sender';
import { createAibotChannel, createAibotSender, type AibotChannel } from './aibot-sender';

const aesKey = z.string().length(43, '须为企业微信后台的 43 位 EncodingAESKey');
export const wecomBotEnv = { WECOM_BOT_TOKEN: z.string().min(1), WECOM_BOT_AES_KEY: aesKey };
/** 智能机器人长连接 (Node only): the bot's id and secret from the admin console; the address only for private deployments. */
export const wecomLongConnectionEnv = {
  WECOM_BOT_ID: z.string().min(1),
  WECOM_BOT_SECRET: z.string().min(1),
  WECOM_BOT_WS_URL: z.string().regex(/^wss?:\/\/\S+$/, '须为 wss:// 开头的长连接地址').optional(),
  /** A private deployment's own CA certificate (PEM file) for WECOM_BOT_WS_URL. */
  WECOM_BOT_WS_CA: z.string().min(1).optional(),
};
export const wecomAppEnv = {
  WECOM_CORP_ID: z.string().min(1),
  WECOM_APP_TOKEN: z.string().min(1),
  WECOM_APP_AES_KEY: aesKey,
  WECOM_AGENT_ID: z.coerce.number().int().positive(),
  WECOM_APP_SECRET: z.string().min(1),
};

const empty = { body: '', contentType: 'text/plain; charset=utf-8' };

/** Marks a message the callback itself answered (the pipeline then posts no second welcome). */
export const ANSWERED_IN_CALLBACK = 'answeredInCallback';

/**
 * The AI bot's callback. Answers go out through the outbox and the response_url, so the passive
 * reply is empty — except the welcome on enter_chat, which WeCom takes only as the encrypted
 * answer to that very callback (被动回复消息 · 回复欢迎语: JSON {msgtype: text}, encrypted and
 * signed like the callback, receive id ''); sent any other way it comes from another sender.
 */
export function createAibotEndpoint(s: WecomCallbackSettings, opts: { welcome?: () => string } = {}): InboundEndpoint {
  const welcome = opts.welcome;
  return {
    platform: 'wecom',
    name: 'wecom',
    handshake: (req) => verifyEchostr(s, req),
    verify: (req) => verifyAibotPost(s, req),
    parse(verified, receivedAt) {
      const m = parseAibot(verified, receivedAt);
      return m?.event === 'enter_chat' && welcome ? { ...m, raw: { ...m.raw, [ANSWERED_IN_CALLBACK]: 'welcome' } } : m;
    },
    ack(message) {
      if (message?.event !== 'enter_chat' || !welcome) return empty;
      const timestamp = String(Math.floor(message.receivedAt.getTime() / 1000));
      const nonce = Array.from(crypto.getRandomValues(new Uint8Array(8)), (b) => b.toString(16).padStart(2, '0')).join('');
      const plaintext = JSON.stringify({ msgtype: 'text', text: { content: welcome() } });
      return { body: JSON.stringify(encryptReply(s.token, s.encodingAesKey, '', plaintext, timestamp, nonce)), contentType: 'application/json' };
    },
  };
}

export function createAppEndpoint(s: WecomCallbackSettings): InboundEndpoint {
  return {
    platform: 'wecom',
    name: 'wecom-app',
    handshake: (req) => verifyEchostr(s, req),
    verify: (req) => verifyAppPost(s, req),
    parse: parseApp,
    ack: () => empty,
  };
}

export interface WecomPlatform {
  endpoints: Record<string, InboundEndpoint>;
  sender: OutboundAdapter | null;
  /** Console sign-in, when the self-built app (corp id, agent id, secret) is configured. */
  login: WebLogin | null;
  /** The AI bot's long connection, when WECOM_BOT_ID/WECOM_BOT_SECRET are set; src/node opens it. */
  longConnection: WecomLongConnectionSettings | null;
}

export interface WecomLongConnectionSettings {
  botId: string;
  secret: string;
  /** Unset: the SDK's default (wss://openws.work.weixin.qq.com). */
  wsUrl?: string;
  /** Path of a PEM CA certificate the server's TLS certificate is checked against (private deployments). */
  caFile?: string;
  /** The sender posts through whatever connection is attached here. */
  channel: AibotChannel;
}

/** WeCom is on when its variables are set or a configured group lives on WeCom. */
export function createWecomPlatform(
  env: Record<string, string | undefined>,
  /** A getter follows the live directory: groups added at runtime get their outbound channel at once. */
  config: GongzhiConfig | (() => GongzhiConfig),
  logger: Logger,
  fetchImpl?: typeof fetch,
  tokens?: TokenStore,
  /** The runtime's clock: a response_url's hour is counted on the same clock that stamped it. */
  now?: () => Date,
): WecomPlatform {
  const current = configGetter(config);
  const bot = requireGroup(env, 'WeCom AI bot (WECOM_BOT_*)', wecomBotEnv);
  const app = requireGroup(env, 'WeCom app (WECOM_CORP_ID, WECOM_APP_*, WECOM_AGENT_ID)', wecomAppEnv);
  const lc = requireGroup(env, 'WeCom AI-bot long connection (WECOM_BOT_ID, WECOM_BOT_SECRET)', wecomLongConnectionEnv);
  const longConnection: WecomLongConnectionSettings | null = lc
    ? { botId: lc.WECOM_BOT_ID, secret: lc.WECOM_BOT_SECRET, ...(lc.WECOM_BOT_WS_URL ? { wsUrl: lc.WECOM_BOT_WS_URL } : {}), ...(lc.WECOM_BOT_WS_CA ? { caFile: lc.WECOM_BOT_WS_CA } : {}), channel: createAibotChannel() }
    : null;
  const endpoints: Record<string, InboundEndpoint> = {};
  if (bot) {
    endpoints.wecom = createAibotEndpoint({
      token: bot.WECOM_BOT_TOKEN,
      encodingAesKey: bot.WECOM_BOT_AES_KEY,
      receiveId: '',
      settingNames: { token: 'WECOM_BOT_TOKEN', aesKey: 'WECOM_BOT_AES_KEY' },
    }, { welcome: () => templates.welcome(current().deployment.botName) });
  }
  if (app) {
    endpoints['wecom-app'] = createAppEndpoint({
      token: app.WECOM_APP_TOKEN,
      encodingAesKey: app.WECOM_APP_AES_KEY,
      receiveId: app.WECOM_CORP_ID,
      settingNames: { token: 'WECOM_APP_TOKEN', aesKey: 'WECOM_APP_AES_KEY', receiveId: 'WECOM_CORP_ID' },
    });
  }
  // No early return without credentials or groups: a group's webhook key needs neither, and a
  // group added in the console later must find a sender without a restart.
  const apiBase = env.WECOM_API_BASE || DEFAULT_WECOM_API_BASE;
  const client = createWecomClient({
    apiBase,
    app: app ? { corpId: app.WECOM_CORP_ID, secret: app.WECOM_APP_SECRET, agentId: app.WECOM_AGENT_ID } : null,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    ...(tokens ? { tokens } : {}),
  });
  // Rebuilt only when the directory is: the sender asks for every post.
  const channels = perConfig(current, (c) => {
    const wecomGroups = c.groups.filter((g) => g.platform === 'wecom');
    return {
      keys: new Map(wecomGroups.flatMap((g) => (g.outbound?.kind === 'wecom-webhook' ? [[g.chatId, g.outbound.key] as const] : []))),
      aibotChats: new Set(wecomGroups.filter((g) => g.outbound?.kind === 'wecom-aibot').map((g) => g.chatId)),
    };
  });
  const login: WebLogin | null = app
    ? {
        platform: 'wecom',
        label: '企业微信',
        codeParam: 'code',
        authorizeUrl(redirectUri, state, userAgent) {
          // Inside the WeCom client the page signs in silently (网页授权); elsewhere the user scans a QR code.
          if (/wxwork/i.test(userAgent)) {
            const q = new URLSearchParams({ appid: app.WECOM_CORP_ID, redirect_uri: redirectUri, response_type: 'code', scope: 'snsapi_base', state, agentid: String(app.WECOM_AGENT_ID) });
            return `https://open.weixin.qq.com/connect/oauth2/authorize?${q}#wechat_redirect`;
          }
          const q = new URLSearchParams({ login_type: 'CorpApp', appid: app.WECOM_CORP_ID, agentid: String(app.WECOM_AGENT_ID), redirect_uri: redirectUri, state });
          return `https://login.work.weixin.qq.com/wwlogin/sso/login?${q}`;
        },
        userIdFromCode: (code) => client.loginUserId(code),
      }
    : null;
  // The directory holds "${VAR}" (src/directory/secrets.ts): read for each post, never stored resolved.
  const webhookKeyFor = (chatId: string): string | null => {
    const key = channels().keys.get(chatId);
    if (key === undefined) return null;
    const r = resolveSecret(key, env);
    if (!r.ok) logger.warn('wecom.group_key_missing', { chatId, variable: r.variable, hint: r.problem });
    return r.ok ? r.value : null;
  };
  const sender = createWecomSender({ client, webhookKeyFor, logger, replyHosts: [new URL(apiBase).host], ...(now ? { now } : {}) });
  if (!longConnection) return { endpoints, sender, login, longConnection };
  const aibot = createAibotSender({
    channel: longConnection.channel,
    fallback: sender,
    // A group with a webhook key keeps it; any other WeCom group is reached through the connection.
    isAibotChat: (chatId) => channels().aibotChats.has(chatId) || !channels().keys.has(chatId),
    directViaAibot: !app,
    logger,
    // Reply windows are counted on the clock that stamped the message.
    ...(now ? { now } : {}),
  });
  return { endpoints, sender: aibot, login, longConnection };
}
