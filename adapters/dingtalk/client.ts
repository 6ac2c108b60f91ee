import { LoginRefusedError } from '../types';
import { z } from 'zod';
import { customRobotQuery } from './sign';
import { createMemoryTokenStore, type CachedToken, type TokenStore } from '../token-store';

export const DEFAULT_DINGTALK_API_BASE = 'https://api.dingtalk.com';
export const DEFAULT_DINGTALK_OAPI_BASE = 'https://oapi.dingtalk.com';

/** A DingTalk answer reduced to what the sender needs to decide on retries. */
export type DingtalkOutcome = { ok: true; body?: unknown } | { ok: false; status: number; code: string; message: string };

export interface DingtalkClientOptions {
  apiBase: string;
  oapiBase: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  /** Shared token cache (the database on Workers and with several instances); in memory by default. */
  tokens?: TokenStore;
}

const tokenAnswer = z.object({ accessToken: z.string(), expireIn: z.number() });
const oapiAnswer = z.object({ errcode: z.number(), errmsg: z.string().optional() }).passthrough();
const openApiError = z.object({ code: z.string().optional(), message: z.string().optional() }).passthrough();

export function createDingtalkClient(opts: DingtalkClientOptions) {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const api = opts.apiBase.replace(/\/+$/, '');
  const oapi = opts.oapiBase.replace(/\/+$/, '');
  let token: { value: string; expiresAt: number } | null = null;
  let pending: Promise<string> | null = null;
  const timeout = () => AbortSignal.timeout(opts.timeoutMs ?? 10_000);

  const tokens = opts.tokens ?? createMemoryTokenStore(now);
  const tokenKey = `dingtalk:${opts.clientId}`;

  async function fetchToken(): Promise<CachedToken> {
    const res = await doFetch(`${api}/v1.0/oauth2/accessToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appKey: opts.clientId, appSecret: opts.clientSecret }),
      signal: timeout(),
    });
    const parsed = tokenAnswer.safeParse(await res.json().catch(() => null));
    if (!res.ok || !parsed.success) throw new Error(`DingTalk accessToken failed (HTTP ${res.status}): check DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET`);
    return { value: parsed.data.accessToken, expiresAt: now() + Math.max(60, parsed.data.expireIn - 300) * 1000 };
  }
  async function accessToken(): Promise<string> {
    if (token && token.expiresAt > now()) return token.value;
    pending ??= tokens
      .get(tokenKey, fetchToken)
      .then((t) => (token = t).value)
      .finally(() => (pending = null));
    return pending;
  }

  /** New-style OpenAPI (api.dingtalk.com): errors come as HTTP 4xx/5xx with {code, message}. */
  async function openApi(path: string, body: unknown, retried = false, method: 'POST' | 'PUT' = 'POST'): Promise<DingtalkOutcome> {
    const used = await accessToken();
    const res = await doFetch(`${api}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': used },
      body: JSON.stringify(body),
      signal: timeout(),
    });
    // A 200 may still carry per-recipient failures (deliverResults, invalidStaffIdList): the sender reads the body.
    if (res.ok) return { ok: true, body: await res.json().catch(() => null) };
    const err = openApiError.safeParse(await res.json().catch(() => ({})));
    const code = (err.success && err.data.code) || `HTTP${res.status}`;
    if (res.status === 401 && !retried) {
      token = null;
      await tokens.invalidate(tokenKey, used);
      return openApi(path, body, true, method);
    }
    return { ok: false, status: res.status, code, message: (err.success && err.data.message) || res.statusText };
  }

  /** Old-style endpoints (oapi, session webhooks): HTTP 200 with {errcode, errmsg}; errcode is what counts. */
  async function oapiPost(url: string, body: unknown): Promise<DingtalkOutcome> {
    const res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: timeout() });
    if (!res.ok) return { ok: false, status: res.status, code: `HTTP${res.status}`, message: res.statusText };
    const parsed = oapiAnswer.safeParse(await res.json().catch(() => null));
    if (!parsed.success) return { ok: false, status: 502, code: 'BAD_ANSWER', message: 'unexpected answer' };
    return parsed.data.errcode === 0 ? { ok: true } : { ok: false, status: 200, code: String(parsed.data.errcode), message: parsed.data.errmsg ?? '' };
  }

  /** 扫码登录: authCode → the user's token → unionId → the organisation's userid (what staff accounts hold). */
  async function loginUserId(authCode: string): Promise<string> {
    const tokenRes = await doFetch(`${api}/v1.0/oauth2/userAccessToken`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: opts.clientId, clientSecret: opts.clientSecret, code: authCode, grantType: 'authorization_code' }),
      signal: timeout(),
    });
    const userToken = z.object({ accessToken: z.string() }).safeParse(await tokenRes.json().catch(() => null));
    if (!tokenRes.ok || !userToken.success) throw new LoginRefusedError(`钉钉登录失败：授权码无效或已过期（HTTP ${tokenRes.status}）`);
    const meRes = await doFetch(`${api}/v1.0/contact/users/me`, { headers: { 'x-acs-dingtalk-access-token': userToken.data.accessToken }, signal: timeout() });
    const me = z.object({ unionId: z.string().min(1) }).safeParse(await meRes.json().catch(() => null));
    if (!meRes.ok || !me.success) throw new LoginRefusedError(`钉钉登录失败：无法读取用户信息（HTTP ${meRes.status}）`);
    const res = await doFetch(`${oapi}/topapi/user/getbyunionid?access_token=${encodeURIComponent(await accessToken())}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ unionid: me.data.unionId }),
      signal: timeout(),
    });
    const found = z.object({ errcode: z.number(), errmsg: z.string().optional(), result: z.object({ userid: z.string() }).optional() }).safeParse(await res.json().catch(() => null));
    if (!found.success || found.data.errcode !== 0 || !found.data.result) throw new LoginRefusedError('该钉钉账号不是本单位成员');
    return found.data.result.userid;
  }

  /**
   * A picture or file a user sent the robot: its downloadCode → a temporary download URL
   * (POST /v1.0/robot/messageFiles/download); a refusal carries the HTTP status and the platform's code.
   */
  async function messageFileUrl(downloadCode: string, robotCode: string, signal?: AbortSignal): Promise<{ ok: true; url: string } | { ok: false; status: number; code: string }> {
    const res = await doFetch(`${api}/v1.0/robot/messageFiles/download`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-acs-dingtalk-access-token': await accessToken() },
      body: JSON.stringify({ downloadCode, robotCode }),
      signal: signal ?? timeout(),
    });
    const json = await res.json().catch(() => null);
    const answer = z.object({ downloadUrl: z.string().min(1) }).safeParse(json);
    if (res.ok && answer.success) return { ok: true, url: answer.data.downloadUrl };
    const err = openApiError.safeParse(json ?? {});
    return { ok: false, status: res.status, code: (err.success && err.data.code) || `HTTP${res.status}` };
  }

  return {
    loginUserId,
    messageFileUrl,
    sendGroup: (openConversationId: string, msgKey: string, msgParam: Record<string, unknown>) =>
      openApi('/v1.0/robot/groupMessages/send', { robotCode: opts.clientId, openConversationId, msgKey, msgParam: JSON.stringify(msgParam) }),
    sendDirect: (userIds: string[], msgKey: string, msgParam: Record<string, unknown>) =>
      openApi('/v1.0/robot/oToMessages/batchSend', { robotCode: opts.clientId, userIds, msgKey, msgParam: JSON.stringify(msgParam) }),
    /** An interactive card in a group, with button clicks delivered on the Stream card topic. */
    createGroupCard: (openConversationId: string, templateId: string, outTrackId: string, params: Record<string, string>) =>
      openApi('/v1.0/card/instances/createAndDeliver', {
        cardTemplateId: templateId,
        outTrackId,
        callbackType: 'STREAM',
        cardData: { cardParamMap: params },
        openSpaceId: `dtv1.card//IM_GROUP.${openConversationId}`,
        imGroupOpenSpaceModel: { supportForward: true },
        imGroupOpenDeliverModel: { robotCode: opts.clientId },
      }),
    /** Updates a delivered card's variables in place (高级卡片 更新卡片: PUT /v1.0/card/instances). */
    updateCard: (outTrackId: string, params: Record<string, string>) =>
      openApi('/v1.0/card/instances', { outTrackId, cardData: { cardParamMap: params }, cardUpdateOptions: { updateCardDataByKey: true } }, false, 'PUT'),
    sendSession: (sessionWebhook: string, body: unknown) => {
      const u = new URL(sessionWebhook);
      // Session webhooks live on oapi.dingtalk.com: route them through the configured host too.
      const target = u.hostname === 'oapi.dingtalk.com' ? `${oapi}${u.pathname}${u.search}` : sessionWebhook;
      return oapiPost(target, body);
    },
    sendCustomRobot: (accessTokenValue: string, secret: string | undefined, body: unknown) =>
      oapiPost(`${oapi}/robot/send?${customRobotQuery(accessTokenValue, secret, new Date(now()))}`, body),
    hasToken: () => token !== null && token.expiresAt > now(),
  };
}
export type DingtalkClient = ReturnType<typeof createDingtalkClient>;
