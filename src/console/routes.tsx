import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { z } from 'zod';
import { chinaDate } from '../domain/china-time';
import { publicBase } from '../config/public-url';
import type { Platform } from '../domain/message';
import { canSeeTicket, ROLE_COMMANDS, visibleDepartment } from '../domain/roles';
import { scopeRegion, type TicketScope } from '../domain/regions';
import { ledgerScope, regionDepartmentRanking, regionRanking, reportRegionScope } from '../reports/regions';
import { isOpen, isOverdue, TICKET_STATUSES, type TicketStatus } from '../domain/ticket';
import { CATEGORIES } from '../domain/taxonomy';
import { cameOverTls, clientIp, type ProxyTrust } from '../http/client-ip';
import { readFlash, writeFlash } from '../http/flash';
import { imageResponse } from '../http/image';
import { checkConsolePassword, consoleAccountDisabled } from '../repo/console-accounts';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomToken } from '../auth/tokens';
import { LoginRefusedError, type WebLogin } from '../../adapters/types';
import { clearRateLimit, hitRateLimit, releaseRateLimit } from '../repo/rate-limits';
import { decodeCursor, encodeCursor, listTicketsPage, ticketEvents, ticketView } from '../repo/tickets';
import { dailyTrend, openByDepartment, todayFigures } from '../reports/dashboard';
import { ledgerFile } from '../reports/ledger-file';
import { monthPeriod, overdueTickets } from '../reports/queries';
import type { Services } from '../services';
import type { WebCommand } from '../pipeline/perform';
import { departmentLoadChart, rankingChart, regionRankingChart, trendChart } from './charts';
import { DashboardPage } from './pages/dashboard';
import { PostersPage } from './pages/posters';
import { posterHtml, posterSvg } from '../report-page/poster';
import { LoginPage } from './pages/login';
import { ReportsPage } from './pages/reports';
import { TicketPage, type ConsoleAction } from './pages/ticket';
import { TicketsPage } from './pages/tickets';
import { mountJointConsole } from './joint-routes';
import { surveyResults } from '../jobs/survey';
import { MinePage, type MineItem } from './pages/mine';
import { listTickets } from '../repo/tickets';
import { OPEN_STATUSES } from '../domain/ticket';
import { createDirectoryConsole } from './directory-routes';
import { endSession, isKnownDevice, rememberDevice, requireSession, startSession, type ConsoleEnv } from './session';

export interface ConsoleOptions {
  /** HMAC key for session cookies (GONGZHI_SESSION_SECRET). */
  sessionSecret: string;
  /** Whom to believe about the client address for sign-in limits (see clientIp). */
  trustProxy?: ProxyTrust;
  /** Draws poster PNGs (Node only: a native module); without it the console offers the printable page. */
  renderPng?: (svg: string) => Promise<Uint8Array>;
  /** WeCom / DingTalk sign-in, for the platforms configured with an app. */
  logins?: WebLogin[];
}

/**
 * Five wrong passwords per account from one address, thirty attempts per address, in fifteen
 * minutes. Failures are not counted per account alone: anyone could then lock a colleague out
 * by guessing from a few addresses. Guessing one account from many addresses is slowed by the
 * per-address limit and PBKDF2, and logged once the account's failures pile up.
 */
const LOGIN_PER_ACCOUNT_ADDRESS = { limit: 5, windowMs: 15 * 60_000 };
const LOGIN_PER_IP = { limit: 30, windowMs: 15 * 60_000 };
/** Wrong passwords for one account from anywhere: past this, only browsers it signed in from before may try. */
const LOGIN_ACCOUNT_BACKOFF = { limit: 10, windowMs: 15 * 60_000 };

const loginForm = z.object({ staffId: z.string().trim().min(1).max(64), password: z.string().min(1).max(200), next: z.string().default('/console') });
const listQuery = z.object({
  status: z.enum(TICKET_STATUSES).optional().catch(undefined),
  department: z.string().max(64).optional().catch(undefined),
  category: z.enum(CATEGORIES).optional().catch(undefined),
  group: z.string().max(128).optional().catch(undefined),
  overdue: z.literal('1').optional().catch(undefined),
  supervised: z.literal('1').optional().catch(undefined),
  cursor: z.string().max(200).optional(),
});
const text = (max: number) => z.string().trim().min(1, '请填写').max(max);
const actionForm = z.discriminatedUnion('action', [
  z.object({ action: z.literal('dispatch'), department: text(64) }),
  z.object({ action: z.literal('reassign'), department: text(64), reason: text(200) }),
  z.object({ action: z.literal('claim') }),
  z.object({ action: z.literal('resolve'), summary: text(2000) }),
  z.object({ action: z.literal('return'), reason: text(200) }),
  z.object({ action: z.literal('confirm') }),
  z.object({ action: z.literal('approve_extension') }),
  z.object({ action: z.literal('extend'), days: z.coerce.number().int('天数须为整数').min(1, '至少 1 天').max(60, '最多 60 天'), reason: text(200) }),
  z.object({ action: z.literal('close'), reason: text(200) }),
]);
type ActionForm = z.infer<typeof actionForm>;

/** Only same-site relative paths: the sign-in page must not become an open redirect. */
const safeNext = (next: string) => (next.startsWith('/console') && !next.startsWith('//') ? next : '/console');
const FLASH = 'gz_flash';
const OAUTH_COOKIE = 'gz_oauth';


export function createConsole(services: Services, opts: ConsoleOptions): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { db, config, directory } = services;
  const deployment = config.deployment.name;
  // The directory changes while running (console edits, other instances): read it per request.
  const departmentOptions = () => services.config.departments.map((d) => ({ id: d.id, name: d.name }));
  // Pickers and filters name only what the person's scope reaches: a county never sees another
  // county's departments or groups, not even as options (src/domain/regions.ts ticketScope).
  const reachRegions = (reach: TicketScope): Set<string> | null =>
    reach.kind === 'all' ? null : new Set(reach.kind === 'none' ? [] : directory.org.subtree(scopeRegion(reach, directory.org)));
  /** Departments a ticket may be dispatched or reassigned to from this scope: its region and below. */
  const pickableDepartments = (reach: TicketScope) => {
    const regions = reachRegions(reach);
    if (!regions) return departmentOptions();
    const allowed = new Set(directory.org.departmentsIn([...regions]));
    return departmentOptions().filter((d) => allowed.has(d.id));
  };
  /** Departments whose tickets the list can be filtered by: those the scope reads. */
  const filterableDepartments = (reach: TicketScope) => {
    if (reach.kind !== 'department') return pickableDepartments(reach);
    const allowed = new Set([reach.departmentId, ...reach.watchedIds]);
    return departmentOptions().filter((d) => allowed.has(d.id));
  };

  // Form posts must come from our own pages (Origin check); the cookie is SameSite=Lax as well.
  app.use('*', csrf());
  app.use('*', async (c, next) => {
    c.set('overTls', cameOverTls(c, opts.trustProxy ?? 0, config.deployment.publicUrl));
    await next();
  });
  // A new staff member signs in on every instance within seconds of being added (src/directory/live.ts).
  app.use('*', async (_c, next) => {
    await services.liveDirectory.catchUp();
    await next();
  });

  const logins = opts.logins ?? [];
  const loginOptions = logins.map((l) => ({ platform: l.platform, label: l.label }));
  app.get('/login', (c) => c.html(<LoginPage deployment={deployment} logins={loginOptions} next={safeNext(c.req.query('next') ?? '/console')} />));

  // Platform sign-in: a state value in a short-lived cookie ties the callback to this browser (OAuth CSRF).
  app.get('/login/:platform{[a-z]+}', (c) => {
    const login = logins.find((l) => l.platform === c.req.param('platform'));
    if (!login) return c.html(<LoginPage deployment={deployment} logins={loginOptions} next="/console" error="未配置该登录方式" />, 404);
    const state = randomToken();
    const next = safeNext(c.req.query('next') ?? '/console');
    setCookie(c, OAUTH_COOKIE, `${login.platform}|${state}|${next}`, { path: '/console', httpOnly: true, sameSite: 'Lax', maxAge: 600, secure: c.get('overTls') });
    const redirectUri = `${publicBase(config, c.req.url)}/console/login/${login.platform}/callback`;
    return c.redirect(login.authorizeUrl(redirectUri, state, c.req.header('user-agent') ?? ''), 302);
  });
  app.get('/login/:platform{[a-z]+}/callback', async (c) => {
    const login = logins.find((l) => l.platform === c.req.param('platform'));
    const [platform, state, next] = (getCookie(c, OAUTH_COOKIE) ?? '').split('|');
    deleteCookie(c, OAUTH_COOKIE, { path: '/console' });
    const code = login ? c.req.query(login.codeParam) ?? c.req.query('code') : undefined;
    const fail = (error: string, status: 400 | 401 | 403) => c.html(<LoginPage deployment={deployment} logins={loginOptions} next={safeNext(next ?? '/console')} error={error} />, status);
    if (!login || !code || platform !== login.platform || !state || state !== c.req.query('state')) return fail('登录已过期或来源不明，请重新扫码', 400);
    let userId: string;
    try {
      userId = await login.userIdFromCode(code);
    } catch (e) {
      services.logger.warn('console.platform_login_failed', { platform: login.platform, error: (e as Error).message });
      return fail(e instanceof LoginRefusedError ? e.message : `${login.label}暂时无法验证身份，请稍后再试`, 401);
    }
    const staff = directory.staffByAccount(login.platform, userId);
    if (!staff) {
      services.logger.warn('console.platform_login_unknown', { platform: login.platform, userId, hint: `add accounts.${login.platform}: ${userId} to the staff member in the configuration` });
      return fail(`您的${login.label}账号（${userId}）未登记为工作人员，请联系管理员`, 403);
    }
    if (await consoleAccountDisabled(db, staff.id)) return fail('该账号已停用，请联系管理员', 403);
    await startSession(c, opts.sessionSecret, staff.id, services.now());
    services.logger.info('console.login', { staffId: staff.id, via: login.platform });
    return c.redirect(safeNext(next ?? '/console'), 303);
  });
  app.post('/login', async (c) => {
    const form = loginForm.safeParse(await c.req.parseBody());
    if (!form.success) return c.html(<LoginPage deployment={deployment} logins={loginOptions} next="/console" error="请填写账号和密码" />, 400);
    const { staffId, password } = form.data;
    const next = safeNext(form.data.next);
    const now = services.now();
    const ip = clientIp(c, opts.trustProxy ?? 0);
    const failuresKey = `login:${staffId}|${ip}`;
    // Each attempt is counted before the password is checked and given back if it did not count:
    // concurrent guesses then each see the others' (a peek-then-count would let a burst through).
    const byIp = await hitRateLimit(db, `login-ip:${ip}`, LOGIN_PER_IP, now);
    const byAccount = await hitRateLimit(db, failuresKey, LOGIN_PER_ACCOUNT_ADDRESS, now);
    const accountKey = `login-failures:${staffId}`;
    const knownDevice = await isKnownDevice(c, opts.sessionSecret, staffId, now);
    const backoff = knownDevice ? null : await hitRateLimit(db, accountKey, LOGIN_ACCOUNT_BACKOFF, now);
    const giveBack = async () => {
      await releaseRateLimit(db, failuresKey, LOGIN_PER_ACCOUNT_ADDRESS, now);
      if (backoff) await releaseRateLimit(db, accountKey, LOGIN_ACCOUNT_BACKOFF, now);
    };
    const blocked = !byIp.allowed ? byIp : !byAccount.allowed ? byAccount : backoff && !backoff.allowed ? backoff : null;
    if (blocked && !blocked.allowed) {
      // A refused attempt is not a wrong password: waiting out the limit must be enough.
      await giveBack();
      const minutes = Math.ceil(blocked.retryAfterMs / 60_000);
      c.header('retry-after', String(Math.ceil(blocked.retryAfterMs / 1000)));
      return c.html(<LoginPage deployment={deployment} logins={loginOptions} next={next} staffId={staffId} error={`尝试次数过多，请 ${minutes} 分钟后再试`} />, 429);
    }
    if (!(await checkConsolePassword(db, staffId, password)) || !directory.staffById(staffId)) {
      // A browser that signed in before is not held back by the account's failures, but its own still count.
      const overall = backoff ?? (await hitRateLimit(db, accountKey, LOGIN_ACCOUNT_BACKOFF, now));
      services.logger.warn('console.login_failed', {
        staffId,
        ...(overall.allowed ? {} : { hint: 'many wrong passwords for this account from several addresses: someone may be guessing it; only browsers that signed in to it before may try until the back-off ends' }),
      });
      return c.html(<LoginPage deployment={deployment} logins={loginOptions} next={next} staffId={staffId} error="账号或密码不正确" />, 401);
    }
    if (backoff) await releaseRateLimit(db, accountKey, LOGIN_ACCOUNT_BACKOFF, now);
    await clearRateLimit(db, failuresKey);
    await startSession(c, opts.sessionSecret, staffId, now);
    await rememberDevice(c, opts.sessionSecret, staffId, now);
    services.logger.info('console.login', { staffId });
    return c.redirect(next, 303);
  });
  app.post('/logout', (c) => {
    endSession(c);
    return c.redirect('/console/login', 303);
  });

  app.use('*', requireSession(services, opts.sessionSecret));
  app.route('/directory', createDirectoryConsole(services));

  app.get('/', async (c) => {
    const user = c.get('user');
    const scope = visibleDepartment(user);
    // A county's 营商办 sees its county (and below); the city's, everything.
    const reach = directory.scopeOf(user);
    const region = reach.kind === 'regions' ? reach : undefined;
    const now = services.now();
    const [today, overdue, load] = await Promise.all([
      todayFigures(db, now, scope, region),
      overdueTickets(db, services.sla, now, null, scope, region),
      // A clerk's chart is of their county's departments, as their ranking is, not every county's.
      openByDepartment(db, now, region ?? reportRegionScope(directory.org, reach)),
    ]);
    const scopedName = scope ? directory.departmentName(scope) : region ? (directory.org.region(region.regionId)?.name ?? null) : null;
    return c.html(<DashboardPage deployment={deployment} user={user} today={today} overdue={overdue} loadChart={departmentLoadChart(load)} scoped={scopedName} />);
  });

  app.get('/tickets', async (c) => {
    const user = c.get('user');
    const reach = directory.scopeOf(user);
    const scope = reach.kind === 'all' ? null : reach;
    const q = listQuery.parse(c.req.query());
    const now = services.now();
    const departments = filterableDepartments(reach);
    const regions = reachRegions(reach);
    const groups = (await db.selectFrom('groups').select(['id', 'name', 'region']).orderBy('name').execute())
      .filter((g) => !regions || regions.has(directory.org.groupRegion(g.region)))
      .map((g) => ({ id: g.id, name: g.name }));
    // A filter value the page never offered (another county's department or group) is refused, not answered.
    if ((q.department && !departments.some((d) => d.id === q.department)) || (q.group && !groups.some((g) => g.id === q.group))) {
      return c.html(<p>这个筛选条件不在您的管辖范围内。<a href="/console/tickets">返回工单列表</a></p>, 403);
    }
    const page = await listTicketsPage(
      db,
      {
        ...(q.status ? { status: [q.status] } : {}),
        ...(q.department ? { departmentId: q.department } : {}),
        ...(scope ? { scope } : {}),
        ...(q.category ? { category: q.category } : {}),
        ...(q.group ? { groupId: q.group } : {}),
        ...(q.overdue ? { overdueAt: now } : {}),
        ...(q.supervised ? { supervisedOpen: true } : {}),
      },
      decodeCursor(q.cursor),
      50,
    );
    const groupNames = new Map(groups.map((g) => [g.id, g.name]));
    const params = new URLSearchParams(Object.entries({ ...q, cursor: undefined }).filter((e): e is [string, string] => typeof e[1] === 'string'));
    if (page.next) params.set('cursor', encodeCursor(page.next));
    const overdueIds = new Set(
      page.tickets.filter((t) => isOverdue({ status: t.status, pausedAt: t.paused_at, signDueAt: t.sign_due_at, resolveDueAt: t.resolve_due_at }, now)).map((t) => t.id),
    );
    return c.html(
      <TicketsPage
        deployment={deployment}
        user={user}
        filters={q}
        tickets={page.tickets}
        nextHref={page.next ? `/console/tickets?${params}` : null}
        departments={departments}
        groups={groups}
        names={{ department: (id) => (id ? (directory.departmentName(id) ?? id) : '待派单'), group: (id) => (id ? (groupNames.get(id) ?? id) : '一对一') }}
        scoped={scope !== null}
        overdueIds={overdueIds}
      />,
    );
  });

  // A person's own work, one card per ticket: the workbench (工作台 H5 app) home on a phone.
  app.get('/mine', async (c) => {
    const user = c.get('user');
    const now = services.now();
    const reach = directory.scopeOf(user);
    const department = user.role === 'staff' ? user.departmentId : null;
    const rows = department
      ? await listTickets(db, { departmentId: department, openOnly: true, limit: 100 })
      : // 营商办 and others: what waits for them (dispatch, re-dispatch, confirmation), then everything open in reach.
        (await listTicketsPage(db, { status: [...OPEN_STATUSES], ...(reach.kind === 'all' ? {} : { scope: reach }) }, null, 100)).tickets;
    const waitsForMe = (r: (typeof rows)[number]) =>
      r.assignee_id === user.id || (department ? r.status === 'dispatched' : ['received', 'returned', 'awaiting_confirmation'].includes(r.status));
    const items: MineItem[] = rows
      .map((row) => ({
        row,
        own: row.assignee_id === user.id,
        overdue: isOverdue({ status: row.status, pausedAt: row.paused_at, signDueAt: row.sign_due_at, resolveDueAt: row.resolve_due_at }, now),
        departmentName: row.department_id ? (directory.departmentName(row.department_id) ?? row.department_id) : '待派单',
        dueAt: row.status === 'dispatched' ? row.sign_due_at : row.status === 'claimed' ? row.resolve_due_at : null,
      }))
      .sort((a, b) => Number(waitsForMe(b.row)) - Number(waitsForMe(a.row)) || Number(b.overdue) - Number(a.overdue));
    const title = department ? '本单位待办（含协办）' : user.role === 'dispatcher' || user.role === 'admin' ? '待分派、待确认与在办工单' : '在办工单';
    return c.html(<MinePage deployment={deployment} user={user} title={title} items={items} />);
  });

  app.get('/tickets/:number', async (c) => {
    const user = c.get('user');
    const row = await db.selectFrom('tickets').selectAll().where('number', '=', c.req.param('number')).executeTakeFirst();
    if (!row || !canSeeTicket(directory.scopeOf(user), row)) {
      return c.html(<p>没有这张工单，或它不在本单位名下。<a href="/console/tickets">返回工单列表</a></p>, 404);
    }
    const now = services.now();
    const [view, events, documents, requester, group, messages, photos] = await Promise.all([
      ticketView(db, row, directory),
      ticketEvents(db, row.id),
      db.selectFrom('escalation_documents').select(['number', 'step', 'issued_at', 'due_at']).where('ticket_id', '=', row.id).orderBy('id').execute(),
      db.selectFrom('requesters').select(['name', 'enterprise', 'phone', 'user_id', 'platform']).where('id', '=', row.requester_id).executeTakeFirst(),
      row.group_id ? db.selectFrom('groups').select('name').where('id', '=', row.group_id).executeTakeFirst() : Promise.resolve(undefined),
      db.selectFrom('inbound_messages').select(['platform', 'sender_id', 'sender_name', 'text', 'received_at']).where('ticket_id', '=', row.id).orderBy('id').execute(),
      db.selectFrom('attachments').select('id').where('ticket_id', '=', row.id).orderBy('id').execute(),
    ]);
    const flash = readFlash(c, FLASH, '/console');
    return c.html(
      <TicketPage
        deployment={deployment}
        user={user}
        flash={flash}
        data={{
          row,
          view,
          overdue: isOverdue({ status: row.status, pausedAt: row.paused_at, signDueAt: row.sign_due_at, resolveDueAt: row.resolve_due_at }, now),
          requester: requester ? { name: requester.name, enterprise: requester.enterprise, phone: requester.phone, userId: requester.user_id, platform: requester.platform } : null,
          groupName: group?.name ?? null,
          events,
          documents,
          // The enterprise's own words (the report, follow-ups); staff commands are in the timeline already.
          messages: messages
            .filter((m) => !directory.staffByAccount(m.platform as Platform, m.sender_id))
            .map((m) => ({ sender: m.sender_name ?? m.sender_id, text: m.text, at: m.received_at })),
          departments: pickableDepartments(directory.scopeOf(user)),
          photos: photos.map((p) => p.id),
          actions: availableActions(user, row, events.map((e) => e.kind)),
        }}
      />,
    );
  });

  app.get('/attachments/:id{[0-9]+}', async (c) => {
    const photo = await db
      .selectFrom('attachments as a')
      .innerJoin('tickets as t', 't.id', 'a.ticket_id')
      .select(['a.content_type', 'a.data', 't.department_id', 't.co_department_ids', 't.region_id'])
      .where('a.id', '=', Number(c.req.param('id')))
      .executeTakeFirst();
    if (!photo || !canSeeTicket(directory.scopeOf(c.get('user')), photo)) return c.text('没有这张照片', 404);
    return imageResponse(c, photo);
  });

  app.post('/tickets/:number/actions', async (c) => {
    const user = c.get('user');
    const number = c.req.param('number');
    const row = await db.selectFrom('tickets').select(['id', 'department_id', 'co_department_ids', 'region_id']).where('number', '=', number).executeTakeFirst();
    // The same answer as the ticket page's, so probing numbers tells nobody which tickets exist.
    if (!row || !canSeeTicket(directory.scopeOf(user), row)) return c.html(<p>没有这张工单，或它不在本单位名下。<a href="/console/tickets">返回工单列表</a></p>, 404);
    const form = actionForm.safeParse(await c.req.parseBody());
    const picked = form.success && (form.data.action === 'dispatch' || form.data.action === 'reassign') ? form.data.department : null;
    if (picked !== null && !pickableDepartments(directory.scopeOf(user)).some((d) => d.id === picked)) {
      return c.html(<p>不能派给管辖范围以外的单位。<a href={`/console/tickets/${number}`}>返回工单</a></p>, 403);
    }
    const result = form.success
      ? await services.pipeline.perform({ actor: { kind: 'staff', staffId: user.id }, ticketId: row.id, command: toCommand(form.data, (id) => directory.departmentName(id) ?? id) })
      : { ok: false, messages: [`表单有误：${form.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('；')}`] };
    services.logger.info('console.action', { staffId: user.id, ticket: number, action: form.success ? form.data.action : 'invalid', ok: result.ok });
    writeFlash(c, FLASH, '/console', result);
    return c.redirect(`/console/tickets/${number}`, 303);
  });

  app.get('/reports', async (c) => {
    const user = c.get('user');
    const month = /^\d{4}-\d{2}$/.test(c.req.query('month') ?? '') ? c.req.query('month')! : chinaDate(services.now()).slice(0, 7);
    const period = monthPeriod(month);
    // Each level ranks its own departments, and a level with regions under it ranks those too.
    const org = directory.org;
    const region = scopeRegion(directory.scopeOf(user), org);
    const [ranking, trend, regions, survey] = await Promise.all([
      regionDepartmentRanking(db, period, services.now(), org, region),
      dailyTrend(db, period, reportRegionScope(org, directory.scopeOf(user))),
      regionRanking(db, period, services.now(), org, region),
      surveyResults(services, { covering: period.from, scope: directory.scopeOf(user) }),
    ]);
    return c.html(
      <ReportsPage
        deployment={deployment}
        user={user}
        month={month}
        ranking={ranking}
        rankingChart={rankingChart(ranking)}
        trendChart={trendChart(trend)}
        canExport={visibleDepartment(user) === null}
        regions={regions.length ? { name: org.region(region)?.name ?? '', rows: regions, chart: regionRankingChart(regions) } : null}
        survey={survey}
      />,
    );
  });

  app.get('/ledger', async (c) => {
    if (visibleDepartment(c.get('user'))) return c.text('台账仅营商办、管理员和监督人员可导出', 403);
    const q = z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), format: z.enum(['xlsx', 'csv']).default('xlsx'), region: z.string().max(64).optional() }).safeParse(c.req.query());
    if (!q.success) return c.text('月份格式应为 2026-11', 400);
    const ledgerRegion = ledgerScope(directory, c.get('user'), q.data.region);
    if (!ledgerRegion.ok) return c.text(ledgerRegion.message, ledgerRegion.status);
    const file = await ledgerFile(db, q.data.month, q.data.format, ledgerRegion.region);
    return c.body(typeof file.body === 'string' ? file.body : (file.body as Uint8Array<ArrayBuffer>), 200, file.headers);
  });

  const reportUrl = (c: { req: { url: string } }, groupId: string) => `${publicBase(config, c.req.url)}/r/${groupId}`;
  app.get('/posters', async (c) => {
    const groups = await db.selectFrom('groups').select(['id', 'name']).where('configured', '=', true).orderBy('id').execute();
    return c.html(<PostersPage deployment={deployment} user={c.get('user')} groups={groups.map((g) => ({ ...g, url: reportUrl(c, g.id) }))} png={!!opts.renderPng} />);
  });
  app.get('/posters/:file{[a-z0-9_-]+\\.(html|png)}', async (c) => {
    const [id, ext] = c.req.param('file').split('.') as [string, string];
    const group = await db.selectFrom('groups').select(['id', 'name']).where('id', '=', id).where('configured', '=', true).executeTakeFirst();
    if (!group || (ext === 'png' && !opts.renderPng)) return c.text('没有这个群的海报', 404);
    const svg = await posterSvg({ groupName: group.name, deployment, hotline: config.deployment.hotline ?? null, url: reportUrl(c, group.id) });
    if (ext === 'html') return c.html(posterHtml(svg, `${group.name} 反映二维码`));
    const png = await opts.renderPng!(svg);
    return c.body(png as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'image/png', 'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(`${group.name}-二维码.png`)}` });
  });

  // 会商会办: topics, joint cases and the survey (src/console/joint-routes.tsx).
  mountJointConsole(app, services);

  return app;
}

function toCommand(form: ActionForm, departmentName: (id: string) => string): WebCommand['command'] {
  switch (form.action) {
    case 'dispatch':
      return { name: 'dispatch', ref: null, department: departmentName(form.department), reason: '' };
    case 'reassign':
      return { name: 'reassign', ref: null, department: departmentName(form.department), reason: form.reason };
    case 'resolve':
      return { name: 'resolve', ref: null, summary: form.summary };
    case 'return':
    case 'close':
      return { name: form.action, ref: null, reason: form.reason };
    case 'extend':
      return { name: 'extend', ref: null, days: form.days, reason: form.reason };
    case 'claim':
    case 'confirm':
    case 'approve_extension':
      return { name: form.action, ref: null };
  }
}

/** The buttons worth showing; the command itself still checks role, department and state. */
function availableActions(user: { role: keyof typeof ROLE_COMMANDS; departmentId: string | null }, row: { status: string; department_id: string | null }, eventKinds: string[]): ConsoleAction[] {
  const may = (a: ConsoleAction) => ROLE_COMMANDS[user.role].includes(a);
  const status = row.status as TicketStatus;
  const lead = row.department_id !== null && row.department_id === user.departmentId;
  const out: ConsoleAction[] = [];
  if ((status === 'received' || status === 'returned') && may('dispatch')) out.push('dispatch');
  if ((status === 'dispatched' || status === 'claimed') && may('reassign')) out.push('reassign');
  if (status === 'dispatched' && may('claim') && lead) out.push('claim');
  if (status === 'claimed' && may('resolve') && lead) out.push('resolve');
  if ((status === 'dispatched' || status === 'claimed') && may('return') && lead) out.push('return');
  if (status === 'claimed' && may('extend') && lead) out.push('extend');
  if (status === 'awaiting_confirmation' && may('confirm')) out.push('confirm');
  const lastRequest = eventKinds.lastIndexOf('extension_requested');
  if (lastRequest >= 0 && eventKinds.lastIndexOf('extension_approved') < lastRequest && may('approve_extension')) out.push('approve_extension');
  if (isOpen(status) && may('close')) out.push('close');
  return out;
}
