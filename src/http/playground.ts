import { Hono } from 'hono';
import { BadPayloadError } from '../../adapters/http-util';
import type { LocalAdapter } from '../../adapters/local/local-adapter';
import { createLocalEndpoint } from '../../adapters/local/local-endpoint';
import type { InboundMessage } from '../domain/message';
import { STATUS_NAMES, type TicketStatus } from '../domain/ticket';
import { CATEGORY_NAMES, ISSUE_TYPE_NAMES, type Category, type IssueType } from '../domain/taxonomy';
import { ROLE_NAMES } from '../domain/roles';
import type { Services } from '../services';
import type { Env } from '../config/env';
import { PLAYGROUND_HTML } from './playground-page';
import { maskedExcerpt } from '../domain/mask';

type ChatScope = { kind: 'group'; groupId: string } | { kind: 'direct'; userId: string };

/** Sample enterprises for the playground's persona picker: anyone not on staff is an enterprise. */
export const SAMPLE_ENTERPRISES = [
  { id: 'qs-jixie-liu', name: '刘总（青山精密机械）' },
  { id: 'lvyuan-chen', name: '陈经理（绿源食品）' },
  { id: 'hengtong-zhang', name: '张工（恒通建设工程）' },
  { id: 'xinghuo-wang', name: '王女士（星火电子科技）' },
];

export function createPlaygroundRoutes(services: Services, local: LocalAdapter): Hono {
  const app = new Hono();
  const { db } = services;
  let counter = 0;
  const endpoint = createLocalEndpoint();

  // Only for this machine: a request a reverse proxy forwarded (or a page that rebound its name to
  // 127.0.0.1) reads as a server without a playground.
  app.get('/', (c) => (fromThisMachine(c.req.raw) ? c.html(PLAYGROUND_HTML) : c.text(`gongzhi — ${services.config.deployment.name}. Health: /healthz`)));
  app.use('/playground/*', async (c, next) => (fromThisMachine(c.req.raw) ? next() : c.json({ error: 'not_found' }, 404)));

  app.get('/playground/api/setup', async (c) => {
    // The directory may have changed since start (console edits): read the current one.
    await services.liveDirectory.catchUp();
    const config = services.config;
    const groups = config.groups.filter((g) => g.platform === 'local').map((g) => ({ id: g.id, name: g.name, chatId: g.chatId }));
    const staff = config.staff
      .filter((s) => s.accounts.local)
      .map((s) => ({
        id: s.accounts.local!,
        name: s.name,
        role: s.role,
        roleName: ROLE_NAMES[s.role],
        department: config.departments.find((d) => d.id === s.department)?.name ?? null,
      }));
    return c.json({ deployment: config.deployment, groups, enterprises: SAMPLE_ENTERPRISES, staff });
  });

  app.post('/playground/api/messages', async (c) => {
    const body = await c.req.json().catch(() => null);
    const b = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
    const config = services.config;
    const group = b.chat === 'group' ? config.groups.find((g) => g.id === b.groupId && g.platform === 'local') : undefined;
    if (b.chat === 'group' && !group) return c.json({ error: 'unknown_group', issues: ['没有这个演练群'] }, 400);
    // Only the known fields: the raw body may be anything (deeply nested, huge) and is not re-serialised.
    const wire = {
      chat: b.chat,
      userId: b.userId,
      name: b.name,
      text: b.text,
      ...(typeof b.quote === 'string' ? { quote: b.quote } : {}),
      messageId: `local-${Date.now().toString(36)}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      chatId: group ? group.chatId : b.userId,
      ...(group ? { chatTitle: group.name } : {}),
    };
    const now = services.now();
    let msg: InboundMessage;
    try {
      msg = endpoint.parse(JSON.stringify(wire), now)!;
    } catch (e) {
      if (e instanceof BadPayloadError) return c.json({ error: 'invalid_message', issues: e.message.split('; ') }, 400);
      throw e;
    }
    local.record(msg);
    const result = await services.pipeline.receive(msg);
    // The playground waits for delivery so the reply is there when the page next polls.
    await services.drainer.drainOnce();
    return c.json({ messageId: msg.messageId, result });
  });

  app.get('/playground/api/transcript', (c) => {
    const after = Number(c.req.query('after') ?? 0) || 0;
    const chat = c.req.query('chat') ?? '';
    return c.json({ entries: local.transcript(chat, after) });
  });

  /**
   * The ticket panel shows what the simulated chat's participants would see in that chat, nothing
   * more: a playground group its own non-private tickets with personal data masked (as the bot posts
   * them), a one-to-one chat the tickets that user reported. The page has no sign-in, so an unscoped
   * list would hand private reports (one-to-one, report page, other platforms) to anyone reaching the port.
   */
  const scopeOf = (c: { req: { query(name: string): string | undefined } }): ChatScope | null => {
    const groupId = c.req.query('group');
    const userId = c.req.query('direct');
    if (groupId && !userId) {
      const group = services.config.groups.find((g) => g.id === groupId && g.platform === 'local');
      return group ? { kind: 'group', groupId: group.id } : null;
    }
    if (userId && !groupId) return { kind: 'direct', userId };
    return null;
  };
  const SCOPE_ISSUE = { error: 'unknown_chat', issues: ['请指定演练群（group=群 id）或一对一的用户（direct=用户 id）'] };

  const visibleTickets = (scope: ChatScope) => {
    const q = db
      .selectFrom('tickets as t')
      .leftJoin('departments as d', 'd.id', 't.department_id')
      .leftJoin('staff as s', 's.id', 't.assignee_id');
    return scope.kind === 'group'
      ? q.where('t.group_id', '=', scope.groupId).where('t.is_private', '=', false)
      : q
          .innerJoin('requesters as r', 'r.id', 't.requester_id')
          .where('r.platform', '=', 'local')
          .where('r.user_id', '=', scope.userId);
  };

  app.get('/playground/api/tickets', async (c) => {
    const scope = scopeOf(c);
    if (!scope) return c.json(SCOPE_ISSUE, 400);
    const rows = await visibleTickets(scope)
      .select([
        't.id',
        't.number',
        't.seq',
        't.status',
        't.type',
        't.category',
        't.urgency',
        't.content',
        't.supervised',
        't.rating',
        't.received_at',
        't.sign_due_at',
        't.resolve_due_at',
        'd.name as department',
        's.name as assignee',
      ])
      .orderBy('t.id', 'desc')
      .limit(30)
      .execute();
    return c.json({
      tickets: rows.map((r) => ({
        ...r,
        // The requester reads their own words; a group reads them as the bot posts them.
        content: scope.kind === 'group' ? maskedExcerpt(r.content, 200) : r.content,
        statusName: STATUS_NAMES[r.status as TicketStatus],
        categoryName: CATEGORY_NAMES[r.category as Category],
        typeName: ISSUE_TYPE_NAMES[r.type as IssueType],
      })),
    });
  });

  app.get('/playground/api/tickets/:id/events', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id)) return c.json({ error: 'invalid_id' }, 400);
    const scope = scopeOf(c);
    if (!scope) return c.json(SCOPE_ISSUE, 400);
    const ticket = await visibleTickets(scope).select('t.id').where('t.id', '=', id).executeTakeFirst();
    // Someone else's ticket reads as no ticket: its existence is not this chat's business either.
    if (!ticket) return c.json({ error: 'not_found' }, 404);
    // The timeline's steps, not their data: notes and replies carry text the chat never saw.
    const events = await db
      .selectFrom('ticket_events')
      .select(['id', 'kind', 'from_status', 'to_status', 'actor_kind', 'actor_name', 'at'])
      .where('ticket_id', '=', id)
      .orderBy('id')
      .execute();
    return c.json({ events });
  });

  return app;
}

/** What a reverse proxy adds (nginx's proxy_set_header lines, RFC 7239): a request with one came from elsewhere. */
const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host', 'x-forwarded-proto'];

/**
 * Whether the playground answers a request. Bound to loopback, every peer is 127.0.0.1 — nginx
 * in front (the README's set-up) included, so the socket proves nothing: no forwarding header, and
 * a Host that names this machine or an address literal (an explicit GONGZHI_PLAYGROUND=1 on a LAN
 * address is reached by IP). nginx's `Host $host` and a DNS-rebinding page both name a domain.
 */
export function fromThisMachine(req: Request): boolean {
  if (FORWARDING_HEADERS.some((h) => req.headers.has(h))) return false;
  const host = req.headers.get('host') ?? new URL(req.url).host;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  return isLoopbackHost(name) || /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || /^\[[0-9a-f:.]+\]$/i.test(name);
}

/** 127.0.0.0/8, ::1 and the name localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Whether the playground runs. It lets anyone who reaches it speak as any person in the
 * directory, so outside production it is on by default only where nobody else can reach it:
 * bound to a non-loopback address, or behind a reverse proxy (GONGZHI_TRUST_PROXY) — which forwards
 * the network to a loopback port — it stays off unless GONGZHI_PLAYGROUND says so explicitly.
 * NODE_ENV unset (a plain `npm start`) is development.
 */
export function playgroundDecision(env: Pick<Env, 'GONGZHI_PLAYGROUND' | 'NODE_ENV' | 'HOST' | 'GONGZHI_TRUST_PROXY'>): { on: boolean; warning?: string; refuse?: string } {
  if (env.GONGZHI_PLAYGROUND === false) return { on: false };
  const loopback = isLoopbackHost(env.HOST);
  const proxied = env.GONGZHI_TRUST_PROXY > 0;
  if (env.GONGZHI_PLAYGROUND === true && env.NODE_ENV === 'production' && !loopback) {
    // On a production database anyone reaching the port would act as any staff member, admin included.
    return { on: false, refuse: `GONGZHI_PLAYGROUND=1 with NODE_ENV=production and HOST=${env.HOST}: the playground has no sign-in and lets anyone act as any person in the directory. Unset GONGZHI_PLAYGROUND, or bind HOST=127.0.0.1 and reach it through an SSH tunnel` };
  }
  if (env.GONGZHI_PLAYGROUND === true && env.NODE_ENV === 'production' && proxied) {
    // A loopback bind behind nginx is the internet's port: the README's own production set-up.
    return { on: false, refuse: `GONGZHI_PLAYGROUND=1 with NODE_ENV=production and GONGZHI_TRUST_PROXY=${env.GONGZHI_TRUST_PROXY}: a reverse proxy forwards the network to this port, and the playground has no sign-in and lets anyone act as any person in the directory. Unset GONGZHI_PLAYGROUND` };
  }
  if (env.GONGZHI_PLAYGROUND === true) {
    if (!loopback) return { on: true, warning: `GONGZHI_PLAYGROUND is on and HOST=${env.HOST} is not loopback: anyone reaching this port can speak as any person in the directory` };
    return proxied ? { on: true, warning: `GONGZHI_PLAYGROUND is on behind a reverse proxy (GONGZHI_TRUST_PROXY=${env.GONGZHI_TRUST_PROXY}): it answers requests from this machine only, never forwarded ones` } : { on: true };
  }
  if (env.NODE_ENV === 'production') return { on: false };
  if (!loopback) return { on: false, warning: `playground off: HOST=${env.HOST} is not a loopback address (set GONGZHI_PLAYGROUND=1 to run it there anyway)` };
  return proxied ? { on: false, warning: `playground off: GONGZHI_TRUST_PROXY=${env.GONGZHI_TRUST_PROXY} says a reverse proxy forwards requests to this port (set GONGZHI_PLAYGROUND=1 to run it for requests from this machine only)` } : { on: true };
}
