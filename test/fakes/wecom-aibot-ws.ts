import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A loopback 智能机器人长连接 server (document 101463) speaking the documented frames:
 * `aibot_subscribe` → ack `{ headers: { req_id }, errcode: 0 }`; `ping` → ack;
 * `aibot_msg_callback` / `aibot_event_callback` pushed to the client; `aibot_respond_msg`,
 * `aibot_respond_welcome_msg`, `aibot_respond_update_msg`, `aibot_send_msg` acked (or refused);
 * a second subscription for the same bot sends `disconnected_event` to the first and closes it.
 * Switches: a killed connection, an ack that never comes, redelivery after reconnect.
 * It also serves encrypted media (AES-256-CBC, the frame's own aeskey) over HTTP.
 */
export interface FakeAibotOptions {
  botId: string;
  secret: string;
}

export interface ClientFrame {
  socket: number;
  cmd?: string;
  headers: { req_id: string };
  body?: Record<string, unknown>;
}

export async function startFakeAibot(opts: FakeAibotOptions) {
  const media = new Map<string, Buffer>();
  const http: Server = createServer((req, res) => {
    const body = media.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const port = (http.address() as AddressInfo).port;
  const wss = new WebSocketServer({ server: http });

  const sockets: WebSocket[] = [];
  /** Sockets whose subscription was accepted, by index. */
  const subscribed = new Set<number>();
  const frames: ClientFrame[] = [];
  const switches = { ackSubscribe: true, ackPings: true, refuse: new Map<string, number[]>() };
  /** Callbacks pushed while no connection was subscribed, delivered to the next one (the platform redelivers). */
  const pending: string[] = [];
  /** What was pushed, to push again after a reconnect. */
  const pushed: string[] = [];
  let redeliverOnReconnect = false;

  const live = () => [...subscribed].filter((i) => sockets[i]!.readyState === sockets[i]!.OPEN);
  const ack = (ws: WebSocket, reqId: string, errcode = 0, body?: Record<string, unknown>) =>
    ws.send(JSON.stringify({ headers: { req_id: reqId }, errcode, errmsg: errcode === 0 ? 'ok' : 'refused', ...(body ? { body } : {}) }));

  wss.on('connection', (ws) => {
    const index = sockets.push(ws) - 1;
    ws.on('close', () => subscribed.delete(index));
    ws.on('message', (raw) => {
      const f = JSON.parse(String(raw)) as ClientFrame;
      frames.push({ ...f, socket: index });
      if (f.cmd === 'aibot_subscribe') {
        if (!switches.ackSubscribe) return;
        const b = f.body as { bot_id?: string; secret?: string } | undefined;
        if (b?.bot_id !== opts.botId || b?.secret !== opts.secret) return ack(ws, f.headers.req_id, 40058);
        // One connection per bot: the older one is told and closed.
        for (const old of live()) {
          const s = sockets[old]!;
          s.send(JSON.stringify({ cmd: 'aibot_event_callback', headers: { req_id: randomUUID() }, body: { msgid: randomUUID(), create_time: 0, aibotid: opts.botId, msgtype: 'event', event: { eventtype: 'disconnected_event' } } }));
          subscribed.delete(old);
          setTimeout(() => s.close(), 20);
        }
        subscribed.add(index);
        ack(ws, f.headers.req_id);
        const again = redeliverOnReconnect ? [...pushed] : [];
        for (const p of [...pending.splice(0), ...again]) ws.send(p);
        return;
      }
      if (f.cmd === 'ping') {
        if (switches.ackPings) ack(ws, f.headers.req_id);
        return;
      }
      const refusals = switches.refuse.get(f.cmd ?? '');
      const code = refusals?.shift();
      ack(ws, f.headers.req_id, code ?? 0);
    });
  });

  function push(cmd: 'aibot_msg_callback' | 'aibot_event_callback', body: Record<string, unknown>): string {
    const reqId = randomUUID();
    const text = JSON.stringify({ cmd, headers: { req_id: reqId }, body });
    pushed.push(text);
    const target = live().at(-1);
    if (target === undefined) pending.push(text);
    else sockets[target]!.send(text);
    return reqId;
  }

  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    httpBase: `http://127.0.0.1:${port}`,
    switches,
    /** Every redelivery after the next subscription pushes everything pushed so far again. */
    setRedeliverOnReconnect: (on: boolean) => void (redeliverOnReconnect = on),
    /** The next `n` frames with this cmd are answered with `errcode`. */
    refuseNext(cmd: string, errcode: number, n = 1) {
      switches.refuse.set(cmd, [...(switches.refuse.get(cmd) ?? []), ...Array<number>(n).fill(errcode)]);
    },
    connections: () => sockets.length,
    liveConnections: () => live().length,
    openSockets: () => sockets.filter((s) => s.readyState === s.OPEN).length,
    frames: (cmd?: string) => frames.filter((f) => cmd === undefined || f.cmd === cmd),
    /** Frames answering one pushed callback (same req_id). */
    answers: (reqId: string) => frames.filter((f) => f.headers.req_id === reqId),
    pushMessage: (body: Record<string, unknown>) => push('aibot_msg_callback', body),
    /** Anything at all on the newest subscribed socket (hostile-input tests): text, or a binary frame. */
    pushRaw(data: string | Buffer, o: { binary?: boolean } = {}) {
      sockets[live().at(-1)!]!.send(data, { binary: o.binary ?? typeof data !== 'string' });
    },
    pushEvent: (body: Record<string, unknown>) => push('aibot_event_callback', body),
    /** The network drops every connection without a close frame. */
    killAll() {
      for (const s of sockets) if (s.readyState === s.OPEN) s.terminate();
      subscribed.clear();
    },
    /** Encrypts `plain` the way WeCom does (AES-256-CBC, IV = key[0..16], PKCS#7 to 32) and serves it; returns url and aeskey. */
    serveEncrypted(plain: Buffer): { url: string; aeskey: string } {
      const key = randomBytes(32);
      const pad = 32 - (plain.length % 32);
      const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
      const c = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
      c.setAutoPadding(false);
      const path = `/media/${randomUUID()}`;
      media.set(path, Buffer.concat([c.update(padded), c.final()]));
      return { url: `http://127.0.0.1:${port}${path}`, aeskey: key.toString('base64') };
    },
    async close() {
      for (const s of sockets) s.terminate();
      wss.close();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

let seq = 0;
/** A message callback body as 101463 shows it. */
export function aibotMessage(o: {
  userId: string;
  chatId?: string;
  msgid?: string;
  text?: string;
  msgtype?: string;
  extra?: Record<string, unknown>;
}): Record<string, unknown> {
  const msgtype = o.msgtype ?? 'text';
  return {
    msgid: o.msgid ?? `aibot-msg-${++seq}-${randomUUID().slice(0, 8)}`,
    aibotid: 'AIBOTID',
    ...(o.chatId ? { chatid: o.chatId, chattype: 'group' } : { chattype: 'single' }),
    from: { userid: o.userId },
    msgtype,
    ...(msgtype === 'text' ? { text: { content: o.text ?? '' } } : {}),
    ...(o.extra ?? {}),
  };
}

/** An event callback body (enter_chat, template_card_event) as 101027/101463 show it. */
export function aibotEvent(o: { userId: string; chatId?: string; eventtype: string; event?: Record<string, unknown>; msgid?: string }): Record<string, unknown> {
  return {
    msgid: o.msgid ?? `aibot-evt-${++seq}-${randomUUID().slice(0, 8)}`,
    create_time: 1700000000,
    aibotid: 'AIBOTID',
    ...(o.chatId ? { chatid: o.chatId, chattype: 'group' } : { chattype: 'single' }),
    from: { userid: o.userId },
    msgtype: 'event',
    event: { eventtype: o.eventtype, ...(o.event ?? {}) },
  };
}
