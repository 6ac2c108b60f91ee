import { startFakeServer, type Recorded } from './http-server';
import { encryptWecomMedia } from './wecom-callbacks';

/** A scripted answer; extra fields (invaliduser …) are sent as they are. */
type Reply = { errcode: number; errmsg?: string; [field: string]: unknown } | 'drop' | 'http500' | 'slow';

/**
 * Plays WeCom's HTTP API on loopback: gettoken, message/send, the message-push webhook and
 * the AI bot's response_url. `failNext` scripts errors per path, in order.
 */
/** 通讯录 as WeCom serves it (department/list, user/list, user/simplelist); tests edit it between syncs. */
export interface FakeWecomContacts {
  departments: Array<{ id: number; name: string; parentid: number; order?: number }>;
  users: Array<{ userid: string; name: string; department: number[]; main_department?: number; status?: number }>;
}

export async function startFakeWecom(opts: { corpId?: string; secret?: string; loginCodes?: Record<string, string>; contacts?: FakeWecomContacts } = {}) {
  const contacts: FakeWecomContacts = opts.contacts ?? { departments: [], users: [] };
  const script = new Map<string, Reply[]>();
  let tokenCounter = 0;
  const usedResponseCodes = new Set<string>();
  const validTokens = new Set<string>();
  const fromScript = (path: string) => {
    const r = script.get(path)?.shift();
    if (r === 'drop') return { destroy: true };
    if (r === 'http500') return { status: 500, text: 'Internal Server Error' };
    if (r === 'slow') return { delayMs: 1500, json: { errcode: -1, errmsg: 'system busy' } };
    return r ? { json: r } : undefined;
  };
  /** Group posts WeCom accepted (errcode 0), in arrival order. */
  const delivered: Recorded[] = [];
  /** AI-bot images, stored encrypted as WeCom serves them; an expired one answers 403 (its link lives about five minutes). */
  const media = new Map<string, { body: Buffer; expired: boolean; delayMs?: number }>();
  let mediaCounter = 0;
  const server = await startFakeServer((req: Recorded) => {
    const scripted = fromScript(req.path);
    if (scripted) return scripted;
    if (req.path.startsWith('/media/')) {
      const m = media.get(req.path);
      if (!m) return { status: 404, text: 'not found' };
      if (m.expired) return { status: 403, text: 'url expired' };
      return { bytes: m.body, ...(m.delayMs ? { delayMs: m.delayMs } : {}) };
    }
    switch (req.path) {
      case '/cgi-bin/gettoken': {
        if (req.query.corpid !== (opts.corpId ?? 'ww-test-corp') || req.query.corpsecret !== (opts.secret ?? 'app-secret')) {
          return { json: { errcode: 40013, errmsg: 'invalid corpid' } };
        }
        const token = `token-${++tokenCounter}`;
        validTokens.add(token);
        return { json: { errcode: 0, errmsg: 'ok', access_token: token, expires_in: 7200 } };
      }
      case '/cgi-bin/message/send':
        if (!validTokens.has(req.query.access_token ?? '')) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
        return { json: { errcode: 0, errmsg: 'ok', msgid: `m${req.at}` } };
      case '/cgi-bin/webhook/send':
        if (!req.query.key) return { json: { errcode: 93000, errmsg: 'invalid webhook url' } };
        delivered.push(req);
        return { json: { errcode: 0, errmsg: 'ok' } };
      case '/cgi-bin/auth/getuserinfo': {
        // Sign-in codes: members get a userid, outsiders an openid; a code works once.
        if (!validTokens.has(req.query.access_token ?? '')) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
        const code = req.query.code ?? '';
        const user = opts.loginCodes?.[code];
        if (user === undefined) return { json: { errcode: 40029, errmsg: 'invalid code' } };
        delete opts.loginCodes![code];
        return { json: user.startsWith('openid:') ? { errcode: 0, errmsg: 'ok', openid: user.slice(7) } : { errcode: 0, errmsg: 'ok', userid: user, user_ticket: 't' } };
      }
      case '/cgi-bin/department/list':
        if (!validTokens.has(req.query.access_token ?? '')) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
        return { json: { errcode: 0, errmsg: 'ok', department: contacts.departments.map((d) => ({ ...d, order: d.order ?? 0 })) } };
      case '/cgi-bin/user/list':
      case '/cgi-bin/user/simplelist': {
        if (!validTokens.has(req.query.access_token ?? '')) return { json: { errcode: 42001, errmsg: 'access_token expired' } };
        const dept = Number(req.query.department_id);
        if (!contacts.departments.some((d) => d.id === dept)) return { json: { errcode: 60003, errmsg: 'department not found' } };
        const users = contacts.users.filter((u) => u.department.includes(dept));
        const simple = req.path.endsWith('simplelist');
        return { json: { errcode: 0, errmsg: 'ok', userlist: users.map((u) => (simple ? { userid: u.userid, name: u.name, department: u.department } : { ...u, status: u.status ?? 1, main_department: u.main_department ?? u.department[0] })) } };
      }
      case '/cgi-bin/aibot/response': {
        // A response_url takes one post (智能机器人 主动回复: 每个 response_url 仅可调用一次, 有效期 1 小时).
        // WeCom's code for a second use is not in the documents we found: any non-zero code counts.
        const code = req.query.response_code ?? '';
        if (usedResponseCodes.has(code)) return { json: { errcode: 40058, errmsg: 'response_code has been used' } };
        usedResponseCodes.add(code);
        return { json: { errcode: 0, errmsg: 'ok' } };
      }
    }
    return undefined;
  });
  return {
    ...server,
    contacts,
    failNext(path: string, ...replies: Reply[]) {
      script.set(path, [...(script.get(path) ?? []), ...replies]);
    },
    /** Serves `plain` encrypted with `aesKey` (see encryptWecomMedia); returns the image URL a callback carries. */
    serveImage(plain: Uint8Array, aesKey: string, o: { delayMs?: number } = {}) {
      const path = `/media/${++mediaCounter}-${Math.random().toString(36).slice(2, 8)}`;
      media.set(path, { body: encryptWecomMedia(plain, aesKey), expired: false, ...(o.delayMs ? { delayMs: o.delayMs } : {}) });
      return `${server.base}${path}`;
    },
    /** The image's link has expired (WeCom's last about five minutes). */
    expireImage(url: string) {
      const m = media.get(new URL(url).pathname);
      if (m) m.expired = true;
    },
    mediaRequests: () => server.requests.filter((r) => r.path.startsWith('/media/')),
    /** Simulates WeCom invalidating every token (e.g. the secret was rotated). */
    expireTokens: () => validTokens.clear(),
    tokenCalls: () => server.requests.filter((r) => r.path === '/cgi-bin/gettoken').length,
    posts: (path: string) => server.requests.filter((r) => r.method === 'POST' && r.path === path),
    delivered,
  };
}
