import { z } from 'zod';
import { requireGroup } from '../../src/config/env';
import type { GongzhiConfig } from '../../src/config/schema';
import type { Logger } from '../../src/logger';
import type { InboundEndpoint, OutboundAdapter, WebLogin } from '../types';
import { createDingtalkClient, DEFAULT_DINGTALK_API_BASE, DEFAULT_DINGTALK_OAPI_BASE } from './client';
import type { TokenStore } from '../token-store';
import { resolveSecret } from '../../src/directory/secrets';
import { configGetter, perConfig } from '../per-config';
import { parseDingtalkRobot } from './inbound';
import { createDingtalkSender, type DingtalkGroupOutbound } from './sender';
import { MAX_CLOCK_SKEW_MS, verifyDingtalkHeaders } from './sign';

export const dingtalkEnv = {
  DINGTALK_CLIENT_ID: z.string().min(1),
  DINGTALK_CLIENT_SECRET: z.string().min(1),
  DINGTALK_MODE: z.enum(['http', 'stream']).default('http'),
  /** Optional: a card template with 认领/办结 buttons (Stream mode receives the clicks). */
  DINGTALK_CARD_TEMPLATE_ID: z.string().min(1).optional(),
};

/** How many messages one (timestamp, sign) may bring, and for how long after its timestamp. */
export const SAME_MS_CALLBACKS = 4;
export const SAME_MS_WINDOW_MS = 10_000;

export function createDingtalkEndpoint(secret: string, corpId?: string): InboundEndpoint {
  return {
    platform: 'dingtalk',
    name: 'dingtalk',
    verify(req, now) {
      const check = verifyDingtalkHeaders(req.headers, secret, now);
      return check.ok ? { ok: true, value: req.body } : check;
    },
    parse: (json, receivedAt) => parseDingtalkRobot(json, receivedAt, { corpId }),
    signatureKey(req) {
      const timestamp = req.headers.get('timestamp');
      const sign = req.headers.get('sign');
      // Either side of the window: a timestamp up to an hour ahead stays valid for two hours.
      if (!timestamp || !sign) return null;
      // The sign covers the timestamp only: callbacks DingTalk sends in the same millisecond carry
      // the same one, so a few may share it while it is seconds old (see SignatureKey.shared).
      const ts = Number(timestamp);
      return { key: `dingtalk:${timestamp}:${sign}`, validForMs: 2 * MAX_CLOCK_SKEW_MS, shared: { max: SAME_MS_CALLBACKS, until: new Date(ts + SAME_MS_WINDOW_MS) } };
    },
    // Replies go through the session webhook from the outbox; the callback answer stays empty.
    ack: () => ({ body: '{}', contentType: 'application/json' }),
  };
}

export interface DingtalkPlatform {
  endpoints: Record<string, InboundEndpoint>;
  sender: OutboundAdapter | null;
  settings: { clientId: string; clientSecret: string; mode: 'http' | 'stream'; apiBase: string; corpId?: string | undefined } | null;
  /** Console sign-in (扫码登录) with the same app. */
  login: WebLogin | null;
}

export function createDingtalkPlatform(
  env: Record<string, string | undefined>,
  /** A getter follows the live directory: groups added at runtime get their outbound channel at once. */
  config: GongzhiConfig | (() => GongzhiConfig),
  logger: Logger,
  fetchImpl?: typeof fetch,
  tokens?: TokenStore,
): DingtalkPlatform {
  const current = configGetter(config);
  const settings = requireGroup(env, 'DingTalk (DINGTALK_CLIENT_ID, DINGTALK_CLIENT_SECRET)', dingtalkEnv);
  const groups = current().groups.filter((g) => g.platform === 'dingtalk');
  const customOnly = groups.every((g) => g.outbound?.kind === 'dingtalk-custom-robot');
  if (!settings && groups.length && !customOnly) {
    throw new Error('DingTalk groups are configured with the app robot: set DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET');
  }
  // No early return without credentials or groups: a custom robot's access token needs no app, and
  // a group added in the console later must find a sender without a restart (as WeCom's does).
  const apiBase = env.DINGTALK_API_BASE || DEFAULT_DINGTALK_API_BASE;
  const oapiBase = env.DINGTALK_OAPI_BASE || DEFAULT_DINGTALK_OAPI_BASE;
  const client = createDingtalkClient({
    apiBase,
    oapiBase,
    clientId: settings?.DINGTALK_CLIENT_ID ?? '',
    clientSecret: settings?.DINGTALK_CLIENT_SECRET ?? '',
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
    ...(tokens ? { tokens } : {}),
  });
  // Rebuilt only when the directory is: the sender asks for every post.
  const channels = perConfig(current, (c) => {
    const outbound = new Map<string, DingtalkGroupOutbound>();
    for (const g of c.groups) {
      if (g.platform === 'dingtalk' && (g.outbound?.kind === 'dingtalk-robot' || g.outbound?.kind === 'dingtalk-custom-robot')) outbound.set(g.chatId, g.outbound);
    }
    // App-robot group posts cannot @ anyone: the sender names the staff in the text instead.
    const names = new Map(c.staff.flatMap((s) => (s.accounts.dingtalk ? [[s.accounts.dingtalk, s.name] as const] : [])));
    return { outbound, names };
  });
  // The directory holds "${VAR}" for a custom robot's token and secret (src/directory/secrets.ts): read for each post.
  const outboundFor = (chatId: string): DingtalkGroupOutbound | null => {
    const out = channels().outbound.get(chatId);
    if (!out || out.kind !== 'dingtalk-custom-robot') return out ?? null;
    const token = resolveSecret(out.accessToken, env);
    const secret = out.secret === undefined ? null : resolveSecret(out.secret, env);
    const failed = !token.ok ? token : secret && !secret.ok ? secret : null;
    if (failed || !token.ok || (secret && !secret.ok)) {
      logger.warn('dingtalk.group_secret_missing', { chatId, variable: failed?.variable ?? null, hint: failed?.problem ?? null });
      return null;
    }
    return { kind: 'dingtalk-custom-robot', accessToken: token.value, ...(secret ? { secret: secret.value } : {}) };
  };
  const endpoints: Record<string, InboundEndpoint> = {};
  // The HTTP endpoint also serves in Stream mode: a deployment may switch modes without losing callbacks.
  // Optional, apart from the app's group: only staff of this organisation are staff (see foreignCorp).
  const corpId = env.DINGTALK_CORP_ID?.trim() || undefined;
  if (settings) endpoints.dingtalk = createDingtalkEndpoint(settings.DINGTALK_CLIENT_SECRET, corpId);
  return {
    endpoints,
    sender: createDingtalkSender({
      client,
      outboundFor,
      logger,
      nameOf: (userId) => channels().names.get(userId) ?? null,
      replyHosts: [new URL(apiBase).host, new URL(oapiBase).host],
      hasApp: settings !== null,
      // Card clicks arrive on the Stream card topic, so cards are used in Stream mode only.
      cardTemplateId: settings?.DINGTALK_MODE === 'stream' ? settings.DINGTALK_CARD_TEMPLATE_ID : undefined,
    }),
    settings: settings ? { clientId: settings.DINGTALK_CLIENT_ID, clientSecret: settings.DINGTALK_CLIENT_SECRET, mode: settings.DINGTALK_MODE, apiBase, corpId } : null,
    login: settings
      ? {
          platform: 'dingtalk',
          label: '钉钉',
          codeParam: 'authCode',
          authorizeUrl: (redirectUri, state) =>
            `https://login.dingtalk.com/oauth2/auth?${new URLSearchParams({ redirect_uri: redirectUri, response_type: 'code', client_id: settings.DINGTALK_CLIENT_ID, scope: 'openid', state, prompt: 'consent' })}`,
          userIdFromCode: (code) => client.loginUserId(code),
        }
      : null,
  };
}
