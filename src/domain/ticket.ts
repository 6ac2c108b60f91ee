import type { Category, IssueType, Urgency } from './taxonomy';

// 12345 loop: 受理 → 派单 → 签收 → 办结 → 评价/关闭, with 退单, 改派, 重办 and 合并 on the side.
export const TICKET_STATUSES = [
  'received', // 已受理，待分派 (also the dispatcher's manual queue)
  'dispatched', // 已派单，待签收
  'claimed', // 已签收，办理中
  'returned', // 已退单，待重新分派
  'awaiting_confirmation', // 已办结，待营商办确认 (after a reopen)
  'resolved', // 已办结，待评价
  'closed', // 已关闭
  'merged', // 已合并
] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const STATUS_NAMES: Record<TicketStatus, string> = {
  received: '待分派',
  dispatched: '待签收',
  claimed: '办理中',
  returned: '已退单',
  awaiting_confirmation: '待确认办结',
  resolved: '已办结待评价',
  closed: '已关闭',
  merged: '已合并',
};

export const OPEN_STATUSES: readonly TicketStatus[] = ['received', 'dispatched', 'claimed', 'returned', 'awaiting_confirmation'];
export const isOpen = (s: TicketStatus): boolean => OPEN_STATUSES.includes(s);

export type CloseReason = 'satisfied' | 'no_answer' | 'withdrawn' | 'invalid';

/** Reason codes the system itself writes into events (people's own reasons are free text). */
export type ReasonCode = CloseReason | 'unsatisfied';
export const REASON_NAMES: Record<ReasonCode, string> = {
  satisfied: '企业满意',
  unsatisfied: '企业不满意',
  no_answer: '评价期满未评价',
  withdrawn: '企业撤回',
  invalid: '无效诉求',
};
/** A reason as people read it: a code in words, anything else (a person's own reason) as written. */
export const reasonText = (reason: string): string => (Object.hasOwn(REASON_NAMES, reason) ? REASON_NAMES[reason as ReasonCode] : reason);

export interface TicketState {
  status: TicketStatus;
  departmentId: string | null;
  assigneeId: string | null;
  coDepartmentIds: string[];
  /** 挂牌督办: set when the requester was unsatisfied. */
  supervised: boolean;
  /** After a reopen, the next completion needs a dispatcher's confirmation. */
  needsConfirmation: boolean;
  reopenCount: number;
  rating: number | null;
  resolution: string | null;
  closeReason: CloseReason | null;
  mergedIntoId: number | null;
}

export interface TicketFacts {
  type: IssueType;
  category: Category;
  urgency: Urgency;
}

export type ActorKind = 'requester' | 'staff' | 'system';
export interface Actor {
  kind: ActorKind;
  /** Staff or requester id as a string; 'system' for the bot itself. */
  id: string;
  name: string;
}

export type TicketAction =
  | { kind: 'dispatch'; departmentId: string }
  | { kind: 'claim' }
  | { kind: 'reassign'; departmentId: string; reason?: string }
  | { kind: 'escalate_level'; departmentId: string }
  | { kind: 'return'; reason: string }
  | { kind: 'add_co_departments'; departmentIds: string[] }
  | { kind: 'resolve'; summary: string }
  | { kind: 'confirm' }
  | { kind: 'rate'; rating: number; comment?: string }
  | { kind: 'close'; reason: CloseReason; note?: string }
  | { kind: 'reopen'; reason: string }
  | { kind: 'merge'; intoId: number; intoNumber: string };

export const EVENT_KINDS = [
  'received',
  'dispatched',
  'claimed',
  'reassigned',
  'escalated_level',
  'returned',
  'co_handling_added',
  'resolved',
  'resolution_submitted',
  'confirmed',
  'rated',
  'reopened',
  'supervised',
  'closed',
  'merged',
  'supporter_added',
  'extension_requested',
  'info_requested',
  'info_supplied',
  'extension_approved',
  'escalated',
  'note',
] as const;
export type TicketEventKind = (typeof EVENT_KINDS)[number];

/** How the timeline names each event (console and ticket page). */
export const EVENT_NAMES: Record<TicketEventKind, string> = {
  received: '受理',
  dispatched: '派单',
  claimed: '签收',
  reassigned: '改派',
  escalated_level: '提级办理',
  returned: '退单',
  co_handling_added: '增加协办',
  resolved: '办结',
  resolution_submitted: '提交办结待确认',
  confirmed: '确认办结',
  rated: '评价',
  reopened: '重办',
  supervised: '挂牌督办',
  closed: '关闭',
  merged: '合并',
  supporter_added: '附议',
  extension_requested: '申请延期',
  info_requested: '请企业补充材料',
  info_supplied: '企业补充说明',
  extension_approved: '批准延期',
  escalated: '督办文书',
  note: '备注',
};

export interface TicketEventDraft {
  kind: TicketEventKind;
  fromStatus: TicketStatus | null;
  toStatus: TicketStatus | null;
  actor: Actor;
  at: Date;
  data: Record<string, unknown>;
}

export type TransitionResult =
  | { ok: true; state: TicketState; events: TicketEventDraft[] }
  | { ok: false; code: TransitionError; message: string };

export type TransitionError =
  | 'invalid_state'
  | 'already_claimed'
  | 'same_department'
  | 'missing_reason'
  | 'invalid_rating'
  | 'nothing_to_do';

export function initialTicketState(): TicketState {
  return {
    status: 'received',
    departmentId: null,
    assigneeId: null,
    coDepartmentIds: [],
    supervised: false,
    needsConfirmation: false,
    reopenCount: 0,
    rating: null,
    resolution: null,
    closeReason: null,
    mergedIntoId: null,
  };
}

/**
 * Open, not waiting for the enterprise, and past its active deadline (signing until signed,
 * then resolving). The SQL twin is overdueCondition in repo/tickets.
 */
export function isOverdue(t: { status: string; pausedAt: Date | null; signDueAt: Date | null; resolveDueAt: Date | null }, at: Date): boolean {
  if (t.pausedAt) return false;
  if (t.status === 'received' || t.status === 'dispatched' || t.status === 'returned') return !!t.signDueAt && t.signDueAt < at;
  if (t.status === 'claimed' || t.status === 'awaiting_confirmation') return !!t.resolveDueAt && t.resolveDueAt < at;
  return false;
}
