import { describe, expect, it } from 'vitest';
import { initialTicketState, type Actor, type TicketState } from '../../src/domain/ticket';
import { applyTicketAction } from '../../src/domain/ticket-machine';

const now = new Date('2026-11-23T02:00:00Z');
const staff: Actor = { kind: 'staff', id: 'lidian', name: '李电' };
const other: Actor = { kind: 'staff', id: 'majun', name: '马骏' };
const requester: Actor = { kind: 'requester', id: '1', name: '刘总' };

function must(state: TicketState, ...steps: Array<[Parameters<typeof applyTicketAction>[1], Actor]>): TicketState {
  let s = state;
  for (const [action, actor] of steps) {
    const r = applyTicketAction(s, action, actor, now);
    if (!r.ok) throw new Error(`${action.kind}: ${r.message}`);
    s = r.state;
  }
  return s;
}

const dispatched = () => must(initialTicketState(), [{ kind: 'dispatch', departmentId: 'power' }, staff]);

describe('ticket state machine', () => {
  it('walks the 12345 loop received → dispatched → claimed → resolved → closed, one event per step', () => {
    let s = initialTicketState();
    const kinds: string[] = [];
    for (const [action, actor] of [
      [{ kind: 'dispatch', departmentId: 'power' }, staff],
      [{ kind: 'claim' }, staff],
      [{ kind: 'resolve', summary: '已接电' }, staff],
      [{ kind: 'rate', rating: 5 }, requester],
    ] as const) {
      const r = applyTicketAction(s, action, actor, now);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      s = r.state;
      kinds.push(...r.events.map((e) => e.kind));
      for (const e of r.events) expect(e.at).toEqual(now);
    }
    expect(s.status).toBe('closed');
    expect(s.closeReason).toBe('satisfied');
    expect(kinds).toEqual(['dispatched', 'claimed', 'resolved', 'rated', 'closed']);
  });

  it('refuses a second claim and says who has it', () => {
    const claimed = must(dispatched(), [{ kind: 'claim' }, staff]);
    const r = applyTicketAction(claimed, { kind: 'claim' }, other, now);
    expect(r).toMatchObject({ ok: false, code: 'already_claimed' });
    expect(claimed.assigneeId).toBe('lidian');
  });

  it('refuses transitions that skip the loop, naming the current status', () => {
    const r = applyTicketAction(initialTicketState(), { kind: 'resolve', summary: 'x' }, staff, now);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('待分派');
    expect(applyTicketAction(dispatched(), { kind: 'rate', rating: 5 }, requester, now).ok).toBe(false);
  });

  it('an unsatisfied rating reopens under supervision and the next completion waits for confirmation', () => {
    const resolved = must(dispatched(), [{ kind: 'claim' }, staff], [{ kind: 'resolve', summary: '已处理' }, staff]);
    const r = applyTicketAction(resolved, { kind: 'rate', rating: 2, comment: '没解决' }, requester, now);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.state).toMatchObject({ status: 'dispatched', supervised: true, needsConfirmation: true, reopenCount: 1, assigneeId: null });
    expect(r.events.map((e) => e.kind)).toEqual(['rated', 'reopened', 'supervised']);
    const again = must(r.state, [{ kind: 'claim' }, staff], [{ kind: 'resolve', summary: '重新处理' }, staff]);
    expect(again.status).toBe('awaiting_confirmation');
    const confirmed = must(again, [{ kind: 'confirm' }, other]);
    expect(confirmed).toMatchObject({ status: 'resolved', needsConfirmation: false, supervised: true });
    expect(must(confirmed, [{ kind: 'rate', rating: 5 }, requester]).status).toBe('closed');
  });

  it('resolving without a prior claim records the implicit claim', () => {
    const r = applyTicketAction(dispatched(), { kind: 'resolve', summary: '已办' }, staff, now);
    expect(r.ok && r.events.map((e) => e.kind)).toEqual(['claimed', 'resolved']);
  });

  it('reassign, return, co-handling and merge keep the department bookkeeping straight', () => {
    const claimed = must(dispatched(), [{ kind: 'claim' }, staff]);
    expect(applyTicketAction(claimed, { kind: 'reassign', departmentId: 'power' }, staff, now)).toMatchObject({ ok: false, code: 'same_department' });
    const moved = must(claimed, [{ kind: 'reassign', departmentId: 'water', reason: '属供水' }, staff]);
    expect(moved).toMatchObject({ status: 'dispatched', departmentId: 'water', assigneeId: null });
    const co = must(moved, [{ kind: 'add_co_departments', departmentIds: ['power', 'water', 'power'] }, staff]);
    expect(co.coDepartmentIds).toEqual(['power']);
    expect(applyTicketAction(co, { kind: 'add_co_departments', departmentIds: ['power'] }, staff, now)).toMatchObject({ ok: false, code: 'nothing_to_do' });
    expect(applyTicketAction(co, { kind: 'return', reason: '  ' }, staff, now)).toMatchObject({ ok: false, code: 'missing_reason' });
    const returned = must(co, [{ kind: 'return', reason: '不属本单位' }, staff]);
    expect(returned.status).toBe('returned');
    const merged = must(returned, [{ kind: 'merge', intoId: 9, intoNumber: 'GZ-20261123-0009' }, staff]);
    expect(merged).toMatchObject({ status: 'merged', mergedIntoId: 9 });
    expect(applyTicketAction(merged, { kind: 'claim' }, staff, now).ok).toBe(false);
  });

  it('rejects ratings outside 1–5', () => {
    const resolved = must(dispatched(), [{ kind: 'resolve', summary: '已办' }, staff]);
    for (const rating of [0, 6, 2.5]) expect(applyTicketAction(resolved, { kind: 'rate', rating }, requester, now).ok).toBe(false);
  });
});
