import type { SlaClock, SlaDuration } from './sla';
import type { TicketStatus } from './ticket';

// 三单一函: the 12345 accountability ladder.
export const ESCALATION_STEPS = ['reminder', 'urging', 'supervision', 'transfer'] as const;
export type EscalationStep = (typeof ESCALATION_STEPS)[number];

export const STEP_NAMES: Record<EscalationStep, string> = {
  reminder: '提醒单',
  urging: '催办单',
  supervision: '督办单',
  transfer: '移交函',
};
/** Document-number prefixes: 提醒 TX, 催办 CB, 督办 DB, 移交 YJ. */
export const STEP_PREFIX: Record<EscalationStep, string> = { reminder: 'TX', urging: 'CB', supervision: 'DB', transfer: 'YJ' };

export type DeadlinePhase = 'sign' | 'resolve';
export const PHASE_NAMES: Record<DeadlinePhase, string> = { sign: '签收', resolve: '办结' };

export interface LadderPolicy {
  /** 提醒单 this long before the deadline (clock time). */
  remindBefore: { minutes: number };
  /** 督办单 this long after the deadline. */
  superviseAfter: SlaDuration;
  /** 移交函 (to the discipline commission) this long after the deadline. */
  transferAfter: SlaDuration;
}

export const DEFAULT_LADDER: LadderPolicy = {
  remindBefore: { minutes: 4 * 60 },
  superviseAfter: { workdays: 2 },
  transferAfter: { workdays: 5 },
};

export interface LadderTicket {
  status: TicketStatus;
  signDueAt: Date | null;
  resolveDueAt: Date | null;
}

/** Which deadline the ladder runs against: signing until the department signs, then resolving. */
export function activeDeadline(t: LadderTicket): { phase: DeadlinePhase; dueAt: Date } | null {
  if ((t.status === 'dispatched' || t.status === 'received' || t.status === 'returned') && t.signDueAt) return { phase: 'sign', dueAt: t.signDueAt };
  if (t.status === 'claimed' && t.resolveDueAt) return { phase: 'resolve', dueAt: t.resolveDueAt };
  return null;
}

/**
 * A 提醒单 comes at most this share of the term before the deadline: `remindBefore` (4 h) is
 * longer than an urgent 30-minute or 2-hour term, and a reminder the minute a ticket is
 * dispatched reminds nobody of anything.
 */
export const REMINDER_SHARE_OF_TERM = 0.25;

/** `startAt`: when the term began (dispatch for signing, the claim for resolving). */
export function stepThresholds(dueAt: Date, policy: LadderPolicy, sla: SlaClock, startAt?: Date | null): Record<EscalationStep, Date> {
  const configured = policy.remindBefore.minutes * 60_000;
  const lead = startAt ? Math.min(configured, Math.max(0, dueAt.getTime() - startAt.getTime()) * REMINDER_SHARE_OF_TERM) : configured;
  return {
    reminder: new Date(dueAt.getTime() - lead),
    urging: dueAt,
    supervision: sla.add(dueAt, policy.superviseAfter),
    transfer: sla.add(dueAt, policy.transferAfter),
  };
}

/**
 * The step to issue now, if any: the highest step whose time has come and that is above
 * every step already issued for this deadline. A sweep that was down for days issues the
 * step that fits now, not a burst of stale ones.
 */
export function nextStep(thresholds: Record<EscalationStep, Date>, issued: readonly EscalationStep[], now: Date): EscalationStep | null {
  const highestIssued = Math.max(-1, ...issued.map((s) => ESCALATION_STEPS.indexOf(s)));
  for (let i = ESCALATION_STEPS.length - 1; i > highestIssued; i--) {
    const step = ESCALATION_STEPS[i]!;
    if (thresholds[step] <= now) return step;
  }
  return null;
}

/** CB-2026-0012; a region's documents carry its prefix and their own sequence: QS-DB-2026-0003. */
export function formatDocumentNumber(step: EscalationStep, year: number, seq: number, regionPrefix = ''): string {
  return `${regionPrefix ? `${regionPrefix}-` : ''}${STEP_PREFIX[step]}-${year}-${String(seq).padStart(4, '0')}`;
}
