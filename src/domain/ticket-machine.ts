import {
  STATUS_NAMES,
  isOpen,
  type Actor,
  type TicketAction,
  type TicketEventDraft,
  type TicketEventKind,
  type TicketState,
  type TicketStatus,
  type TransitionError,
  type TransitionResult,
} from './ticket';

const fail = (code: TransitionError, message: string): TransitionResult => ({ ok: false, code, message });

export const ALLOWED_FROM: Record<TicketAction['kind'], readonly TicketStatus[]> = {
  dispatch: ['received', 'returned'],
  claim: ['dispatched', 'claimed'],
  reassign: ['received', 'dispatched', 'claimed', 'returned'],
  escalate_level: ['dispatched', 'claimed', 'returned'],
  return: ['dispatched', 'claimed'],
  add_co_departments: ['dispatched', 'claimed'],
  // A department may finish without a separate sign-in; the machine then records the claim too.
  resolve: ['dispatched', 'claimed'],
  confirm: ['awaiting_confirmation'],
  rate: ['resolved'],
  close: ['received', 'dispatched', 'claimed', 'returned', 'awaiting_confirmation', 'resolved'],
  reopen: ['resolved', 'closed'],
  merge: ['received', 'dispatched', 'claimed', 'returned'],
};

const ACTION_NAMES: Record<TicketAction['kind'], string> = {
  dispatch: '派单',
  claim: '签收',
  reassign: '转派',
  escalate_level: '提级',
  return: '退回',
  add_co_departments: '协办',
  resolve: '办结',
  confirm: '确认办结',
  rate: '评价',
  close: '关闭',
  reopen: '重办',
  merge: '合并',
};

/**
 * The one place that decides whether a ticket may move. Pure: the caller passes the
 * current state and the time, and persists the returned state and events.
 */
export function applyTicketAction(state: TicketState, action: TicketAction, actor: Actor, now: Date): TransitionResult {
  if (!ALLOWED_FROM[action.kind].includes(state.status)) {
    return fail('invalid_state', `工单当前状态为「${STATUS_NAMES[state.status]}」，不能${ACTION_NAMES[action.kind]}`);
  }
  const events: TicketEventDraft[] = [];
  const event = (kind: TicketEventKind, from: TicketStatus, to: TicketStatus, data: Record<string, unknown> = {}) =>
    events.push({ kind, fromStatus: from, toStatus: to, actor, at: now, data });
  const from = state.status;

  switch (action.kind) {
    case 'dispatch': {
      event('dispatched', from, 'dispatched', { departmentId: action.departmentId });
      return { ok: true, state: { ...state, status: 'dispatched', departmentId: action.departmentId, assigneeId: null }, events };
    }
    case 'claim': {
      if (from === 'claimed') {
        return fail('already_claimed', state.assigneeId === actor.id ? '您已签收该工单' : '该工单已被签收');
      }
      event('claimed', from, 'claimed', { departmentId: state.departmentId });
      return { ok: true, state: { ...state, status: 'claimed', assigneeId: actor.id }, events };
    }
    case 'reassign':
    case 'escalate_level': {
      if (action.departmentId === state.departmentId) return fail('same_department', '新承办单位与当前承办单位相同');
      const kind = action.kind === 'reassign' ? 'reassigned' : 'escalated_level';
      const data: Record<string, unknown> = { fromDepartmentId: state.departmentId, departmentId: action.departmentId };
      if (action.kind === 'reassign' && action.reason) data.reason = action.reason;
      event(kind, from, 'dispatched', data);
      return {
        ok: true,
        state: {
          ...state,
          status: 'dispatched',
          departmentId: action.departmentId,
          assigneeId: null,
          coDepartmentIds: state.coDepartmentIds.filter((d) => d !== action.departmentId),
        },
        events,
      };
    }
    case 'return': {
      if (!action.reason.trim()) return fail('missing_reason', '退回须说明理由');
      event('returned', from, 'returned', { departmentId: state.departmentId, reason: action.reason });
      return { ok: true, state: { ...state, status: 'returned', assigneeId: null }, events };
    }
    case 'add_co_departments': {
      const added = [...new Set(action.departmentIds)].filter(
        (d) => d !== state.departmentId && !state.coDepartmentIds.includes(d),
      );
      if (added.length === 0) return fail('nothing_to_do', '这些单位已在承办或协办名单中');
      event('co_handling_added', from, from, { departmentIds: added });
      return { ok: true, state: { ...state, coDepartmentIds: [...state.coDepartmentIds, ...added] }, events };
    }
    case 'resolve': {
      if (!action.summary.trim()) return fail('missing_reason', '办结须附办理结果说明');
      let assigneeId = state.assigneeId;
      if (from === 'dispatched') {
        event('claimed', from, 'claimed', { departmentId: state.departmentId, implicit: true });
        assigneeId = actor.id;
      }
      if (state.needsConfirmation) {
        event('resolution_submitted', 'claimed', 'awaiting_confirmation', { summary: action.summary });
        return { ok: true, state: { ...state, status: 'awaiting_confirmation', assigneeId, resolution: action.summary }, events };
      }
      event('resolved', 'claimed', 'resolved', { summary: action.summary });
      return { ok: true, state: { ...state, status: 'resolved', assigneeId, resolution: action.summary }, events };
    }
    case 'confirm': {
      event('confirmed', from, 'resolved', {});
      return { ok: true, state: { ...state, status: 'resolved', needsConfirmation: false }, events };
    }
    case 'rate': {
      if (!Number.isInteger(action.rating) || action.rating < 1 || action.rating > 5) {
        return fail('invalid_rating', '评分须为 1 到 5 的整数');
      }
      const data: Record<string, unknown> = { rating: action.rating };
      if (action.comment) data.comment = action.comment;
      if (action.rating >= 3) {
        event('rated', from, 'closed', data);
        event('closed', from, 'closed', { reason: 'satisfied' });
        return { ok: true, state: { ...state, status: 'closed', rating: action.rating, closeReason: 'satisfied' }, events };
      }
      // 不满意: back to the same department, under supervision, and the next completion is checked.
      event('rated', from, 'dispatched', data);
      event('reopened', from, 'dispatched', { reason: 'unsatisfied', rating: action.rating });
      if (!state.supervised) event('supervised', 'dispatched', 'dispatched', { reason: 'unsatisfied' });
      return {
        ok: true,
        state: {
          ...state,
          status: 'dispatched',
          rating: action.rating,
          assigneeId: null,
          supervised: true,
          needsConfirmation: true,
          reopenCount: state.reopenCount + 1,
        },
        events,
      };
    }
    case 'close': {
      const data: Record<string, unknown> = { reason: action.reason };
      if (action.note) data.note = action.note;
      event('closed', from, 'closed', data);
      return { ok: true, state: { ...state, status: 'closed', closeReason: action.reason }, events };
    }
    case 'reopen': {
      if (!action.reason.trim()) return fail('missing_reason', '重办须说明理由');
      event('reopened', from, 'dispatched', { reason: action.reason });
      return {
        ok: true,
        state: { ...state, status: 'dispatched', assigneeId: null, reopenCount: state.reopenCount + 1, closeReason: null },
        events,
      };
    }
    case 'merge': {
      event('merged', from, 'merged', { intoId: action.intoId, intoNumber: action.intoNumber });
      return { ok: true, state: { ...state, status: 'merged', mergedIntoId: action.intoId }, events };
    }
  }
}

export { isOpen };
