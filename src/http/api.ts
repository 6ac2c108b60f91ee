import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { STEP_NAMES, type EscalationStep } from '../domain/escalation';
import { TICKET_STATUSES } from '../domain/ticket';
import { CATEGORIES } from '../domain/taxonomy';
import type { StaffMember } from '../repo/directory';
import { staffForToken } from '../repo/api-tokens';
import { listDeadLetters, requeue } from '../repo/outbox';
import { decodeCursor, encodeCursor, getTicket, listTicketsPage, ticketEvents } from '../repo/tickets';
import { dailyDigest, departmentRanking, monthPeriod } from '../reports/queries';
import { scopeRegion, type TicketScope } from '../domain/regions';
import type { OutboxRow } from '../db/schema';
import { ledgerScope, regionRanking, reportGroup } from '../reports/regions';
import { registerBoardApi } from '../board/routes';
import { ledgerFile } from '../reports/ledger-file';
import { templates } from '../domain/templates';
import { canSeeTicket, visibleDepartment } from '../domain/roles';
import type { Services } from '../services';
import { mountApiDocs } from './api-docs';
import { surveyResults } from '../jobs/survey';
import type { SurveyFigure } from '../domain/survey';

type Env = { Variables: { staff: StaffMember } };

const ErrorBody = z.object({ error: z.string(), message: z.string().optional() }).openapi('Error');
const Ticket = z
  .object({
    id: z.number().int(),
    number: z.string().openapi({ example: 'GZ-20261123-0007' }),
    status: z.enum(TICKET_STATUSES),
    type: z.string(),
    category: z.enum(CATEGORIES),
    urgency: z.string(),
    content: z.string(),
    departmentId: z.string().nullable(),
    groupId: z.string().nullable(),
    supervised: z.boolean(),
    rating: z.number().int().nullable(),
    receivedAt: z.string(),
    signDueAt: z.string().nullable(),
    resolveDueAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
  })
  .openapi('Ticket');
/** One row of a ranking, a department's or a region's: the same rates either way. */
const rankingFigures = {
  name: z.string(),
  tickets: z.number(),
  responseRate: z.number().nullable(),
  onTimeRate: z.number().nullable(),
  resolutionRate: z.number().nullable(),
  satisfactionRate: z.number().nullable(),
  reopened: z.number(),
  escalations: z.number().openapi({ description: '三单一函 documents received (提醒单 not counted)' }),
  score: z.number(),
};
const Month = z.string().regex(/^\d{4}-\d{2}$/).openapi({ example: '2026-11' });

/** One survey figure: a department's or a region's. A withheld average is null with the reason, never 0. */
const surveyFigure = {
  name: z.string(),
  invited: z.number().int(),
  answered: z.number().int(),
  responseRate: z.number().openapi({ description: 'answered / invited' }),
  averages: z.record(z.string(), z.number()).nullable().openapi({ description: 'Per question id, 1–5; null when withheld' }),
  overall: z.number().nullable(),
  withheld: z
    .enum(['few', 'overlap'])
    .nullable()
    .openapi({ description: 'Why the average is not published: few — fewer than minAnswers answers; overlap — together with the other published figures it would give away individual answers' }),
};
const MonthlySurvey = z
  .object({
    key: z.string().openapi({ example: 'monthly:2026-11' }),
    title: z.string(),
    periodFrom: z.string(),
    periodTo: z.string(),
    closesAt: z.string(),
    closed: z.boolean().openapi({ description: 'Figures per department and region are published only after the campaign closes; before, only the totals' }),
    minAnswers: z.number().int(),
    questions: z.array(z.object({ id: z.string(), text: z.string() })),
    invited: z.number().int(),
    answered: z.number().int(),
    responseRate: z.number(),
    departments: z.array(z.object({ departmentId: z.string(), ...surveyFigure })),
    regions: z.array(z.object({ regionId: z.string(), ...surveyFigure })),
  })
  .openapi('MonthlySurvey', { description: 'The satisfaction survey whose period holds the month: a figure of its own, not part of the ranking score. Anonymous: averages only, withheld where they would identify an answer.' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);
type TicketRow = NonNullable<Awaited<ReturnType<typeof getTicket>>>;
const toTicket = (r: TicketRow) => ({
  id: r.id,
  number: r.number,
  status: r.status as (typeof TICKET_STATUSES)[number],
  type: r.type,
  category: r.category as (typeof CATEGORIES)[number],
  urgency: r.urgency,
  content: r.content,
  departmentId: r.department_id,
  groupId: r.group_id,
  supervised: r.supervised,
  rating: r.rating,
  receivedAt: r.received_at.toISOString(),
  signDueAt: iso(r.sign_due_at),
  resolveDueAt: iso(r.resolve_due_at),
  resolvedAt: iso(r.resolved_at),
});

const security = [{ bearer: [] }];
/** One answer for a group that does not exist and one of another county: neither its name nor its existence is told. */
const GROUP_NOT_FOUND = { error: 'not_found', message: '没有这个群，或它不在您的管辖范围内' } as const;
/** Dead letters hold other departments' and private messages: 营商办's dispatchers and admins only. */
const mayHandleDeadLetters = (staff: StaffMember) => staff.role === 'dispatcher' || staff.role === 'admin';
/** How many of the newest dead letters are looked at before the caller's region's are picked. */
const DEAD_LETTER_WINDOW = 2000;

/**
 * The dead letters a dispatcher or admin may see: a post belongs to the group it was for (by its
 * group, else its destination chat), a one-to-one post to its ticket; one with neither (a survey
 * invitation) to the top level. A county's people see their region and below, as with tickets.
 */
async function deadLettersInScope(services: Services, scope: TicketScope, limit = 100): Promise<OutboxRow[]> {
  if (scope.kind === 'all') return listDeadLetters(services.db, limit);
  if (scope.kind !== 'regions') return [];
  const rows = await listDeadLetters(services.db, DEAD_LETTER_WINDOW);
  const org = services.directory.org;
  const groups = await services.db.selectFrom('groups').select(['id', 'platform', 'chat_id', 'region']).execute();
  const regionOfGroup = new Map(groups.map((g) => [g.id, org.groupRegion(g.region)]));
  const groupOfChat = new Map(groups.map((g) => [`${g.platform}:${g.chat_id}`, g.id]));
  const ticketIds = [...new Set(rows.flatMap((r) => (r.ticket_id !== null ? [r.ticket_id] : [])))];
  const tickets = ticketIds.length
    ? await services.db.selectFrom('tickets').select(['id', 'region_id', 'department_id', 'co_department_ids']).where('id', 'in', ticketIds).execute()
    : [];
  const ticketById = new Map(tickets.map((t) => [t.id, t]));
  const visible = (r: OutboxRow): boolean => {
    const groupId = r.group_id ?? (r.destination ? groupOfChat.get(r.destination) : undefined);
    if (groupId) return scope.regionIds.includes(regionOfGroup.get(groupId) ?? org.root.id);
    const ticket = r.ticket_id !== null ? ticketById.get(r.ticket_id) : undefined;
    return ticket ? canSeeTicket(scope, ticket) : false;
  };
  return rows.filter(visible).slice(0, limit);
}

export function createApi(services: Services): OpenAPIHono<Env> {
  const api = new OpenAPIHono<Env>({
    defaultHook: (result, c) => (result.success ? undefined : c.json({ error: 'invalid_request', message: result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }, 400)),
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'npm run -s cli -- token create STAFF_ID' });

  api.use('/v1/*', async (c, next) => {
    // The public board (src/board/routes.tsx) needs no token.
    if (c.req.path.endsWith('/v1/public/board')) return next();
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    const staffId = token ? await staffForToken(services.db, token, services.now()) : null;
    const staff = staffId ? services.directory.staffById(staffId) : null;
    if (!staff) return c.json({ error: 'unauthorized', message: '需要有效的 API 令牌（Authorization: Bearer …）' }, 401);
    c.set('staff', staff);
    await next();
  });
  registerBoardApi(api, services);

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/tickets',
      summary: '工单列表（按受理时间倒序，游标分页）',
      security,
      request: {
        query: z.object({
          status: z.enum(TICKET_STATUSES).optional(),
          department: z.string().optional(),
          category: z.enum(CATEGORIES).optional(),
          group: z.string().optional().openapi({ description: 'A group of the caller’s region or below' }),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          overdue: z.enum(['true', 'false']).optional(),
          cursor: z.string().optional().openapi({ description: 'The `next` value of the previous page' }),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: { description: 'A page of tickets', content: { 'application/json': { schema: z.object({ tickets: z.array(Ticket), next: z.string().nullable() }) } } },
        401: { description: 'No valid token', content: { 'application/json': { schema: ErrorBody } } },
        404: { description: 'No such group within the caller’s scope', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const staff = c.get('staff');
      const reach = services.directory.scopeOf(staff);
      // One answer with the reports: a group beyond the caller's scope is not found, not a page of no tickets.
      if (q.group && !(await reportGroup(services.db, services.directory.org, reach, q.group))) return c.json(GROUP_NOT_FOUND, 404);
      const cursor = decodeCursor(q.cursor);
      const page = await listTicketsPage(
        services.db,
        {
          ...(q.status ? { status: [q.status] } : {}),
          ...(q.department ? { departmentId: q.department } : {}),
          ...(reach.kind === 'all' ? {} : { scope: reach }),
          ...(q.category ? { category: q.category } : {}),
          ...(q.group ? { groupId: q.group } : {}),
          ...(q.from ? { from: new Date(q.from) } : {}),
          ...(q.to ? { to: new Date(q.to) } : {}),
          ...(q.overdue === 'true' ? { overdueAt: services.now() } : {}),
        },
        cursor,
        q.limit,
      );
      return c.json({ tickets: page.tickets.map(toTicket), next: page.next ? encodeCursor(page.next) : null }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/tickets/{number}',
      summary: '工单详情：时间线与三单一函文书',
      security,
      request: { params: z.object({ number: z.string() }) },
      responses: {
        200: {
          description: 'The ticket',
          content: {
            'application/json': {
              schema: z.object({
                ticket: Ticket,
                events: z.array(z.object({ kind: z.string(), at: z.string(), actor: z.string(), data: z.record(z.string(), z.unknown()) })),
                documents: z.array(z.object({ number: z.string(), step: z.string(), name: z.string(), issuedAt: z.string(), dueAt: z.string() })),
              }),
            },
          },
        },
        404: { description: 'No such ticket (or not visible to you)', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { number } = c.req.valid('param');
      const row = await services.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirst();
      if (!row || !canSeeTicket(services.directory.scopeOf(c.get('staff')), row)) return c.json({ error: 'not_found' }, 404);
      const events = await ticketEvents(services.db, row.id);
      const docs = await services.db.selectFrom('escalation_documents').selectAll().where('ticket_id', '=', row.id).orderBy('id').execute();
      return c.json(
        {
          ticket: toTicket(row),
          events: events.map((e) => ({ kind: e.kind, at: e.at.toISOString(), actor: e.actor_name, data: e.data })),
          documents: docs.map((d) => ({ number: d.number, step: d.step, name: STEP_NAMES[d.step as EscalationStep], issuedAt: d.issued_at.toISOString(), dueAt: d.due_at.toISOString() })),
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports/monthly',
      summary: '月度通报：承办单位排名与满意度测评',
      security,
      request: { query: z.object({ month: Month, group: z.string().optional().openapi({ description: 'A group of the caller’s region or below' }) }) },
      responses: {
        404: { description: 'No such group within the caller’s scope', content: { 'application/json': { schema: ErrorBody } } },
        200: {
          description: 'Departments, best first; the month’s satisfaction survey (null when there was none)',
          content: {
            'application/json': {
              schema: z.object({
                month: z.string(),
                departments: z.array(
                  z.object({ departmentId: z.string(), ...rankingFigures }),
                ),
                survey: MonthlySurvey.nullable(),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const { month, group } = c.req.valid('query');
      // A county's people get their county's departments; the city's (or a single county's), all of the top level.
      const org = services.directory.org;
      const reach = services.directory.scopeOf(c.get('staff'));
      const region = scopeRegion(reach, org);
      if (group !== undefined && !(await reportGroup(services.db, org, reach, group))) return c.json(GROUP_NOT_FOUND, 404);
      const departments = org.declared ? await departmentRanking(services.db, monthPeriod(month), services.now(), group, org.departmentsIn([region])) : await departmentRanking(services.db, monthPeriod(month), services.now(), group);
      // The same rows the caller's console shows: figures published for everyone, picked by scope.
      const r = await surveyResults(services, { covering: monthPeriod(month).from, scope: reach });
      const figure = (f: SurveyFigure) => ({ name: f.name, invited: f.invited, answered: f.answered, responseRate: f.responseRate, averages: f.averages, overall: f.overall, withheld: f.withheld });
      const survey = r
        ? {
            key: r.campaign.key,
            title: r.campaign.title,
            periodFrom: r.campaign.periodFrom.toISOString(),
            periodTo: r.campaign.periodTo.toISOString(),
            closesAt: r.campaign.closesAt.toISOString(),
            closed: r.campaign.closed,
            minAnswers: r.campaign.minAnswers,
            questions: r.campaign.questions,
            invited: r.invited,
            answered: r.answered,
            responseRate: r.responseRate,
            departments: r.byDepartment.map((f) => ({ departmentId: f.key, ...figure(f) })),
            regions: r.byRegion.map((f) => ({ regionId: f.key, ...figure(f) })),
          }
        : null;
      return c.json({ month, departments, survey }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports/regions',
      summary: '地区排名：下级旗县区、园区按同一口径比较',
      description: 'The regions directly under the caller’s region (under the city for the city’s people), ranked by their departments’ figures.',
      security,
      request: { query: z.object({ month: Month, region: z.string().optional().openapi({ description: 'A region within the caller’s scope; default: their own' }) }) },
      responses: {
        200: {
          description: 'Regions, best first',
          content: {
            'application/json': {
              schema: z.object({
                month: z.string(),
                region: z.object({ id: z.string(), name: z.string() }),
                regions: z.array(
                  z.object({ regionId: z.string(), ...rankingFigures }),
                ),
              }),
            },
          },
        },
        404: { description: 'No such region within the caller’s scope', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { month, region: asked } = c.req.valid('query');
      const org = services.directory.org;
      const own = scopeRegion(services.directory.scopeOf(c.get('staff')), org);
      const region = asked ?? own;
      if (!org.region(region) || !org.within(region, own)) return c.json({ error: 'not_found', message: '没有这个地区，或它不在您的管辖范围内' }, 404);
      const rows = await regionRanking(services.db, monthPeriod(month), services.now(), org, region);
      return c.json(
        {
          month,
          region: { id: region, name: org.region(region)!.name },
          regions: rows.map(({ departmentId, name, tickets, responseRate, onTimeRate, resolutionRate, satisfactionRate, reopened, escalations, score }) => ({
            regionId: departmentId,
            name,
            tickets,
            responseRate,
            onTimeRate,
            resolutionRate,
            satisfactionRate,
            reopened,
            escalations,
            score,
          })),
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/ledger',
      summary: '台账导出（xlsx 或 csv）',
      security,
      request: {
        query: z.object({
          month: Month,
          format: z.enum(['xlsx', 'csv']).default('xlsx'),
          region: z.string().optional().openapi({ description: 'One region (a county, or the city for the whole city); default: the caller’s whole scope' }),
        }),
      },
      responses: {
        200: { description: 'The ledger file' },
        403: { description: 'Not allowed for department staff', content: { 'application/json': { schema: ErrorBody } } },
        404: { description: 'No such region within the caller’s scope', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      if (visibleDepartment(c.get('staff'))) return c.json({ error: 'forbidden', message: '台账仅营商办、管理员和监督人员可导出' }, 403);
      const { month, format, region } = c.req.valid('query');
      const scope = ledgerScope(services.directory, c.get('staff'), region);
      if (!scope.ok) return c.json({ error: 'not_found', message: scope.message }, 404);
      const file = await ledgerFile(services.db, month, format, scope.region);
      return c.body(typeof file.body === 'string' ? file.body : (file.body as Uint8Array<ArrayBuffer>), 200, file.headers);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/outbox/dead',
      summary: '投递失败的消息（死信）',
      security,
      responses: {
        200: { description: 'Dead letters, newest first: for a county’s dispatchers and admins, those of their region and below (by the group posted to, else the ticket)', content: { 'application/json': { schema: z.object({ dead: z.array(z.object({ id: z.number(), platform: z.string(), kind: z.string(), attempts: z.number(), error: z.string().nullable() })) }) } } },
        403: { description: 'Dispatchers and admins only', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      if (!mayHandleDeadLetters(c.get('staff'))) return c.json({ error: 'forbidden', message: '死信仅营商办派单员和管理员可查看、重发' }, 403);
      const rows = await deadLettersInScope(services, services.directory.scopeOf(c.get('staff')));
      return c.json({ dead: rows.map((r) => ({ id: r.id, platform: r.platform, kind: r.kind, attempts: r.attempts, error: r.last_error })) }, 200);
    },
  );

  api.openapi(
    createRoute({
      method: 'post',
      path: '/v1/outbox/{id}/resend',
      summary: '重新投递一条死信',
      security,
      request: { params: z.object({ id: z.coerce.number().int() }) },
      responses: {
        200: { description: 'Queued again', content: { 'application/json': { schema: z.object({ ok: z.boolean() }) } } },
        403: { description: 'Dispatchers and admins only', content: { 'application/json': { schema: ErrorBody } } },
        404: { description: 'No such dead letter', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      if (!mayHandleDeadLetters(c.get('staff'))) return c.json({ error: 'forbidden', message: '死信仅营商办派单员和管理员可查看、重发' }, 403);
      const id = c.req.valid('param').id;
      // Only a dead letter the caller may list: a county's dispatcher cannot re-send another county's.
      const scope = services.directory.scopeOf(c.get('staff'));
      if (scope.kind !== 'all' && !(await deadLettersInScope(services, scope, DEAD_LETTER_WINDOW)).some((r) => r.id === id)) return c.json({ error: 'not_found' }, 404);
      const ok = await requeue(services.db, id, services.now());
      if (ok) services.defer(services.drainer.drainOnce());
      return ok ? c.json({ ok }, 200) : c.json({ error: 'not_found' }, 404);
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/directory',
      summary: '部门、工作人员与群',
      description: 'Departments for every token; groups of the caller’s region and below; the staff list only for admins of the top level (who manage the directory).',
      security,
      responses: {
        200: {
          description: 'The directory as configured',
          content: {
            'application/json': {
              schema: z.object({
                departments: z.array(z.object({ id: z.string(), name: z.string(), aliases: z.array(z.string()), parent: z.string().nullable() })),
                staff: z
                  .array(z.object({ id: z.string(), name: z.string(), role: z.string(), department: z.string().nullable() }))
                  .optional()
                  .openapi({ description: 'Admins of the top level only: who works where is not for every token' }),
                groups: z.array(z.object({ id: z.string(), name: z.string(), platform: z.string(), region: z.string().nullable(), configured: z.boolean() })),
              }),
            },
          },
        },
      },
    }),
    async (c) => {
      const cfg = services.config;
      const staff = c.get('staff');
      const org = services.directory.org;
      const scope = services.directory.scopeOf(staff);
      // Staff names, roles and departments are the directory console's, which is for admins of the
      // top level; a county's token sees its own region's groups, a department's its region's.
      const keeper = staff.role === 'admin' && scope.kind === 'all';
      const regions = scope.kind === 'all' ? null : org.subtree(scopeRegion(scope, org));
      const groups = (await services.db.selectFrom('groups').select(['id', 'name', 'platform', 'region', 'configured']).orderBy('id').execute()).filter(
        (g) => regions === null || regions.includes(org.groupRegion(g.region)),
      );
      return c.json(
        {
          departments: cfg.departments.map((d) => ({ id: d.id, name: d.name, aliases: d.aliases, parent: d.parent ?? null })),
          ...(keeper ? { staff: cfg.staff.map((s) => ({ id: s.id, name: s.name, role: s.role, department: s.department ?? null })) } : {}),
          groups,
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/reports/daily',
      summary: '每日调度（某群或全部）',
      security,
      request: { query: z.object({ date: z.iso.date().openapi({ example: '2026-11-23' }), group: z.string().optional().openapi({ description: 'A group of the caller’s region or below' }) }) },
      responses: {
        200: { description: 'The digest figures and its text', content: { 'application/json': { schema: z.object({ text: z.string(), digest: z.record(z.string(), z.unknown()) }) } } },
        404: { description: 'No such group within the caller’s scope', content: { 'application/json': { schema: ErrorBody } } },
      },
    }),
    async (c) => {
      const { date, group } = c.req.valid('query');
      const at = new Date(Date.parse(`${date}T${services.config.digest.dailyAt}:00+08:00`));
      const scope = services.directory.scopeOf(c.get('staff'));
      const asked = group !== undefined ? await reportGroup(services.db, services.directory.org, scope, group) : null;
      if (group !== undefined && !asked) return c.json(GROUP_NOT_FOUND, 404);
      // Only what the caller may see: a county's 营商办 its county, a clerk its own department's tickets.
      const digest = await dailyDigest(services.db, services.sla, { groupId: asked?.id ?? null, groupName: asked?.name ?? services.config.deployment.name, at, scope });
      return c.json({ text: templates.dailyDigest(digest), digest: digest as unknown as Record<string, unknown> }, 200);
    },
  );

  mountApiDocs(api, services);
  return api;
}
