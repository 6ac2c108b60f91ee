import type { Db } from '../db/database';
import type { SlaClock } from '../domain/sla';
import type { Category, IssueType, Urgency } from '../domain/taxonomy';
import { refreshRollups, type RollupRefresh } from '../reports/counts';
import type { Services } from '../services';

// Each scheduler tick stores the ranking counts of the days that changed since the last one
// (src/reports/counts.ts). Rankings never wait for it: a day not yet stored is counted live, so
// this only decides how much of a ranking is read from the store.

/** Days recounted per tick: after the upgrade a province's five years are stored in about 30 ticks. */
const DAYS_PER_TICK = 62;
/** Rebuilt 提级办 deadlines per tick (migration 2026-12-04-30). */
const LIFTS_PER_TICK = 500;

export async function runRollupJobs(services: Services, now: Date): Promise<RollupRefresh> {
  const lifts = await completeLiftDeadlines(services.db, services.sla, LIFTS_PER_TICK);
  if (lifts) services.logger.info('rollups.lift_deadlines', { lifts });
  const r = await refreshRollups(services.db, now, DAYS_PER_TICK);
  if (r.days.length) services.logger.info('rollups.refreshed', { days: r.days.length, remaining: r.remaining });
  return r;
}

type EventRow = { id: number; kind: string; from_status: string | null; to_status: string | null; actor_kind: string; at: Date; data: Record<string, unknown> };

/**
 * The sign deadline a department had when it lifted a ticket, as the code of the time set it:
 * the SLA's sign term from when the ticket was made its own (from receipt when the classifier
 * routed it on arrival), moved by the /补充 pauses in between (a granted pause moved it by its
 * cap, the answer gave back what was unused). The ticket's present category and urgency stand
 * for those it had; a joint case's own deadline is not rebuilt.
 */
export function liftSignDeadline(sla: SlaClock, ticket: { type: string; category: string; urgency: string; received_at: Date }, events: readonly EventRow[], liftId: number): Date | null {
  const before = events.filter((e) => e.id < liftId);
  const start = before.findLast((e) => e.to_status === 'dispatched' && e.kind !== 'rated');
  if (!start) return null;
  const onArrival = start.kind === 'dispatched' && start.from_status === 'received' && start.actor_kind === 'system' && !before.some((e) => e.id < start.id && e.kind !== 'received');
  const facts = { type: ticket.type as IssueType, category: ticket.category as Category, urgency: ticket.urgency as Urgency };
  let due = sla.dueDates(facts, onArrival ? ticket.received_at : start.at).signDueAt.getTime();
  for (const e of before.filter((x) => x.id > start.id)) {
    if (e.kind === 'info_requested' && typeof e.data.pausedUntil === 'string') due += Date.parse(e.data.pausedUntil) - e.at.getTime();
    if (e.kind === 'info_supplied' && typeof e.data.pausedMs === 'number') due += e.data.pausedMs;
  }
  return new Date(due);
}

/**
 * Fills the sign deadline of lifts rebuilt by migration 2026-12-04-30 (the only lifted rows with
 * a dispatch and no deadline). The update marks the ticket's day dirty, so the refresh that
 * follows stores it with the county unit's response counted.
 */
export async function completeLiftDeadlines(db: Db, sla: SlaClock, limit: number): Promise<number> {
  const pending = await db
    .selectFrom('ticket_handovers as h')
    .innerJoin('tickets as t', 't.id', 'h.ticket_id')
    .select(['h.id', 'h.ticket_id', 'h.handed_at', 'h.from_department_id', 't.type', 't.category', 't.urgency', 't.received_at'])
    .where('h.lifted', '=', true)
    .where('h.from_dispatched_at', 'is not', null)
    .where('h.from_sign_due_at', 'is', null)
    .orderBy('h.id')
    .limit(limit)
    .execute();
  for (const h of pending) {
    const events = (await db.selectFrom('ticket_events').select(['id', 'kind', 'from_status', 'to_status', 'actor_kind', 'at', 'data']).where('ticket_id', '=', h.ticket_id).orderBy('id').execute()) as EventRow[];
    const lift = events.find((e) => e.kind === 'escalated_level' && e.at.getTime() === h.handed_at.getTime() && e.data.fromDepartmentId === h.from_department_id);
    const due = lift ? liftSignDeadline(sla, h, events, lift.id) : null;
    // Without its events the deadline is unknown: the handing time stands for it (counted as answered in time), once.
    await db.updateTable('ticket_handovers').set({ from_sign_due_at: due ?? h.handed_at }).where('id', '=', h.id).execute();
  }
  return pending.length;
}
