import { sql } from 'kysely';
import { chinaDate, chinaMidnight } from '../domain/china-time';
import type { Db } from '../db/database';
import { STEP_NAMES, type EscalationStep } from '../domain/escalation';
import { figuresFromCounts, rankFigures } from '../domain/report';
import { departmentCounts, type Period } from './counts';
import type { DailyDigest, RankingRow } from '../domain/templates';
import { OPEN_STATUSES, STATUS_NAMES, type TicketStatus } from '../domain/ticket';
import { CATEGORY_NAMES, ISSUE_TYPE_NAMES, URGENCY_NAMES, type Category, type IssueType, type Urgency } from '../domain/taxonomy';
import type { SlaClock } from '../domain/sla';
import { overdueCondition } from '../repo/tickets';
import { scopeCondition } from '../repo/scope';
import type { TicketScope } from '../domain/regions';
import type { Cell } from './xlsx';

export { departmentCounts, liveDepartmentCounts, type Period } from './counts';

/** A China calendar month "2026-11" → [1 Nov 00:00, 1 Dec 00:00) Beijing time. */
export function monthPeriod(month: string): Period {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) throw new Error(`month must look like 2026-11, not "${month}"`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) throw new Error(`no month ${mo}`);
  const next = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  return { from: chinaMidnight(`${month}-01`), to: chinaMidnight(`${next}-01`) };
}

/**
 * Department figures over tickets received in the period, ranked best first (`at`: the report's time, see CountFilter.at). The database
 * counts (one row per department), the domain turns counts into rates: a month of a large
 * county is tens of thousands of tickets, which never leave PostgreSQL.
 */
export async function departmentRanking(db: Db, period: Period, at: Date, groupId?: string, departmentIds?: readonly string[]): Promise<RankingRow[]> {
  const counts = await departmentCounts(db, period, { at, ...(groupId ? { groupId } : {}), ...(departmentIds ? { departmentIds } : {}) });
  const names = new Map((await db.selectFrom('departments').select(['id', 'name']).execute()).map((d) => [d.id, d.name]));
  return rankFigures(counts.map(figuresFromCounts)).map((f) => ({ ...f, name: names.get(f.departmentId) ?? f.departmentId }));
}

export interface OverdueTicket {
  number: string;
  content: string;
  departmentName: string;
  dueAt: Date;
  workdaysOver: number;
  /** Reported one-to-one or kept private on the report page: never named in a group post. */
  isPrivate: boolean;
}

/** Working days past the deadline, rounded down to a tenth, as the digest and the console show it. */
const tenthsOver = (days: number) => Math.max(0, Math.floor(days * 10) / 10);

/** Open, unpaused tickets past their active deadline at `at`, oldest first; `scope` keeps to a viewer's region. */
export async function overdueTickets(db: Db, sla: SlaClock, at: Date, groupId: string | null = null, departmentId: string | null = null, scope?: TicketScope): Promise<OverdueTicket[]> {
  let q = db
    .selectFrom('tickets as t')
    .leftJoin('departments as d', 'd.id', 't.department_id')
    .select(['t.number', 't.content', 't.status', 't.is_private', 't.sign_due_at', 't.resolve_due_at', 'd.name as department'])
    .where('t.status', 'in', [...OPEN_STATUSES])
    .where('t.paused_at', 'is', null)
    .where(overdueCondition(at, 't'))
    .orderBy('t.received_at');
  if (groupId) q = q.where('t.group_id', '=', groupId);
  if (departmentId) q = q.where('t.department_id', '=', departmentId);
  if (scope) q = q.where(scopeCondition(scope, 't'));
  return (await q.execute()).map((r) => {
    const dueAt = (['received', 'dispatched', 'returned'].includes(r.status) ? r.sign_due_at : r.resolve_due_at)!;
    return { number: r.number, content: r.content, departmentName: r.department ?? '待分派', dueAt, workdaysOver: tenthsOver(sla.calendar.workdaysBetween(dueAt, at)), isPrivate: r.is_private };
  });
}

/**
 * The daily digest of one group (or all groups): the 24 hours before `at`, and the state at `at`.
 * `scope` keeps it to what a viewer may see (the API: a county's 营商办 its county, a clerk its department);
 * `publicOnly` (a post into a group) names no private ticket: a report kept private on the QR page
 * belongs to the QR group, and its number, department and delay would tell the group it exists.
 */
export async function dailyDigest(db: Db, sla: SlaClock, opts: { groupId: string | null; groupName: string; at: Date; scope?: TicketScope; publicOnly?: boolean }): Promise<DailyDigest> {
  const from = new Date(opts.at.getTime() - 86_400_000);
  const inGroup = opts.groupId;
  const countWhere = async (column: 'received_at' | 'claimed_at' | 'resolved_at') => {
    let q = db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where(column, '>=', from).where(column, '<', opts.at);
    if (inGroup) q = q.where('group_id', '=', inGroup);
    if (opts.scope) q = q.where(scopeCondition(opts.scope));
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  let awaitingQ = db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'resolved');
  if (inGroup) awaitingQ = awaitingQ.where('group_id', '=', inGroup);
  if (opts.scope) awaitingQ = awaitingQ.where(scopeCondition(opts.scope));

  let onTimeQ = db
    .selectFrom('tickets as t')
    .innerJoin('departments as d', 'd.id', 't.department_id')
    .select(['d.name', (eb) => eb.fn.countAll<number>().as('n')])
    .where('t.resolved_at', '>=', from)
    .where('t.resolved_at', '<', opts.at)
    .whereRef('t.resolved_at', '<=', 't.resolve_due_at')
    .groupBy('d.name')
    .orderBy('n', 'desc')
    .orderBy('d.name');
  if (inGroup) onTimeQ = onTimeQ.where('t.group_id', '=', inGroup);
  if (opts.scope) onTimeQ = onTimeQ.where(scopeCondition(opts.scope, 't'));
  // Side by side: on PostgreSQL each runs on a pooled connection.
  const [received, claimed, resolved, overdueRows, awaiting, bestRow] = await Promise.all([
    countWhere('received_at'),
    countWhere('claimed_at'),
    countWhere('resolved_at'),
    overdueTickets(db, sla, opts.at, inGroup, null, opts.scope),
    awaitingQ.executeTakeFirstOrThrow(),
    onTimeQ.executeTakeFirst(),
  ]);
  const overdue = overdueRows.filter((o) => !(opts.publicOnly && o.isPrivate)).map(({ number, departmentName, workdaysOver }) => ({ number, departmentName, workdaysOver }));
  const best = bestRow ?? null;
  const overdueByDept = new Map<string, number>();
  for (const o of overdue) if (o.departmentName !== '待分派') overdueByDept.set(o.departmentName, (overdueByDept.get(o.departmentName) ?? 0) + 1);
  const worst = [...overdueByDept.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];

  return {
    groupName: opts.groupName,
    date: chinaDate(opts.at),
    received,
    claimed,
    resolved,
    overdue,
    awaitingRating: Number(awaiting.n),
    best: best ? { name: best.name, resolvedOnTime: Number(best.n) } : null,
    worst: worst ? { name: worst[0], overdue: worst[1] } : null,
  };
}

export const LEDGER_HEADER = [
  '工单号', '受理时间', '企业/反映人', '来源群', '诉求类型', '诉求领域', '紧急程度', '承办单位', '当前状态',
  '签收时限', '签收时间', '办结时限', '办结时间', '关闭时间', '三单一函', '办理结果', '评价', '重办次数', '诉求内容',
];

const CLOSE_REASONS: Record<string, string> = { satisfied: '已评价', no_answer: '未评价', withdrawn: '撤回', invalid: '无效' };

/** 台账: every ticket received in the period, for the monthly copy to the discipline commission; `scope`: one region's. */
export async function ledgerRows(db: Db, period: Period, scope?: TicketScope): Promise<Cell[][]> {
  const rows = await db
    .selectFrom('tickets as t')
    .leftJoin('requesters as r', 'r.id', 't.requester_id')
    .leftJoin('departments as d', 'd.id', 't.department_id')
    .leftJoin('groups as g', 'g.id', 't.group_id')
    .select([
      't.id', 't.number', 't.received_at', 't.type', 't.category', 't.urgency', 't.status', 't.sign_due_at', 't.claimed_at',
      't.resolve_due_at', 't.resolved_at', 't.closed_at', 't.resolution', 't.close_reason', 't.rating', 't.reopen_count', 't.content',
      'r.enterprise', 'r.name as requester_name', 'r.user_id', 'd.name as department', 'g.name as group_name',
    ])
    .where('t.received_at', '>=', period.from)
    .where('t.received_at', '<', period.to)
    .where(scope ? scopeCondition(scope, 't') : sql<boolean>`true`)
    .orderBy('t.received_at')
    .orderBy('t.id')
    .execute();
  const docs = rows.length
    ? await db.selectFrom('escalation_documents').select(['ticket_id', 'step', 'number']).where('ticket_id', 'in', rows.map((r) => r.id)).orderBy('id').execute()
    : [];
  const docsBy = new Map<number, string[]>();
  for (const d of docs) docsBy.set(d.ticket_id, [...(docsBy.get(d.ticket_id) ?? []), `${STEP_NAMES[d.step as EscalationStep]} ${d.number}`]);
  return rows.map((r) => [
    r.number,
    r.received_at,
    r.enterprise ?? r.requester_name ?? r.user_id ?? '',
    r.group_name ?? '一对一',
    ISSUE_TYPE_NAMES[r.type as IssueType],
    CATEGORY_NAMES[r.category as Category],
    URGENCY_NAMES[r.urgency as Urgency],
    r.department ?? '待分派',
    STATUS_NAMES[r.status as TicketStatus] + (r.close_reason ? `（${CLOSE_REASONS[r.close_reason] ?? r.close_reason}）` : ''),
    r.sign_due_at,
    r.claimed_at,
    r.resolve_due_at,
    r.resolved_at,
    r.closed_at,
    (docsBy.get(r.id) ?? []).join('；'),
    r.resolution ?? '',
    r.rating,
    r.reopen_count,
    r.content,
  ]);
}
