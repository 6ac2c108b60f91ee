import { Hono } from 'hono';
import { BadPayloadError } from '../../adapters/http-util';
import type { LocalAdapter } from '../../adapters/local/local-adapter';
import { createLocalEndpoint } from '../../adapters/local/local-endpoint';
import type { InboundMessage } from '../domain/message';
import { STATUS_NAMES, type TicketStatus } from '../domain/ticket';
import { CATEGORY_NAMES, ISSUE_TYPE_NAMES, type Category, type IssueType } from '../domain/taxonomy';
import { ROLE_NAMES } from '../domain/roles';
import type { Services } from '../services';
import { PLAYGROUND_HTML } from './playground-page';

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

  app.get('/', (c) => c.html(PLAYGROUND_HTML));

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

  app.get('/playground/api/tickets', async (c) => {
    const groupId = c.req.query('group');
    let q = db
      .selectFrom('tickets as t')
      .leftJoin('departments as d', 'd.id', 't.department_id')
      .leftJoin('staff as s', 's.id', 't.assignee_id')
      .leftJoin('requesters as r', 'r.id', 't.requester_id')
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
        'r.name as requester',
      ])
      .orderBy('t.id', 'desc')
      .limit(30);
    if (groupId) q = q.where('t.group_id', '=', groupId);
    const rows = await q.execute();
    return c.json({
      tickets: rows.map((r) => ({
        ...r,
        statusName: STATUS_NAMES[r.status as TicketStatus],
        categoryName: CATEGORY_NAMES[r.category as Category],
        typeName: ISSUE_TYPE_NAMES[r.type as IssueType],
      })),
    });
  });

  app.get('/playground/api/tickets/:id/events', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id)) return c.json({ error: 'invalid_id' }, 400);
    const events = await db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', id).orderBy('id').execute();
    return c.json({ events });
  });

  return app;
}
