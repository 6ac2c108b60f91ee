import { z } from 'zod';
import { TICKET_STATUSES, type TicketStatus } from './ticket';

/**
 * A ticket's row rebuilt from its event log, for the audit (纪委监委 verify the 台账 and the
 * rankings, which read the rows). Pure: the caller walks the database.
 *
 * Covered: what the events state. Status, department, assignee, co-handlers, 挂牌督办, the
 * confirmation flag, reopen count, rating, close reason, merge target, the knowledge-base entry,
 * the classification (type, category, urgency; /改类 notes) and the milestones (received,
 * dispatched, claimed, resolved, closed — the rule saveTicketState writes them by). The
 * resolution text is covered except for a knowledge-base answer, whose event names the entry,
 * not the words.
 * Deadlines are covered where the history states them: the opening (its `received` event, when
 * it carries them), a restart (派单, 转派, 提级, 重办: the event states the deadlines the SLA policy
 * gave then), an approved extension, a 协同办's due date, a 三单一函 (which names the deadline it
 * was issued against), any event whose data carries `signDueAt`/`resolveDueAt`, moved on by the
 * pauses the events record. Older history does not state them: from the opening or a restart
 * that does not, until the history states them again, they are not compared (`unknown`).
 * Privacy and group are covered from a /公开 on (public, in the group it was published to).
 * The region is covered where the opening event states it (since 2026-12-04; it never changes).
 * Not covered: pauses themselves, content, an older opening's region, and privacy and group before a /公开.
 */

/** One event as the chain holds it (ordered by id within its ticket). */
export interface HistoryEvent {
  kind: string;
  toStatus: string | null;
  actorId: string;
  at: Date;
  data: Record<string, unknown>;
}

/** The row's fields that the history decides, by column name (what the discipline commission sees in the database). */
export interface TicketRecord {
  status: string;
  department_id: string | null;
  assignee_id: string | null;
  co_department_ids: string[];
  supervised: boolean;
  needs_confirmation: boolean;
  reopen_count: number;
  rating: number | null;
  resolution: string | null;
  close_reason: string | null;
  merged_into_id: number | null;
  kb_entry: string | null;
  type: string;
  category: string;
  urgency: string;
  received_at: Date | null;
  dispatched_at: Date | null;
  claimed_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  sign_due_at: Date | null;
  resolve_due_at: Date | null;
  is_private: boolean;
  group_id: string | null;
  region_id: string | null;
}

export type CoveredField = keyof TicketRecord;

export interface RebuiltTicket {
  record: TicketRecord;
  /** Fields the history cannot speak for on this ticket (a knowledge-base answer's text, a deadline since its restart). */
  unknown: CoveredField[];
}

export interface FieldMismatch {
  field: CoveredField;
  row: string;
  history: string;
}

// The event payloads read here, as the app writes them (ticket-machine, open-ticket, /改类).
const department = z.object({ departmentId: z.string() });
const departments = z.object({ departmentIds: z.array(z.string()) });
const resolution = z.object({ summary: z.string().optional(), knowledgeBase: z.string().optional() });
const rating = z.object({ rating: z.number().int() });
const reason = z.object({ reason: z.string() });
const merged = z.object({ intoId: z.number().int() });
const received = z.object({ classification: z.object({ type: z.string(), category: z.string(), urgency: z.string() }) });
const openedRegion = z.object({ regionId: z.string().nullable() });
const recategorized = z.object({ recategorized: z.object({ to: z.object({ category: z.string(), type: z.string() }) }) });
const isoDate = z.string().datetime().transform((s) => new Date(s));
const stated = z.object({ signDueAt: isoDate.optional(), resolveDueAt: isoDate.optional() });
const escalated = z.object({ phase: z.enum(['sign', 'resolve']), dueAt: isoDate });
const jointCase = z.object({ jointCase: z.string(), joined: z.literal(true), dueAt: isoDate });
const pausedUntil = z.object({ paused: z.literal(true), pausedUntil: isoDate });
const pausedMs = z.object({ pausedMs: z.number() });
const published = z.object({ published: z.string() });

const DEADLINES = ['sign_due_at', 'resolve_due_at'] as const;
/** Events after which the deadlines are computed afresh from the SLA policy (restartDeadlines), which state them since 2026-12. */
export const DEADLINE_RESTARTS: ReadonlySet<string> = new Set(['dispatched', 'reassigned', 'escalated_level', 'reopened']);
/** The opening's own dispatch (open-ticket): its deadlines are the opening's, from the time received, not restarted. */
const OPENING_DISPATCHER = 'classifier';

const isStatus = (s: string): s is TicketStatus => (TICKET_STATUSES as readonly string[]).includes(s);

function emptyRecord(): TicketRecord {
  return {
    status: 'received',
    department_id: null,
    assignee_id: null,
    co_department_ids: [],
    supervised: false,
    needs_confirmation: false,
    reopen_count: 0,
    rating: null,
    resolution: null,
    close_reason: null,
    merged_into_id: null,
    kb_entry: null,
    type: '',
    category: '',
    urgency: '',
    received_at: null,
    dispatched_at: null,
    claimed_at: null,
    resolved_at: null,
    closed_at: null,
    sign_due_at: null,
    resolve_due_at: null,
    is_private: false,
    group_id: null,
    region_id: null,
  };
}

function know(r: TicketRecord, unknown: Set<CoveredField>, field: CoveredField & ('sign_due_at' | 'resolve_due_at'), at: Date): void {
  r[field] = at;
  unknown.delete(field);
}

/** What the event says of the deadlines: set, moved by a pause, or restarted unseen. */
function applyDeadlines(r: TicketRecord, unknown: Set<CoveredField>, e: HistoryEvent): void {
  const restart = DEADLINE_RESTARTS.has(e.kind) && !(e.kind === 'dispatched' && e.actorId === OPENING_DISPATCHER);
  if (restart) for (const f of DEADLINES) unknown.add(f);
  const shift = (ms: number) => {
    for (const f of DEADLINES) if (!unknown.has(f) && r[f]) r[f] = new Date(r[f].getTime() + ms);
  };
  const until = e.kind === 'info_requested' ? pausedUntil.safeParse(e.data) : null;
  if (until?.success) shift(until.data.pausedUntil.getTime() - e.at.getTime());
  const resumed = e.kind === 'info_supplied' ? pausedMs.safeParse(e.data) : null;
  if (resumed?.success) shift(resumed.data.pausedMs);
  const doc = e.kind === 'escalated' ? escalated.safeParse(e.data) : null;
  if (doc?.success) know(r, unknown, doc.data.phase === 'sign' ? 'sign_due_at' : 'resolve_due_at', doc.data.dueAt);
  const joint = e.kind === 'note' ? jointCase.safeParse(e.data) : null;
  if (joint?.success) know(r, unknown, 'resolve_due_at', joint.data.dueAt);
  if (!('signDueAt' in e.data) && !('resolveDueAt' in e.data)) return;
  const s = stated.safeParse(e.data);
  if (s.success && s.data.signDueAt) know(r, unknown, 'sign_due_at', s.data.signDueAt);
  if (s.success && s.data.resolveDueAt) know(r, unknown, 'resolve_due_at', s.data.resolveDueAt);
}

/** Folds one event into the record: the state machine's effect, told by the event it wrote. */
function apply(r: TicketRecord, unknown: Set<CoveredField>, e: HistoryEvent): void {
  const d = e.data;
  switch (e.kind) {
    case 'received': {
      const p = received.safeParse(d);
      if (p.success) Object.assign(r, p.data.classification);
      r.received_at = e.at;
      // Older openings do not state the region: it stays unknown, not compared.
      const region = 'regionId' in d ? openedRegion.safeParse(d) : null;
      if (region?.success) {
        r.region_id = region.data.regionId;
        unknown.delete('region_id');
      }
      break;
    }
    case 'dispatched': {
      const p = department.safeParse(d);
      if (p.success) r.department_id = p.data.departmentId;
      r.assignee_id = null;
      break;
    }
    case 'claimed':
      r.assignee_id = e.actorId;
      r.claimed_at = e.at;
      break;
    case 'reassigned':
    case 'escalated_level': {
      const p = department.safeParse(d);
      if (p.success) {
        r.department_id = p.data.departmentId;
        r.co_department_ids = r.co_department_ids.filter((c) => c !== p.data.departmentId);
      }
      r.assignee_id = null;
      break;
    }
    case 'returned':
      r.assignee_id = null;
      break;
    case 'co_handling_added': {
      const p = departments.safeParse(d);
      if (p.success) r.co_department_ids = [...r.co_department_ids, ...p.data.departmentIds];
      break;
    }
    case 'resolved':
    case 'resolution_submitted': {
      const p = resolution.safeParse(d);
      if (p.success && p.data.summary !== undefined) {
        r.resolution = p.data.summary;
        unknown.delete('resolution');
      } else {
        unknown.add('resolution');
      }
      if (p.success && p.data.knowledgeBase !== undefined) r.kb_entry = p.data.knowledgeBase;
      r.resolved_at = e.at;
      break;
    }
    case 'confirmed':
      r.needs_confirmation = false;
      break;
    case 'rated': {
      const p = rating.safeParse(d);
      if (p.success) r.rating = p.data.rating;
      // 不满意: back to the department, and its next completion needs 营商办's confirmation.
      if (e.toStatus === 'dispatched') {
        r.assignee_id = null;
        r.needs_confirmation = true;
      }
      break;
    }
    case 'reopened':
      r.reopen_count++;
      r.assignee_id = null;
      r.close_reason = null;
      r.claimed_at = null;
      r.resolved_at = null;
      r.closed_at = null;
      break;
    case 'supervised':
      r.supervised = true;
      break;
    case 'closed': {
      const p = reason.safeParse(d);
      if (p.success) r.close_reason = p.data.reason;
      r.closed_at = e.at;
      break;
    }
    case 'merged': {
      const p = merged.safeParse(d);
      if (p.success) r.merged_into_id = p.data.intoId;
      r.closed_at = e.at;
      break;
    }
    case 'note': {
      const p = recategorized.safeParse(d);
      if (p.success) Object.assign(r, p.data.recategorized.to);
      // /公开: public from now on, in the group it went to (a ticket is never made private again).
      const pub = published.safeParse(d);
      if (pub.success) {
        r.is_private = false;
        r.group_id = pub.data.published;
        unknown.delete('is_private');
        unknown.delete('group_id');
      }
      break;
    }
  }
  applyDeadlines(r, unknown, e);
  if (e.toStatus !== null && isStatus(e.toStatus)) r.status = e.toStatus;
  // The rating's own move is not a dispatch; the reopening that follows it is (saveTicketState).
  if (e.toStatus === 'dispatched' && e.kind !== 'rated') r.dispatched_at = e.at;
}

/** The row its history says the ticket has: every event folded in order. */
export function rebuildTicket(events: readonly HistoryEvent[]): RebuiltTicket {
  const record = emptyRecord();
  // Deadlines: stated by the first event only since 2026-12 (else set by the SLA policy of the
  // day, unrecorded). Privacy and group: the opening event does not say; a /公开 does. Region:
  // the opening states it since 2026-12-04.
  const unknown = new Set<CoveredField>([...DEADLINES, 'is_private', 'group_id', 'region_id']);
  for (const e of events) apply(record, unknown, e);
  return { record, unknown: [...unknown] };
}

const show = (v: TicketRecord[CoveredField]): string => {
  if (v === null) return 'null';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return JSON.stringify(v);
  return String(v);
};

const FIELDS = Object.keys(emptyRecord()) as CoveredField[];

/** Each covered field where the row says something its history does not. */
export function compareTicket(row: TicketRecord, rebuilt: RebuiltTicket): FieldMismatch[] {
  const out: FieldMismatch[] = [];
  for (const f of FIELDS) {
    if (rebuilt.unknown.includes(f)) continue;
    const a = show(row[f]);
    const b = show(rebuilt.record[f]);
    if (a !== b) out.push({ field: f, row: a, history: b });
  }
  return out;
}
