import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { NewTicket, TicketRow } from '../db/schema';
import type { CloseReason, TicketEventDraft, TicketState, TicketStatus } from '../domain/ticket';
import { OPEN_STATUSES } from '../domain/ticket';
import type { TicketRef } from '../domain/ticket-number';
import type { TicketScope } from '../domain/regions';
import { scopeCondition } from './scope';
import type { TicketView } from '../domain/templates';
import type { Category, IssueType, Urgency } from '../domain/taxonomy';
import { enqueueCardUpdates } from './ticket-cards';
import { deferredNumbering, isPlaceholderDay, shortToken } from './ticket-numbers';

/** Per-day ticket sequence. */
export const nextTicketSeq = (tx: Tx, day: string): Promise<number> => nextCounter(tx, day);

/** A named counter; its row lock makes concurrent callers take distinct, gapless numbers. */
export async function nextCounter(tx: Tx, key: string): Promise<number> {
  const row = await tx
    .insertInto('ticket_counters')
    .values({ day: key, last_seq: 1 })
    .onConflict((oc) => oc.column('day').doUpdateSet({ last_seq: sql`ticket_counters.last_seq + 1` }))
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  return row.last_seq;
}

export async function insertTicket(tx: Tx, ticket: NewTicket): Promise<TicketRow> {
  return tx.insertInto('tickets').values(ticket).returningAll().executeTakeFirstOrThrow();
}

/** Locks the row for the rest of the transaction: concurrent commands on one ticket queue here. */
export async function lockTicket(tx: Tx, id: number): Promise<TicketRow | null> {
  return (await tx.selectFrom('tickets').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()) ?? null;
}

export async function getTicket(db: Tx | Db, id: number): Promise<TicketRow | null> {
  return (await db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
}

/**
 * Full numbers are exact. A short number is the daily sequence: the newest ticket with that
 * sequence wins, open before closed, the same group before others — and every reply echoes
 * the full number so a wrong guess is visible.
 */
export async function findTicketIdByRef(db: Tx | Db, ref: TicketRef, groupId: string | null): Promise<number | null> {
  if (ref.kind === 'full') {
    const row = await db.selectFrom('tickets').select('id').where('number', '=', ref.number).executeTakeFirst();
    return row?.id ?? null;
  }
  const row = await db
    .selectFrom('tickets')
    .select('id')
    .where('seq', '=', ref.seq)
    .orderBy(sql`case when status in (${sql.join(OPEN_STATUSES)}) then 0 else 1 end`)
    .orderBy(sql`case when group_id = ${groupId} then 0 else 1 end`)
    .orderBy('received_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

export async function findTicketIdByNumber(db: Tx | Db, number: string): Promise<number | null> {
  const row = await db.selectFrom('tickets').select('id').where('number', '=', number).executeTakeFirst();
  return row?.id ?? null;
}

export function rowToState(row: TicketRow): TicketState {
  return {
    status: row.status as TicketStatus,
    departmentId: row.department_id,
    assigneeId: row.assignee_id,
    coDepartmentIds: row.co_department_ids,
    supervised: row.supervised,
    needsConfirmation: row.needs_confirmation,
    reopenCount: row.reopen_count,
    rating: row.rating,
    resolution: row.resolution,
    closeReason: row.close_reason as CloseReason | null,
    mergedIntoId: row.merged_into_id,
  };
}

/** Writes a new state and its events; milestone timestamps come from the events themselves. */
export async function saveTicketState(tx: Tx, row: TicketRow, state: TicketState, events: TicketEventDraft[], now: Date): Promise<void> {
  const milestones: Partial<Record<'dispatched_at' | 'claimed_at' | 'resolved_at' | 'closed_at', Date | null>> = {};
  for (const e of events) {
    if (e.toStatus === 'dispatched' && e.kind !== 'rated') milestones.dispatched_at = e.at;
    if (e.kind === 'claimed') milestones.claimed_at = e.at;
    if (e.kind === 'resolved' || e.kind === 'resolution_submitted') milestones.resolved_at = e.at;
    if (e.kind === 'closed' || e.kind === 'merged') milestones.closed_at = e.at;
    if (e.kind === 'reopened') Object.assign(milestones, { claimed_at: null, resolved_at: null, closed_at: null });
  }
  await tx
    .updateTable('tickets')
    .set({
      status: state.status,
      department_id: state.departmentId,
      assignee_id: state.assigneeId,
      co_department_ids: JSON.stringify(state.coDepartmentIds),
      supervised: state.supervised,
      needs_confirmation: state.needsConfirmation,
      reopen_count: state.reopenCount,
      rating: state.rating,
      resolution: state.resolution,
      close_reason: state.closeReason,
      merged_into_id: state.mergedIntoId,
      ...milestones,
      updated_at: now,
      version: row.version + 1,
    })
    .where('id', '=', row.id)
    .execute();
  await appendEvents(tx, row.id, events);
}

/**
 * Appends events to a ticket's history. The audit chain is not touched here: the insert trigger
 * queues each event (audit_chain_pending) and the chainer (src/audit/chainer.ts) hashes it into
 * the one chain after commit, so transactions writing events no longer queue on one head row.
 * `opts.newTicket`: the ticket was inserted in this transaction, so no card shows it yet.
 */
export async function appendEvents(tx: Tx, ticketId: number, events: TicketEventDraft[], opts: { newTicket?: boolean } = {}): Promise<void> {
  if (events.length === 0) return;
  const rows = events.map((e) => ({
    ticket_id: ticketId,
    kind: e.kind,
    from_status: e.fromStatus,
    to_status: e.toStatus,
    actor_kind: e.actor.kind,
    actor_id: e.actor.id,
    actor_name: e.actor.name,
    data: JSON.stringify(e.data),
    at: e.at,
  }));
  // The log is append-only: a ticket number not yet assigned (ticket-numbers.ts) could never be put right in it.
  const numbering = deferredNumbering(tx);
  if (numbering && rows.some((r) => numbering.carries(r.data))) throw new Error('an event may not record a ticket number before the batch assigns it');
  await tx.insertInto('ticket_events').values(rows).execute();
  // Whatever changed the ticket, the cards showing it are updated (rendered when sent).
  if (!opts.newTicket) await enqueueCardUpdates(tx, ticketId, events.at(-1)!.at);
}

export async function ticketEvents(db: Tx | Db, ticketId: number) {
  return db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
}

export async function ticketSupporterIds(db: Tx | Db, ticketId: number): Promise<number[]> {
  const rows = await db.selectFrom('ticket_supporters').select('requester_id').where('ticket_id', '=', ticketId).execute();
  return rows.map((r) => r.requester_id);
}

export async function addSupporter(tx: Tx, ticketId: number, requesterId: number): Promise<boolean> {
  const res = await tx
    .insertInto('ticket_supporters')
    .values({ ticket_id: ticketId, requester_id: requesterId })
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
}

/** Names come from `names` (the in-memory directory) when given, else from the database. */
export async function ticketView(
  db: Tx | Db,
  row: TicketRow,
  names?: { departmentName(id: string): string | null; staffName(id: string): string | null },
): Promise<TicketView> {
  const deptIds = [row.department_id, ...row.co_department_ids].filter((d): d is string => !!d);
  const known = names && deptIds.every((d) => names.departmentName(d)) && (!row.assignee_id || names.staffName(row.assignee_id));
  const depts = known
    ? deptIds.map((id) => ({ id, name: names!.departmentName(id)! }))
    : deptIds.length
      ? await db.selectFrom('departments').select(['id', 'name']).where('id', 'in', deptIds).execute()
      : [];
  const name = (id: string) => depts.find((d) => d.id === id)?.name ?? id;
  const assignee = !row.assignee_id
    ? undefined
    : known
      ? { name: names!.staffName(row.assignee_id)! }
      : await db.selectFrom('staff').select('name').where('id', '=', row.assignee_id).executeTakeFirst();
  return {
    number: row.number,
    // A ticket numbered at the end of its batch shows a token there until then (ticket-numbers.ts).
    seq: isPlaceholderDay(row.day) ? shortToken(row.day) : row.seq,
    status: row.status as TicketStatus,
    type: row.type as IssueType,
    category: row.category as Category,
    urgency: row.urgency as Urgency,
    content: row.content,
    // Made one-to-one or on the report page, then published: the group gets it without contact details.
    withoutContact: !row.is_private && (row.origin_chat_type === 'direct' || row.origin_platform === 'web'),
    departmentName: row.department_id ? name(row.department_id) : null,
    assigneeName: assignee?.name ?? null,
    coDepartmentNames: row.co_department_ids.map(name),
    supervised: row.supervised,
    signDueAt: row.sign_due_at,
    resolveDueAt: row.resolve_due_at,
    resolution: row.resolution,
    rating: row.rating,
  };
}

export async function listTickets(
  db: Tx | Db,
  filter: { requesterId?: number; departmentId?: string; assigneeId?: string; groupId?: string; openOnly?: boolean; limit?: number },
): Promise<TicketRow[]> {
  let q = db.selectFrom('tickets').selectAll();
  if (filter.requesterId !== undefined) {
    const rid = filter.requesterId;
    // Seconded tickets count only while public: another enterprise's private report is never listed.
    q = q.where((eb) =>
      eb.or([
        eb('requester_id', '=', rid),
        eb.and([eb('is_private', '=', false), eb('id', 'in', eb.selectFrom('ticket_supporters').select('ticket_id').where('requester_id', '=', rid))]),
      ]),
    );
  }
  if (filter.departmentId) {
    const dept = filter.departmentId;
    // Co-handling departments work the ticket too: it belongs on their list.
    q = q.where((eb) => eb.or([eb('department_id', '=', dept), eb(sql<string>`co_department_ids`, '@>', sql<string>`${JSON.stringify([dept])}::jsonb`)]));
  }
  if (filter.assigneeId) q = q.where('assignee_id', '=', filter.assigneeId);
  if (filter.groupId) q = q.where('group_id', '=', filter.groupId);
  if (filter.openOnly) q = q.where('status', 'in', [...OPEN_STATUSES]);
  return q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 50).execute();
}

/**
 * Open and past its active deadline at `at`: the sign deadline until the department signs,
 * then the resolve deadline. One definition for the digest's overdue list and the API's filter.
 */
export function overdueCondition(at: Date, alias?: string) {
  const col = (c: string) => sql.ref(alias ? `${alias}.${c}` : c);
  return sql<boolean>`((${col('status')} in ('received', 'dispatched', 'returned') and ${col('sign_due_at')} < ${at})
    or (${col('status')} in ('claimed', 'awaiting_confirmation') and ${col('resolve_due_at')} < ${at}))`;
}

export interface TicketFilter {
  status?: TicketStatus[];
  departmentId?: string;
  category?: string;
  groupId?: string;
  from?: Date;
  to?: Date;
  /** Open tickets past their active deadline. */
  overdueAt?: Date;
  /** Only tickets the viewer may see (ticketScope): their department, or their region and below. */
  scope?: TicketScope;
  /** Open tickets under supervision (挂牌督办): what the dashboard counts. */
  supervisedOpen?: boolean;
}

export interface TicketCursor {
  receivedAt: Date;
  id: number;
}

/** The opaque `next` token handed to API clients and console links. */
export const encodeCursor = (c: TicketCursor): string => Buffer.from(`${c.receivedAt.toISOString()}|${c.id}`).toString('base64url');

/** A token that does not decode is treated as "first page", never as an error. */
export function decodeCursor(token: string | undefined): TicketCursor | null {
  if (!token) return null;
  const [t, id] = Buffer.from(token, 'base64url').toString().split('|');
  const receivedAt = new Date(t ?? '');
  return t && id && !Number.isNaN(receivedAt.getTime()) && Number.isInteger(Number(id)) ? { receivedAt, id: Number(id) } : null;
}

/**
 * One page of tickets, newest first, with keyset pagination (a cursor, not an offset), so the
 * thousandth page costs what the first does.
 */
export async function listTicketsPage(db: Tx | Db, filter: TicketFilter, cursor: TicketCursor | null, limit = 50) {
  let q = db.selectFrom('tickets').selectAll();
  if (filter.status?.length) q = q.where('status', 'in', filter.status);
  if (filter.departmentId) q = q.where('department_id', '=', filter.departmentId);
  if (filter.category) q = q.where('category', '=', filter.category);
  if (filter.groupId) q = q.where('group_id', '=', filter.groupId);
  if (filter.from) q = q.where('received_at', '>=', filter.from);
  if (filter.to) q = q.where('received_at', '<', filter.to);
  if (filter.overdueAt) q = q.where(overdueCondition(filter.overdueAt));
  if (filter.scope) q = q.where(scopeCondition(filter.scope));
  if (filter.supervisedOpen) q = q.where('supervised', '=', true).where('status', 'in', [...OPEN_STATUSES]);
  if (cursor) {
    q = q.where((eb) => eb.or([eb('received_at', '<', cursor.receivedAt), eb.and([eb('received_at', '=', cursor.receivedAt), eb('id', '<', cursor.id)])]));
  }
  const rows = await q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { tickets: page, next: rows.length > limit && last ? { receivedAt: last.received_at, id: last.id } : null };
}
