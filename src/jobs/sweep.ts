import { sql } from 'kysely';
import type { TicketRow } from '../db/schema';
import { activeDeadline, formatDocumentNumber, nextStep, stepThresholds, STEP_NAMES, type EscalationStep } from '../domain/escalation';
import type { Platform } from '../domain/message';
import { templates } from '../domain/templates';
import { applyTicketAction } from '../domain/ticket-machine';
import type { TicketStatus } from '../domain/ticket';
import { enqueueOutbox, type OutboxEntry } from '../repo/outbox';
import { appendEvents, lockTicket, nextCounter, rowToState, saveTicketState, ticketView } from '../repo/tickets';
import { groupPostFor, staffDirectPosts, textPayload } from '../pipeline/notify';
import type { Services } from '../services';

export interface SweepResult {
  issued: Array<{ ticketNumber: string; step: EscalationStep; document: string }>;
  closedNoAnswer: string[];
}

const SYSTEM = { kind: 'system' as const, id: 'sweep', name: '共治助手' };
const BATCH = 200;

/**
 * Issues due 三单一函 documents and closes tickets whose rating window passed. A ladder belongs
 * to the unit answerable now, for its own deadline: after a 提级办 or 转派 the new unit gets the
 * documents its deadline calls for, whatever the old one received. Safe with several instances:
 * each ticket is locked with SKIP LOCKED, and the unique key on (ticket, round, phase, step,
 * unit) refuses a second document for the same unit and step.
 */
export async function runSweep(services: Services, now: Date = services.now()): Promise<SweepResult> {
  const { db, config, sla } = services;
  const policy = config.escalation;
  const horizon = new Date(now.getTime() + policy.remindBefore.minutes * 60_000);
  const result: SweepResult = { issued: [], closedNoAnswer: [] };

  let afterId = 0;
  for (;;) {
    const candidates = await db
      .selectFrom('tickets')
      .select(['id', 'status', 'department_id', 'sign_due_at', 'resolve_due_at', 'reopen_count', 'received_at', 'dispatched_at', 'claimed_at'])
      .where('id', '>', afterId)
      // Waiting for the enterprise: the clock stands still.
      .where('paused_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb.and([eb('status', 'in', ['received', 'dispatched', 'returned']), eb('sign_due_at', '<=', horizon)]),
          eb.and([eb('status', '=', 'claimed'), eb('resolve_due_at', '<=', horizon)]),
        ]),
      )
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const c of candidates) {
      const deadline = activeDeadline({ status: c.status as TicketStatus, signDueAt: c.sign_due_at, resolveDueAt: c.resolve_due_at });
      if (!deadline) continue;
      const issued = await db
        .selectFrom('escalation_documents')
        .select('step')
        .where('ticket_id', '=', c.id)
        .where('round', '=', c.reopen_count)
        .where('phase', '=', deadline.phase)
        .where(sql<boolean>`department_id is not distinct from ${c.department_id}`)
        .execute();
      const termStart = deadline.phase === 'resolve' ? c.claimed_at : (c.dispatched_at ?? c.received_at);
      const step = nextStep(stepThresholds(deadline.dueAt, policy, sla, termStart), issued.map((i) => i.step as EscalationStep), now);
      if (!step) continue;
      const doc = await issueDocument(services, c, step, now);
      if (doc) result.issued.push(doc);
    }
    if (candidates.length < BATCH) break;
    afterId = candidates.at(-1)!.id;
  }

  // 办结后 N 个工作日未评价：按未评价归档, never counted as satisfied.
  const roughCutoff = new Date(now.getTime() - 86_400_000);
  const resolved = await db.selectFrom('tickets').select(['id', 'resolved_at']).where('status', '=', 'resolved').where('resolved_at', '<=', roughCutoff).execute();
  for (const r of resolved) {
    if (!r.resolved_at || sla.add(r.resolved_at, config.ratingWindow) > now) continue;
    const number = await closeUnrated(services, r.id, now);
    if (number) result.closedNoAnswer.push(number);
  }
  if (result.issued.length || result.closedNoAnswer.length) services.defer(services.drainer.drainOnce());
  return result;
}

async function postsAbout(services: Services, tx: Parameters<typeof groupPostFor>[0], row: TicketRow, text: string, step: EscalationStep): Promise<OutboxEntry[]> {
  const alsoSupervisors = step === 'transfer';
  const posts: OutboxEntry[] = [];
  const group = await groupPostFor(tx, row, text, { kind: 'escalation' });
  if (group) posts.push(group);
  const platform = (group?.platform ?? row.origin_platform) as Platform;
  if (row.department_id) posts.push(...staffDirectPosts(services.directory, row.department_id, platform, text, row.id, 'escalation'));
  // The supervisors (纪委监委) of the ticket's region and every level above it.
  if (alsoSupervisors) {
    for (const userId of services.directory.ticketRoleAccounts('supervisor', row, platform)) {
      posts.push({ platform, kind: 'escalation', target: { kind: 'direct', userId }, payload: textPayload(text), ticketId: row.id, groupId: null });
    }
  }
  // "1+9": the city counterpart of a county department gets a copy of its 督办单 and 移交函.
  const counterpart = services.directory.org.counterpartOf(row.department_id);
  if (counterpart && (step === 'supervision' || step === 'transfer')) {
    posts.push(...staffDirectPosts(services.directory, counterpart, platform, `【抄送】${text}`, row.id, 'escalation'));
  }
  return posts;
}

async function issueDocument(services: Services, seen: { id: number; department_id: string | null; status: string }, step: EscalationStep, now: Date) {
  const ticketId = seen.id;
  return services.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('tickets').selectAll().where('id', '=', ticketId).forUpdate().skipLocked().executeTakeFirst();
    if (!row) return null; // another instance is on it
    // Moved to another unit or phase since it was read: the step was worked out for the old one.
    if (row.department_id !== seen.department_id || row.status !== seen.status) return null;
    const deadline = activeDeadline({ status: row.status as TicketStatus, signDueAt: row.sign_due_at, resolveDueAt: row.resolve_due_at });
    if (!deadline) return null;
    const year = Number(now.toISOString().slice(0, 4));
    const view = await ticketView(tx, row);
    const placeholder = `pending-${ticketId}-${row.reopen_count}-${deadline.phase}-${step}`;
    const inserted = await tx
      .insertInto('escalation_documents')
      .values({
        number: placeholder,
        ticket_id: ticketId,
        round: row.reopen_count,
        phase: deadline.phase,
        step,
        department_id: row.department_id,
        reason: `${STEP_NAMES[step]}：${deadline.phase === 'sign' ? '签收' : '办结'}时限 ${deadline.dueAt.toISOString()}`,
        due_at: deadline.dueAt,
        issued_at: now,
      })
      .onConflict((oc) => oc.columns(['ticket_id', 'round', 'phase', 'step', 'department_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return null;
    // The number is taken only once the step is ours, so the sequence has no gaps.
    // The region of the department it is issued to numbers it (the one-county deployment keeps CB-2026-…).
    const prefix = services.directory.org.region(services.directory.org.departmentRegion(row.department_id))?.prefix ?? '';
    const number = formatDocumentNumber(step, year, await nextCounter(tx, prefix ? `doc:${prefix}:${step}:${year}` : `doc:${step}:${year}`), prefix);
    await tx.updateTable('escalation_documents').set({ number }).where('id', '=', inserted.id).execute();
    await appendEvents(tx, ticketId, [
      { kind: 'escalated', fromStatus: null, toStatus: null, actor: SYSTEM, at: now, data: { step, number, phase: deadline.phase, dueAt: deadline.dueAt.toISOString() } },
    ]);
    const text = templates.escalation(view, { step, number, phase: deadline.phase, dueAt: deadline.dueAt, departmentName: view.departmentName });
    await enqueueOutbox(tx, await postsAbout(services, tx, row, text, step), now);
    services.logger.info('sweep.escalated', { ticket: row.number, step, document: number });
    return { ticketNumber: row.number, step, document: number };
  });
}

async function closeUnrated(services: Services, ticketId: number, now: Date): Promise<string | null> {
  return services.db.transaction().execute(async (tx) => {
    const row = await lockTicket(tx, ticketId);
    if (!row || row.status !== 'resolved') return null;
    const r = applyTicketAction(rowToState(row), { kind: 'close', reason: 'no_answer' }, SYSTEM, now);
    if (!r.ok) return null;
    await saveTicketState(tx, row, r.state, r.events, now);
    const post = await groupPostFor(tx, row, templates.closedNoAnswer(await ticketView(tx, row)));
    if (post) await enqueueOutbox(tx, [post], now);
    return row.number;
  });
}
