import type { Db } from '../db/database';
import { compareTicket, rebuildTicket, type FieldMismatch, type HistoryEvent, type TicketRecord } from '../domain/ticket-history';

const PAGE = 1000;
/** How many disagreeing tickets a report lists; the count covers them all. */
const LISTED = 100;

export interface TicketDisagreement {
  ticketId: number;
  /** null: the row is gone while its events remain. */
  number: string | null;
  fields: FieldMismatch[];
}

export interface TicketStateResult {
  ok: boolean;
  tickets: number;
  events: number;
  /** Tickets whose row disagrees with its history (all of them, not only those listed). */
  disagreeing: number;
  listed: TicketDisagreement[];
  /** Tickets whose deadlines their history does not state (older events record none since an opening or restart): not compared. */
  deadlinesUnchecked: number;
}

const COLUMNS = [
  'id',
  'number',
  'status',
  'department_id',
  'assignee_id',
  'co_department_ids',
  'supervised',
  'needs_confirmation',
  'reopen_count',
  'rating',
  'resolution',
  'close_reason',
  'merged_into_id',
  'kb_entry',
  'type',
  'category',
  'urgency',
  'received_at',
  'dispatched_at',
  'claimed_at',
  'resolved_at',
  'closed_at',
  'sign_due_at',
  'resolve_due_at',
  'is_private',
  'group_id',
  'region_id',
] as const;

/**
 * Rebuilds every ticket from its events and compares it with its `tickets` row, so a row
 * rewritten in the database (the 台账 and the rankings read rows) shows, as the chain shows a
 * rewritten event. Keyset pages of tickets by id, each with the events of its id range read in
 * the same snapshot (a ticket and its events change in one transaction), so memory stays flat
 * at any size and a live deployment's writes never read as disagreement. Events whose ticket
 * row is gone are reported too.
 */
export async function verifyTicketStates(db: Db, opts: { page?: number } = {}): Promise<TicketStateResult> {
  const page = opts.page ?? PAGE;
  const result: TicketStateResult = { ok: true, tickets: 0, events: 0, disagreeing: 0, listed: [], deadlinesUnchecked: 0 };
  const report = (d: TicketDisagreement) => {
    result.disagreeing++;
    if (result.listed.length < LISTED) result.listed.push(d);
  };
  let after = 0;
  for (;;) {
    const { rows, events, last } = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (tx) => {
        const rows = await tx.selectFrom('tickets').select(COLUMNS).where('id', '>', after).orderBy('id').limit(page).execute();
        // The last page reads every later event as well: those of tickets whose rows are gone.
        const last = rows.length < page;
        let q = tx.selectFrom('ticket_events').select(['ticket_id', 'kind', 'to_status', 'actor_id', 'at', 'data']).where('ticket_id', '>', after);
        if (!last) q = q.where('ticket_id', '<=', rows.at(-1)!.id);
        return { rows, events: await q.orderBy('ticket_id').orderBy('id').execute(), last };
      });
    const byTicket = new Map<number, HistoryEvent[]>();
    for (const e of events) {
      let list = byTicket.get(e.ticket_id);
      if (!list) byTicket.set(e.ticket_id, (list = []));
      list.push({ kind: e.kind, toStatus: e.to_status, actorId: e.actor_id, at: e.at, data: e.data });
    }
    result.tickets += rows.length;
    result.events += events.length;
    for (const row of rows) {
      const history = byTicket.get(row.id);
      byTicket.delete(row.id);
      if (!history) {
        report({ ticketId: row.id, number: row.number, fields: [{ field: 'status', row: row.status, history: '（无任何事件 no events）' }] });
        continue;
      }
      const record: TicketRecord = row;
      const rebuilt = rebuildTicket(history);
      if (rebuilt.unknown.includes('sign_due_at') || rebuilt.unknown.includes('resolve_due_at')) result.deadlinesUnchecked++;
      const fields = compareTicket(record, rebuilt);
      if (fields.length) report({ ticketId: row.id, number: row.number, fields });
    }
    for (const [ticketId, history] of byTicket) {
      report({ ticketId, number: null, fields: [{ field: 'status', row: '（工单行已删除 row deleted）', history: rebuildTicket(history).record.status }] });
    }
    if (last) break;
    after = rows.at(-1)!.id;
  }
  result.ok = result.disagreeing === 0;
  return result;
}
