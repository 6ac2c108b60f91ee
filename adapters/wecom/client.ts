import { LoginRefusedError } from '../types';
import { z } from 'zod';
import { createMemoryTokenStore, type CachedToken, type TokenStore } from '../token-store';

export const DEFAULT_WECOM_API_BASE = 'https://qyapi.weixin.qq.com';

const result = z.object({ errcode: z.number(), errmsg: z.string().optional() }).passthrough();
export type WecomResult = z.infer<typeof result>;

export class WecomHttpError extends Error {
  constructor(readonly status: number) {
    super(`WeCom answered HTTP ${status}`);
  }
}

export interface WecomClientOptions {
  apiBase: string;
  app?: { corpId: string; secret: string; agentId: number } | null;
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
  /** Shared token cache (the database on Workers and with several instances); in memory by default. */
  tokens?: TokenStore;
}

/** Token errors that mean "fetch a new access_token and try once more". */
const TOKEN_EXPIRED = new Set([40014, 42001, 40001]);

/**
 * A small typed client for the parts of the WeCom HTTP API gongzhi uses. Every host comes
 * from `apiBase`, so tests and fixed-IP egress proxies work; response_urls on WeCom's own
 * host are rewritten to it too.
 */
export function createWecomClient(opts: WecomClientOptions) {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const base = opts.apiBase.replace(/\/+$/, '');
  let token: { value: string; expiresAt: number } | null = null;
  let pendingToken: Promise<string> | null = null;

  async function call(url: string, init?: RequestInit): Promise<WecomResult> {
    const res = await doFetch(url, { ...init, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    if (!res.ok) throw new WecomHttpError(res.status);
    const parsed = result.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new WecomHttpError(502);
    return parsed.data;
  }
  const postJson = (url: string, body: unknown) =>
    call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const tokens = opts.tokens ?? createMemoryTokenStore(now);
  const tokenKey = opts.app ? `wecom:${opts.app.corpId}:${opts.app.agentId}` : 'wecom:none';

  async function fetchToken(): Promise<CachedToken> {
    const app = opts.app;
    if (!app) throw new Error('WeCom app is not configured (WECOM_CORP_ID, WECOM_APP_SECRET, WECOM_AGENT_ID)');
    const r = await call(`${base}/cgi-bin/gettoken?corpid=${encodeURIComponent(app.corpId)}&corpsecret=${encodeURIComponent(app.secret)}`);
    if (r.errcode !== 0 || typeof r.access_token !== 'string') {
      throw new Error(`gettoken failed: ${r.errcode} ${r.errmsg ?? ''} (check WECOM_CORP_ID and WECOM_APP_SECRET)`);
    }
    const ttl = typeof r.expires_in === 'number' ? r.expires_in : 7200;
    // Refresh five minutes early so a token never expires between check and use.
    return { value: r.access_token, expiresAt: now() + Math.max(60, ttl - 300) * 1000 };
  }

  async function accessToken(): Promise<string> {
    if (token && token.expiresAt > now()) return token.value;
    // Concurrent senders share one refresh (across processes too, when the store is shared).
    pendingToken ??= tokens
      .get(tokenKey, fetchToken)
      .then((t) => (token = t).value)
      .finally(() => (pendingToken = null));
    return pendingToken;
  }

  /** Calls an access_token API, fetching a new token and trying once more when WeCom says it expired. */
  async function withToken(request: (token: string) => Promise<WecomResult>): Promise<WecomResult> {
    const used = await accessToken();
    const first = await request(used);
    if (!TOKEN_EXPIRED.has(first.errcode)) return first;
    token = null;
    await tokens.invalidate(tokenKey, used);
    return request(await accessToken());
  }

  return {
    /** message/send to staff one-to-one, refreshing the token once when WeCom says it expired. */
    async sendAppText(toUser: string, content: string): Promise<WecomResult> {
      const app = opts.app;
      if (!app) throw new Error('WeCom app is not configured (WECOM_CORP_ID, WECOM_APP_SECRET, WECOM_AGENT_ID)');
      const body = { touser: toUser, msgtype: 'text', agentid: app.agentId, text: { content } };
      return withToken((t) => postJson(`${base}/cgi-bin/message/send?access_token=${encodeURIComponent(t)}`, body));
    },
    /** 消息推送 (group robot) webhook. */
    sendWebhook(key: string, body: unknown): Promise<WecomResult> {
      return postJson(`${base}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`, body);
    },
    /** The AI bot's one-shot response_url. */
    postResponseUrl(url: string, body: unknown): Promise<WecomResult> {
      const u = new URL(url);
      const target = u.hostname === 'qyapi.weixin.qq.com' ? `${base}${u.pathname}${u.search}` : url;
      return postJson(target, body);
    },
    /** 扫码/网页授权登录: the member's userid for a one-time code (auth/getuserinfo). */
    async loginUserId(code: string): Promise<string> {
      const r = await withToken((t) => call(`${base}/cgi-bin/auth/getuserinfo?access_token=${encodeURIComponent(t)}&code=${encodeURIComponent(code)}`));
      if (r.errcode !== 0) throw new LoginRefusedError(`企业微信登录失败：${r.errcode} ${r.errmsg ?? ''}`.trim());
      // Non-members get an openid instead of a userid.
      if (typeof r.userid !== 'string' || !r.userid) throw new LoginRefusedError('该企业微信账号不是本单位成员');
      return r.userid;
    },
    /** For tests and health checks: whether a token is cached. */
    hasToken: () => token !== null && token.expiresAt > now(),
  };
}
export type WecomClient = ReturnType<typeof createWecomClient>;
