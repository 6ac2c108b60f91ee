import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { startFakeServer, type Recorded } from './http-server';

type Reply = { status: number; json: unknown } | 'drop';

export interface StreamFrame {
  specVersion?: string;
  type: 'SYSTEM' | 'CALLBACK' | 'EVENT';
  headers: Record<string, string>;
  data: string;
}

/**
 * Plays DingTalk on loopback: the OpenAPI (accessToken, groupMessages/send, oToMessages),
 * the oapi host (session webhooks, custom robots), and Stream mode — the gateway that hands
 * out `{endpoint, ticket}` and a WebSocket server that pushes frames in DingTalk's format.
 */
/** 通讯录 as DingTalk serves it (topapi/v2/department/listsub, topapi/v2/user/list); tests edit it between syncs. */
export interface FakeDingtalkContacts {
  departments: Array<{ dept_id: number; name: string; parent_id: number }>;
  users: Array<{ userid: string; name: string; dept_id_list: number[] }>;
}

export async function startFakeDingtalk(opts: { clientId: string; clientSecret: string; loginCodes?: Record<string, string>; unionIds?: Record<string, string>; contacts?: FakeDingtalkContacts }) {
  const contacts: FakeDingtalkContacts = opts.contacts ?? { departments: [], users: [] };
  const script = new Map<string, Reply[]>();
  let gatewayDown = 0;
  const tickets = new Set<string>();
  const sockets: WebSocket[] = [];
  const clientFrames: Array<{ socket: number; frame: { code: number; headers: Record<string, string>; data?: string } }> = [];
  let tokenCount = 0;
  const cards = new Set<string>();

  /** Files users sent the robot, by downloadCode; served at `path` like DingTalk's temporary download links. */
  const files = new Map<string, { path: string; bytes: Uint8Array; status?: number }>();
  const http = await startFakeServer((req: Recorded) => {
    const scripted = script.get(req.path)?.shift();
    if (scripted === 'drop') return { destroy: true };
    if (scripted) return scripted;
    if (req.path.startsWith('/files/')) {
      const f = [...files.values()].find((x) => x.path === req.path);
      if (!f) return { status: 404, text: 'not found' };
      return f.status ? { status: f.status, text: 'gone' } : { bytes: f.bytes };
    }
    switch (req.path) {
      case '/v1.0/oauth2/accessToken': {
        const b = req.body as { appKey?: string; appSecret?: string };
        if (b.appKey !== opts.clientId || b.appSecret !== opts.clientSecret) return { status: 400, json: { code: 'invalidClientId', message: 'bad app' } };
        return { json: { accessToken: `dt-token-${++tokenCount}`, expireIn: 7200 } };
      }
      case '/v1.0/robot/groupMessages/send':
      case '/v1.0/robot/oToMessages/batchSend':
        if (!String(req.headers['x-acs-dingtalk-access-token'] ?? '').startsWith('dt-token-')) return { status: 401, json: { code: 'InvalidAuthentication', message: 'token' } };
        return { json: { processQueryKey: randomUUID() } };
      case '/v1.0/card/instances/createAndDeliver':
        if (!String(req.headers['x-acs-dingtalk-access-token'] ?? '').startsWith('dt-token-')) return { status: 401, json: { code: 'InvalidAuthentication', message: 'token' } };
        cards.add((req.body as { outTrackId: string }).outTrackId);
        return { json: { success: true, result: { outTrackId: (req.body as { outTrackId: string }).outTrackId } } };
      case '/v1.0/card/instances':
        // 更新卡片 (PUT): only a card created before can be updated.
        if (!String(req.headers['x-acs-dingtalk-access-token'] ?? '').startsWith('dt-token-')) return { status: 401, json: { code: 'InvalidAuthentication', message: 'token' } };
        if (req.method !== 'PUT') return { status: 404, json: { code: 'NotFound', message: 'method' } };
        if (!cards.has((req.body as { outTrackId?: string }).outTrackId ?? '')) return { status: 400, json: { code: 'param.cardNotExist', message: '卡片不存在' } };
        return { json: { success: true, result: true } };
      case '/v1.0/robot/messageFiles/download': {
        // downloadCode → a temporary URL (机器人接收消息的文件下载); codes of other robots are refused.
        if (!String(req.headers['x-acs-dingtalk-access-token'] ?? '').startsWith('dt-token-')) return { status: 401, json: { code: 'InvalidAuthentication', message: 'token' } };
        const b = req.body as { downloadCode?: string; robotCode?: string };
        const file = files.get(b.downloadCode ?? '');
        if (!file || b.robotCode !== opts.clientId) return { status: 400, json: { code: 'invalidParameter.downloadCode', message: 'downloadCode 无效或已过期' } };
        return { json: { downloadUrl: `${http.base}${file.path}` } };
      }
      case '/v1.0/oauth2/userAccessToken': {
        const b = req.body as { clientId?: string; clientSecret?: string; code?: string; grantType?: string };
        const unionId = opts.loginCodes?.[b.code ?? ''];
        if (b.clientId !== opts.clientId || b.clientSecret !== opts.clientSecret || b.grantType !== 'authorization_code' || !unionId) {
          return { status: 400, json: { code: 'invalidAuthCode', message: 'authCode is invalid' } };
        }
        delete opts.loginCodes![b.code!];
        return { json: { accessToken: `user-token:${unionId}`, refreshToken: 'r', expireIn: 7200 } };
      }
      case '/v1.0/contact/users/me': {
        const t = String(req.headers['x-acs-dingtalk-access-token'] ?? '');
        if (!t.startsWith('user-token:')) return { status: 401, json: { code: 'InvalidAuthentication', message: 'token' } };
        return { json: { nick: '钉钉用户', unionId: t.slice(11), openId: 'o' } };
      }
      case '/topapi/user/getbyunionid': {
        if (!String(req.query.access_token ?? '').startsWith('dt-token-')) return { json: { errcode: 88, errmsg: 'invalid token' } };
        const userid = opts.unionIds?.[(req.body as { unionid?: string }).unionid ?? ''];
        return { json: userid ? { errcode: 0, errmsg: 'ok', result: { contact_type: 0, userid } } : { errcode: 60121, errmsg: '找不到该用户' } };
      }
      case '/topapi/v2/department/listsub': {
        if (!String(req.query.access_token ?? '').startsWith('dt-token-')) return { json: { errcode: 88, errmsg: 'invalid token' } };
        const parent = Number((req.body as { dept_id?: number }).dept_id ?? 1);
        const result = contacts.departments.filter((d) => d.parent_id === parent).map((d) => ({ ...d, create_dept_group: false, auto_add_user: false }));
        return { json: { errcode: 0, errmsg: 'ok', result, request_id: randomUUID() } };
      }
      case '/topapi/v2/user/list': {
        // Paged by cursor (an offset) and size (at most 100).
        if (!String(req.query.access_token ?? '').startsWith('dt-token-')) return { json: { errcode: 88, errmsg: 'invalid token' } };
        const b = req.body as { dept_id?: number; cursor?: number; size?: number };
        if (!b.size || b.size > 100) return { json: { errcode: 400002, errmsg: 'size 无效' } };
        const all = contacts.users.filter((u) => u.dept_id_list.includes(Number(b.dept_id)));
        const from = b.cursor ?? 0;
        const list = all.slice(from, from + b.size).map((u) => ({ ...u, unionid: `u-${u.userid}`, active: true }));
        const more = from + b.size < all.length;
        return { json: { errcode: 0, errmsg: 'ok', result: { has_more: more, ...(more ? { next_cursor: from + b.size } : {}), list }, request_id: randomUUID() } };
      }
      case '/robot/sendBySession':
      case '/robot/send':
        return { json: { errcode: 0, errmsg: 'ok' } };
      case '/v1.0/gateway/connections/open': {
        if (gatewayDown > 0) {
          gatewayDown--;
          return { status: 503, json: { code: 'ServiceUnavailable', message: 'down' } };
        }
        const b = req.body as { clientId?: string; clientSecret?: string };
        if (b.clientId !== opts.clientId || b.clientSecret !== opts.clientSecret) return { status: 401, json: { code: 'unauthorized' } };
        const ticket = randomUUID();
        tickets.add(ticket);
        return { json: { endpoint: `${http.base.replace('http', 'ws')}/connect`, ticket } };
      }
    }
    return undefined;
  });

  const wss = new WebSocketServer({ noServer: true });
  http.server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/connect' || !tickets.delete(ticket)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const index = sockets.push(ws) - 1;
      ws.on('message', (raw) => clientFrames.push({ socket: index, frame: JSON.parse(String(raw)) }));
      ws.send(JSON.stringify(frame('SYSTEM', 'CONNECTED', '{}')));
    });
  });

  const frame = (type: StreamFrame['type'], topic: string, data: string, messageId = randomUUID()): StreamFrame => ({
    specVersion: '1.0',
    type,
    headers: { appId: opts.clientId, connectionId: 'conn', contentType: 'application/json', messageId, time: String(Date.now()), topic },
    data,
  });
  const open = () => sockets.filter((s) => s.readyState === s.OPEN);

  return {
    ...http,
    contacts,
    failNext(path: string, ...replies: Reply[]) {
      script.set(path, [...(script.get(path) ?? []), ...replies]);
    },
    posts: (path: string) => http.requests.filter((r) => r.method === 'POST' && r.path === path),
    /** A picture a user sent: returns the downloadCode a callback carries. `status` makes its download link answer that instead. */
    addFile(bytes: Uint8Array, o: { status?: number } = {}) {
      const code = `dc-${randomUUID()}`;
      files.set(code, { path: `/files/${randomUUID()}.file`, bytes, ...(o.status ? { status: o.status } : {}) });
      return code;
    },
    /** The download code no longer works (it expires with the message). */
    expireFile: (code: string) => void files.delete(code),
    /** Card updates (PUT /v1.0/card/instances) in the order they arrived. */
    cardUpdates: () => http.requests.filter((r) => r.method === 'PUT' && r.path === '/v1.0/card/instances'),
    gatewayCalls: () => http.requests.filter((r) => r.path === '/v1.0/gateway/connections/open'),
    setGatewayDown: (n: number) => void (gatewayDown = n),
    openSockets: () => open().length,
    connections: () => sockets.length,
    /** Pushes a robot message on the newest open socket; returns the frame's messageId. */
    pushRobot(message: Record<string, unknown>) {
      const f = frame('CALLBACK', '/v1.0/im/bot/messages/get', JSON.stringify(message));
      open().at(-1)!.send(JSON.stringify(f));
      return f.headers.messageId!;
    },
    /** A button click on a card, as the card topic delivers it. */
    pushCardClick(outTrackId: string, userId: string, actionIds: string[], params: Record<string, string> = {}, corpId = 'ding-corp') {
      const f = frame('CALLBACK', '/v1.0/card/instances/callback', JSON.stringify({ outTrackId, userId, corpId, type: 'actionCallback', value: JSON.stringify({ cardPrivateData: { actionIds, params } }) }));
      open().at(-1)!.send(JSON.stringify(f));
      return f.headers.messageId!;
    },
    /** Anything at all on the newest open socket (hostile-input tests): text, or a binary frame. */
    pushRaw(data: string | Buffer, o: { binary?: boolean } = {}) {
      open().at(-1)!.send(data, { binary: o.binary ?? typeof data !== 'string' });
    },
    /** A well-formed envelope around any robot-topic data (which need not be valid). */
    pushRobotData(data: string) {
      const f = frame('CALLBACK', '/v1.0/im/bot/messages/get', data);
      open().at(-1)!.send(JSON.stringify(f));
      return f.headers.messageId!;
    },
    pushSystem(topic: 'ping' | 'disconnect', data = '{}') {
      const f = frame('SYSTEM', topic, data);
      open().at(-1)!.send(JSON.stringify(f));
      return f.headers.messageId!;
    },
    acks: (messageId: string) => clientFrames.filter((c) => c.frame.headers?.messageId === messageId),
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      await http.close();
    },
  };
}

/** The environment of a DingTalk app whose API (and OAPI) base is the fake at `base`. */
export function dingtalkRawEnv(app: { clientId: string; clientSecret: string }, base: string): Record<string, string> {
  return { DINGTALK_CLIENT_ID: app.clientId, DINGTALK_CLIENT_SECRET: app.clientSecret, DINGTALK_API_BASE: base, DINGTALK_OAPI_BASE: base };
}

export function robotPayload(o: { msgId: string; text: string; staffId: string; nick?: string; conversationId?: string; group?: boolean; sessionWebhook: string; expiresInMs?: number }) {
  return {
    conversationId: o.conversationId ?? 'cid-county==',
    atUsers: [{ dingtalkId: '$:LWCP_v1:$bot' }],
    chatbotCorpId: 'ding-corp',
    chatbotUserId: '$:LWCP_v1:$bot',
    msgId: o.msgId,
    senderNick: o.nick ?? o.staffId,
    isAdmin: false,
    senderStaffId: o.staffId,
    sessionWebhookExpiredTime: Date.now() + (o.expiresInMs ?? 90 * 60_000),
    createAt: Date.now(),
    senderCorpId: 'ding-corp',
    conversationType: o.group === false ? '1' : '2',
    senderId: `$:LWCP_v1:$${o.staffId}`,
    conversationTitle: '青山县营商环境共商共治群（钉钉）',
    isInAtList: true,
    sessionWebhook: o.sessionWebhook,
    text: { content: ` ${o.text}` },
    robotCode: 'ding-robot-code',
    msgtype: 'text',
  };
}
