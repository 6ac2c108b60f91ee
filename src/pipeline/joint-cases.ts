import type { Tx } from '../db/database';
import type { TicketRow } from '../db/schema';
import { chinaDate } from '../domain/china-time';
import type { Platform } from '../domain/message';
import { scopeAllows, type TicketScope } from '../domain/regions';
import { CATEGORY_NAMES, type Category, type IssueType, type Urgency } from '../domain/taxonomy';
import { templates } from '../domain/templates';
import type { Actor, TicketAction, TicketEventDraft, TicketState } from '../domain/ticket';
import { applyTicketAction } from '../domain/ticket-machine';
import { enqueueOutbox, type OutboxEntry } from '../repo/outbox';
import { lockTicket, nextCounter, rowToState, saveTicketState, ticketView } from '../repo/tickets';
import { listTopicSummaries, topicMembers } from '../repo/topics';
import type { Services } from '../services';
import { restartsDeadlines, stateDeadlines } from './commands/shared';
import type { PipelineDeps } from './context';
import { groupPostFor, staffDirectPosts, textPayload } from './notify';

export interface JointResult {
  ok: boolean;
  messages: string[];
  number?: string;
}

const PLATFORMS: Platform[] = ['wecom', 'dingtalk', 'local'];

/** What the case handlers need from the running services (the console and jobs hold Services). */
export function jointDeps(services: Services): PipelineDeps {
  const { db, config, classifier, sla, directory, now } = services;
  return { db, config, classifier, sla, directory, now, onOutbox: () => services.defer(services.drainer.drainOnce()) };
}
const OPEN_FOR_CASE = ['received', 'dispatched', 'claimed', 'returned', 'awaiting_confirmation'];

/**
 * News about one member ticket for its enterprise: in the ticket's own group when it is public
 * and the group can be posted to, else one-to-one (a private report never reaches a group).
 * Report-page users read it on their ticket page, where the timeline shows the case.
 */
async function toEnterprise(tx: Tx, row: TicketRow, text: string): Promise<OutboxEntry | null> {
  const requester = await tx.selectFrom('requesters').select(['platform', 'user_id']).where('id', '=', row.requester_id).executeTakeFirst();
  const chat = requester && requester.platform !== 'web' ? requester : null;
  const mention = chat && chat.platform === row.origin_platform ? [chat.user_id] : [];
  const group = await groupPostFor(tx, row, text, { mentions: mention });
  if (group) return group;
  if (!chat) return null;
  return { platform: chat.platform as Platform, kind: 'direct', target: { kind: 'direct', userId: chat.user_id }, payload: textPayload(text), ticketId: row.id, groupId: null };
}

/** Applies actions in turn through the ticket state machine; stops at the first refusal. */
function run(state: TicketState, actions: TicketAction[], actor: Actor, now: Date): { state: TicketState; events: TicketEventDraft[] } | string {
  let s = state;
  const events: TicketEventDraft[] = [];
  for (const a of actions) {
    const r = applyTicketAction(s, a, actor, now);
    if (!r.ok) return r.message;
    s = r.state;
    events.push(...r.events);
  }
  return { state: s, events };
}

/**
 * The deadlines a move to the case's lead department sets: the sign deadline restarts (never past
 * the case's), the resolve deadline is the case's. The 派单/改派 event states both, so `audit
 * verify` holds the row to them.
 */
function caseDeadlines(deps: PipelineDeps, row: TicketRow, caseDue: Date, now: Date): { signDueAt: Date; resolveDueAt: Date } {
  const sla = deps.sla.dueDates({ type: row.type as IssueType, category: row.category as Category, urgency: row.urgency as Urgency }, now);
  return { signDueAt: sla.signDueAt < caseDue ? sla.signDueAt : caseDue, resolveDueAt: caseDue };
}

export interface PromoteInput {
  topicId: number;
  staffId: string;
  leadDepartmentId: string;
  coDepartmentIds: string[];
  dueAt: Date;
  title?: string;
}

/**
 * 协同办: a topic becomes one case with a lead department, co-handling departments and one
 * deadline. Every open member ticket moves to the lead department (派单 or 改派 through the
 * state machine), gains the co-handlers, takes the case's deadline and a note event naming the
 * case; its enterprise is told where it reported. All in one transaction.
 */
export async function promoteTopic(deps: PipelineDeps, input: PromoteInput): Promise<JointResult> {
  const staff = deps.directory.staffById(input.staffId);
  if (!staff || (staff.role !== 'dispatcher' && staff.role !== 'admin')) return { ok: false, messages: ['只有营商办派单员和管理员可以发起协同办'] };
  const known = new Set(deps.config.departments.map((d) => d.id));
  if (!known.has(input.leadDepartmentId)) return { ok: false, messages: ['请选择牵头单位'] };
  const co = [...new Set(input.coDepartmentIds)].filter((d) => d !== input.leadDepartmentId);
  if (co.some((d) => !known.has(d))) return { ok: false, messages: ['协办单位不在单位名录中'] };
  // A county's 营商办 acts within its county: the handling departments and every member ticket
  // must lie in its scope (ticketScope, the one place scope is computed).
  const scope = deps.directory.scopeOf(staff);
  const inScope = (d: string) => scopeAllows(scope, { region_id: null, department_id: d, co_department_ids: [] }, 'act');
  if (![input.leadDepartmentId, ...co].every(inScope)) return { ok: false, messages: ['牵头和协办单位须在本级管辖范围内'] };
  const now = deps.now();
  if (input.dueAt <= now) return { ok: false, messages: ['办结时限须晚于现在'] };
  const actor: Actor = { kind: 'staff', id: staff.id, name: staff.name };
  const name = (id: string) => deps.directory.departmentName(id) ?? id;
  const result = await deps.db.transaction().execute(async (tx): Promise<JointResult & { posted?: boolean }> => {
    const topic = await tx.selectFrom('topics').selectAll().where('id', '=', input.topicId).forUpdate().executeTakeFirst();
    if (!topic) return { ok: false, messages: ['没有这个面上问题'] };
    if (topic.status === 'promoted' || topic.status === 'dismissed') return { ok: false, messages: [topic.status === 'promoted' ? '该问题已提级为协同办' : '该问题已标为非面上问题'] };
    const all = await tx.selectFrom('topic_tickets as m').innerJoin('tickets as t', 't.id', 'm.ticket_id').select(['t.region_id', 't.department_id', 't.co_department_ids']).where('m.topic_id', '=', topic.id).execute();
    if (!all.every((t) => scopeAllows(scope, t, 'act'))) return { ok: false, messages: ['没有这个面上问题'] };
    const members = await tx
      .selectFrom('topic_tickets as m')
      .innerJoin('tickets as t', 't.id', 'm.ticket_id')
      .select('t.id')
      .where('m.topic_id', '=', topic.id)
      .where('t.status', 'in', OPEN_FOR_CASE)
      .where('t.id', 'not in', tx.selectFrom('joint_case_tickets').select('ticket_id'))
      .orderBy('t.id')
      .execute();
    if (members.length === 0) return { ok: false, messages: ['该问题下没有在办工单'] };
    const year = chinaDate(now).slice(0, 4);
    const number = `XT-${year}-${String(await nextCounter(tx, `xt:${year}`)).padStart(4, '0')}`;
    const title = input.title?.trim() || topic.title;
    const kase = await tx
      .insertInto('joint_cases')
      .values({ number, topic_id: topic.id, title, lead_department_id: input.leadDepartmentId, co_department_ids: JSON.stringify(co), due_at: input.dueAt, created_by: staff.id, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const posts: OutboxEntry[] = [];
    const due = `${chinaDate(input.dueAt)}`;
    const handlers = `${name(input.leadDepartmentId)}牵头${co.length ? `，${co.map(name).join('、')}协办` : ''}`;
    const enterprises = new Set<number>();
    for (const m of members) {
      const row = (await lockTicket(tx, m.id))!;
      enterprises.add(row.requester_id);
      const state = rowToState(row);
      const actions: TicketAction[] = [];
      if (state.status === 'received' || state.status === 'returned') actions.push({ kind: 'dispatch', departmentId: input.leadDepartmentId });
      else if (state.status !== 'awaiting_confirmation' && state.departmentId !== input.leadDepartmentId) {
        actions.push({ kind: 'reassign', departmentId: input.leadDepartmentId, reason: `并入协同办 ${number}` });
      }
      const missing = co.filter((d) => !state.coDepartmentIds.includes(d));
      if (missing.length && state.status !== 'awaiting_confirmation') actions.push({ kind: 'add_co_departments', departmentIds: missing });
      const r = run(state, actions, actor, now);
      if (typeof r === 'string') throw new Error(`${row.number}: ${r}`);
      const moved = restartsDeadlines(r.events);
      const due = caseDeadlines(deps, row, input.dueAt, now);
      const events = moved ? stateDeadlines(r.events, due) : r.events;
      events.push({ kind: 'note', fromStatus: null, toStatus: null, actor, at: now, data: { jointCase: number, joined: true, dueAt: input.dueAt.toISOString() } });
      await saveTicketState(tx, row, r.state, events, now);
      await tx
        .updateTable('tickets')
        .set({ resolve_due_at: due.resolveDueAt, ...(moved ? { sign_due_at: due.signDueAt } : {}) })
        .where('id', '=', row.id)
        .execute();
      await tx.insertInto('joint_case_tickets').values({ ticket_id: row.id, case_id: kase.id }).execute();
      const text = [
        `${row.number}【协同办 ${number}】`,
        `您反映的问题与其他企业反映的同类问题（共 ${members.length} 件）合并为协同办件，由${handlers}，办结时限 ${due}。`,
        `办结后请对本企业的工单评价：/评价 ${row.seq} 分数。`,
      ].join('\n');
      const post = await toEnterprise(tx, row, text);
      if (post) posts.push(post);
    }
    await tx.updateTable('topics').set({ status: 'promoted', decided_by: staff.id, updated_at: now }).where('id', '=', topic.id).execute();
    await tx.updateTable('topic_tickets').set({ pinned: true }).where('topic_id', '=', topic.id).execute();
    const brief = `【协同办 ${number}】${title}\n${handlers}；${enterprises.size} 家企业 ${members.length} 件工单；办结时限 ${due}。请在工作台「会商会办」查看并统一办理。`;
    for (const d of [input.leadDepartmentId, ...co]) for (const p of PLATFORMS) posts.push(...staffDirectPosts(deps.directory, d, p, brief, members[0]!.id));
    await enqueueOutbox(tx, posts, now);
    return { ok: true, number, messages: [`已发起协同办 ${number}：${members.length} 件工单并案，${handlers}`], posted: posts.length > 0 };
  });
  if (result.posted) deps.onOutbox?.();
  return { ok: result.ok, messages: result.messages, ...(result.number ? { number: result.number } : {}) };
}

export interface ResolveInput {
  caseId: number;
  staffId: string;
  result: string;
}

/**
 * 办结 a joint case: every member ticket is resolved with the joint result through the state
 * machine (a ticket under 挂牌督办 that needs 营商办's confirmation is confirmed when 营商办 itself
 * resolves the case), and each enterprise is asked to rate its own ticket.
 */
export async function resolveJointCase(deps: PipelineDeps, input: ResolveInput): Promise<JointResult> {
  const staff = deps.directory.staffById(input.staffId);
  const summary = input.result.trim();
  if (!summary) return { ok: false, messages: ['办结须附办理结果说明'] };
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (tx): Promise<JointResult & { posted?: boolean }> => {
    const kase = await tx.selectFrom('joint_cases').selectAll().where('id', '=', input.caseId).forUpdate().executeTakeFirst();
    if (!kase) return { ok: false, messages: ['没有这个协同办件'] };
    const office = staff?.role === 'dispatcher' || staff?.role === 'admin';
    if (!staff || !(office || (staff.role === 'staff' && staff.departmentId === kase.lead_department_id))) return { ok: false, messages: ['只有牵头单位和营商办可以办结协同办件'] };
    if (office) {
      // 营商办 resolves only a case whose every ticket is in its scope (a county never closes another county's).
      const scope = deps.directory.scopeOf(staff);
      const rows = await tx.selectFrom('joint_case_tickets as l').innerJoin('tickets as t', 't.id', 'l.ticket_id').select(['t.region_id', 't.department_id', 't.co_department_ids']).where('l.case_id', '=', kase.id).execute();
      if (!rows.every((t) => scopeAllows(scope, t, 'act'))) return { ok: false, messages: ['没有这个协同办件'] };
    }
    if (kase.status !== 'open') return { ok: false, messages: [`${kase.number} 已办结`] };
    const actor: Actor = { kind: 'staff', id: staff.id, name: staff.name };
    const links = await tx.selectFrom('joint_case_tickets').select('ticket_id').where('case_id', '=', kase.id).orderBy('ticket_id').execute();
    const posts: OutboxEntry[] = [];
    let resolved = 0;
    for (const l of links) {
      const row = (await lockTicket(tx, l.ticket_id))!;
      const state = rowToState(row);
      const actions: TicketAction[] = [];
      if (state.status === 'received' || state.status === 'returned') actions.push({ kind: 'dispatch', departmentId: kase.lead_department_id });
      if (state.status !== 'awaiting_confirmation' && ['received', 'returned', 'dispatched', 'claimed'].includes(state.status)) actions.push({ kind: 'resolve', summary });
      if (!actions.length && state.status !== 'awaiting_confirmation') continue; // closed or resolved meanwhile
      let r = run(state, actions, actor, now);
      if (typeof r === 'string') throw new Error(`${row.number}: ${r}`);
      if (r.state.status === 'awaiting_confirmation' && office) {
        const c = run(r.state, [{ kind: 'confirm' }], actor, now);
        if (typeof c === 'string') throw new Error(`${row.number}: ${c}`);
        r = { state: c.state, events: [...r.events, ...c.events] };
      }
      // A member sent back meanwhile is dispatched to the lead again: like the case's own moves,
      // that dispatch states the deadlines it sets (else verify could not check them).
      const moved = restartsDeadlines(r.events);
      const due = moved ? caseDeadlines(deps, row, kase.due_at, now) : null;
      const events = due ? stateDeadlines(r.events, due) : r.events;
      events.push({ kind: 'note', fromStatus: null, toStatus: null, actor, at: now, data: { jointCase: kase.number, resolved: true } });
      await saveTicketState(tx, row, r.state, events, now);
      if (due) await tx.updateTable('tickets').set({ sign_due_at: due.signDueAt, resolve_due_at: due.resolveDueAt }).where('id', '=', row.id).execute();
      resolved++;
      const after = (await tx.selectFrom('tickets').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow());
      const view = await ticketView(tx, after, deps.directory);
      const text = after.status === 'resolved' ? `【协同办 ${kase.number} 已办结】\n${templates.resolved(view)}` : `【协同办 ${kase.number} 已办结，待营商办确认】\n${templates.resolutionSubmitted(view)}`;
      const post = await toEnterprise(tx, after, text);
      if (post) posts.push(post);
    }
    await tx.updateTable('joint_cases').set({ status: 'resolved', result: summary, resolved_by: staff.id, resolved_at: now }).where('id', '=', kase.id).execute();
    await enqueueOutbox(tx, posts, now);
    return { ok: true, number: kase.number, messages: [`${kase.number} 已办结：${resolved} 件工单同时办结，已请各企业评价`], posted: posts.length > 0 };
  });
  if (result.posted) deps.onOutbox?.();
  return { ok: result.ok, messages: result.messages, ...(result.number ? { number: result.number } : {}) };
}

export interface JointCaseSummary {
  number: string;
  /** The topic's category (group posts name a case by category, never by enterprise text). */
  category: string | null;
  title: string;
  lead: string;
  co: string[];
  status: string;
  dueAt: Date;
  tickets: number;
  enterprises: number;
  resolvedAt: Date | null;
  rated: number;
  satisfied: number;
}

/**
 * Joint cases opened or resolved in a period (the monthly 通报, the ledger, the console). With
 * `scope` (ticketScope), only cases whose every member ticket lies in it: a county never sees
 * another county's case, the city sees them all.
 */
export async function jointCaseSummaries(db: PipelineDeps['db'], period: { from: Date; to: Date } | null, names: (id: string) => string, opts: { scope?: TicketScope } = {}): Promise<JointCaseSummary[]> {
  let q = db.selectFrom('joint_cases as c').leftJoin('topics as p', 'p.id', 'c.topic_id').selectAll('c').select('p.category').orderBy('c.created_at', 'desc').orderBy('c.id', 'desc');
  if (period) q = q.where((eb) => eb.or([eb.and([eb('c.created_at', '>=', period.from), eb('c.created_at', '<', period.to)]), eb.and([eb('c.resolved_at', '>=', period.from), eb('c.resolved_at', '<', period.to)])]));
  const all = await q.execute();
  if (!all.length) return [];
  const members = await db
    .selectFrom('joint_case_tickets as l')
    .innerJoin('tickets as t', 't.id', 'l.ticket_id')
    .select(['l.case_id', 't.requester_id', 't.rating', 't.region_id', 't.department_id', 't.co_department_ids'])
    .where('l.case_id', 'in', all.map((c) => c.id))
    .execute();
  const scope = opts.scope;
  const cases = scope ? all.filter((c) => members.filter((m) => m.case_id === c.id).every((m) => scopeAllows(scope, m, 'read'))) : all;
  return cases.map((c) => {
    const mine = members.filter((m) => m.case_id === c.id);
    return {
      number: c.number,
      category: c.category ?? null,
      title: c.title,
      lead: names(c.lead_department_id),
      co: c.co_department_ids.map(names),
      status: c.status,
      dueAt: c.due_at,
      tickets: mine.length,
      enterprises: new Set(mine.map((m) => m.requester_id)).size,
      resolvedAt: c.resolved_at,
      rated: mine.filter((m) => m.rating !== null).length,
      satisfied: mine.filter((m) => (m.rating ?? 0) >= 3).length,
    };
  });
}

const TOPIC_STATUS: Record<string, string> = { candidate: '候选', confirmed: '已确认', promoted: '已提级协同办' };

/**
 * The 台账's 面上问题 section: the topics (not dismissed) with a member reported in the month,
 * with their member tickets. With `scope`, only topics wholly inside it (as the console).
 */
async function topicLedgerSection(db: PipelineDeps['db'], period: { from: Date; to: Date }, scope?: TicketScope): Promise<Array<Array<string | number | Date | null>>> {
  const topics = await listTopicSummaries(db, { statuses: ['candidate', 'confirmed', 'promoted'], reportedIn: period, limit: 500, ...(scope ? { scope } : {}) });
  if (!topics.length) return [];
  const rows: Array<Array<string | number | Date | null>> = [[], ['面上问题 (topics)'], ['编号', '问题', '类别', '状态', '企业数', '工单数', '首次反映', '最近反映', '成员工单']];
  for (const t of topics.sort((a, b) => a.id - b.id)) {
    const members = await topicMembers(db, t.id);
    rows.push([
      `#${t.id}`,
      t.title,
      CATEGORY_NAMES[t.category as Category] ?? t.category,
      `${TOPIC_STATUS[t.status] ?? t.status}${t.jointCase ? ` ${t.jointCase}` : ''}`,
      t.enterprises,
      t.tickets,
      t.firstAt,
      t.lastAt,
      members.map((m) => m.number).join('、'),
    ]);
  }
  return rows;
}

/**
 * The 台账's 会商会办 part: the month's 面上问题, then each 协同办 case opened or resolved in the
 * month with its member tickets (with `scope`, only topics and cases wholly inside it, as
 * jointCaseSummaries).
 */
export async function jointCaseLedgerSection(db: PipelineDeps['db'], period: { from: Date; to: Date }, scope?: TicketScope): Promise<Array<Array<string | number | Date | null>>> {
  return [...(await topicLedgerSection(db, period, scope)), ...(await caseLedgerSection(db, period, scope))];
}

async function caseLedgerSection(db: PipelineDeps['db'], period: { from: Date; to: Date }, scope?: TicketScope): Promise<Array<Array<string | Date | null>>> {
  const all = await db
    .selectFrom('joint_cases as c')
    .leftJoin('departments as d', 'd.id', 'c.lead_department_id')
    .select(['c.id', 'c.number', 'c.title', 'c.status', 'c.due_at', 'c.resolved_at', 'c.result', 'c.co_department_ids', 'd.name as lead'])
    .where((eb) => eb.or([eb.and([eb('c.created_at', '>=', period.from), eb('c.created_at', '<', period.to)]), eb.and([eb('c.resolved_at', '>=', period.from), eb('c.resolved_at', '<', period.to)])]))
    .orderBy('c.id')
    .execute();
  if (!all.length) return [];
  const members = await db
    .selectFrom('joint_case_tickets as l')
    .innerJoin('tickets as t', 't.id', 'l.ticket_id')
    .select(['l.case_id', 't.number', 't.region_id', 't.department_id', 't.co_department_ids'])
    .where('l.case_id', 'in', all.map((c) => c.id))
    .orderBy('t.id')
    .execute();
  const cases = scope ? all.filter((c) => members.filter((m) => m.case_id === c.id).every((m) => scopeAllows(scope, m, 'read'))) : all;
  if (!cases.length) return [];
  const names = new Map((await db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]));
  return [
    [],
    ['协同办 (joint cases)'],
    ['编号', '问题', '牵头单位', '协办单位', '状态', '办结时限', '办结时间', '办理结果', '成员工单'],
    ...cases.map((c) => [
      c.number,
      c.title,
      c.lead ?? null,
      c.co_department_ids.map((id) => names.get(id) ?? id).join('、'),
      c.status === 'resolved' ? '已办结' : '办理中',
      c.due_at,
      c.resolved_at,
      c.result ?? '',
      members.filter((m) => m.case_id === c.id).map((m) => m.number).join('、'),
    ]),
  ];
}
