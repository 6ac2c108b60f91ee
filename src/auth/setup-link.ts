import { Hono } from 'hono';
import { passwordProblem } from './password';
import { randomToken, sha256Hex } from './tokens';
import { setConsolePassword } from '../repo/console-accounts';
import type { Services } from '../services';

export const SETUP_PATH = '/console/setup';
/** Long enough to open a browser on the server's address; short enough that a scrolled-back terminal is no risk. */
export const SETUP_LINK_MS = 30 * 60_000;

/**
 * The first start's one-time link to give the configured admin a console password. It lives in
 * this process only (held as its SHA-256): printed once to the terminal, never to the log; it
 * expires, works once, and answers 404 as soon as any console account exists — so a later start,
 * or a start after `cli account create`, prints nothing and serves nothing.
 */
export interface SetupLinks {
  /** A fresh link for the first admin when nobody has a console account yet; null otherwise. */
  offer(base: string): Promise<{ url: string; staffId: string; expiresAt: Date } | null>;
  app: Hono;
}

const noAccountYet = async (services: Services) => !(await services.db.selectFrom('console_accounts').select('staff_id').limit(1).executeTakeFirst());

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const page = (title: string, body: string) =>
  `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head><body style="font-family:sans-serif;max-width:28rem;margin:3rem auto"><h1>${escape(title)}</h1>${body}</body></html>`;

export function createSetupLinks(services: Services): SetupLinks {
  let current: { hash: string; staffId: string; expiresAt: number } | null = null;
  const admin = () => services.config.staff.find((s) => s.role === 'admin' && s.active !== false);

  /** The staff id the token is good for, or null (wrong, used, expired, or an account exists). */
  async function valid(token: string): Promise<string | null> {
    if (!current || !token || services.now().getTime() >= current.expiresAt) return null;
    if ((await sha256Hex(token)) !== current.hash) return null;
    if (!(await noAccountYet(services))) {
      current = null;
      return null;
    }
    return current.staffId;
  }

  const app = new Hono();
  const headers = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };
  const form = (token: string, staffId: string, problem?: string) =>
    page(
      '设置管理员密码',
      `<p>为管理员 <b>${escape(staffId)}</b> 设置工作台密码（至少 10 位）。此链接只能用一次。</p>${problem ? `<p role="alert" style="color:#b00">${escape(problem)}</p>` : ''}` +
        `<form method="post"><input type="hidden" name="token" value="${escape(token)}"><p><label>密码 <input type="password" name="password" autocomplete="new-password" required minlength="10"></label></p><p><label>再输一次 <input type="password" name="again" autocomplete="new-password" required></label></p><button>设置并去登录</button></form>`,
    );
  const gone = () => new Response(page('链接无效', '<p>此设置链接已用过、已过期或已不需要。请用 <code>npm run cli -- account create &lt;编号&gt;</code> 开通账号。</p>'), { status: 404, headers: { ...headers, 'content-type': 'text/html; charset=utf-8' } });

  app.get(SETUP_PATH, async (c) => {
    const token = c.req.query('token') ?? '';
    const staffId = await valid(token);
    if (!staffId) return gone();
    return c.html(form(token, staffId), 200, headers);
  });
  app.post(SETUP_PATH, async (c) => {
    const body = await c.req.parseBody();
    const token = String(body.token ?? '');
    const staffId = await valid(token);
    if (!staffId) return gone();
    const password = String(body.password ?? '');
    const problem = passwordProblem(password) ?? (password !== String(body.again ?? '') ? '两次输入的密码不一致' : null);
    if (problem) return c.html(form(token, staffId, problem), 400, headers);
    // Single use: gone before the (slow) hashing, so a second submit cannot race it.
    current = null;
    await setConsolePassword(services.db, staffId, password, services.now());
    services.logger.info('console.first_admin_set', { staffId });
    return c.redirect('/console/login', 303);
  });

  return {
    app,
    async offer(base) {
      const who = admin();
      if (!who || !(await noAccountYet(services))) return null;
      const token = randomToken();
      const expiresAt = new Date(services.now().getTime() + SETUP_LINK_MS);
      current = { hash: await sha256Hex(token), staffId: who.id, expiresAt: expiresAt.getTime() };
      return { url: `${base.replace(/\/+$/, '')}${SETUP_PATH}?token=${token}`, staffId: who.id, expiresAt };
    },
  };
}
