import { describe, expect, it } from 'vitest';
import { initialTicketState, type Actor, type TicketAction, type TicketEventDraft, type TicketState } from '../../src/domain/ticket';
import { applyTicketAction } from '../../src/domain/ticket-machine';
import { compareTicket, rebuildTicket, type HistoryEvent, type TicketRecord } from '../../src/domain/ticket-history';
import { rng } from '../helpers/rng';

const ACTORS: Actor[] = [
  { kind: 'staff', id: 'lidian', name: '李电' },
  { kind: 'staff', id: 'gaoshui', name: '高水' },
  { kind: 'requester', id: '7', name: '刘总' },
];
const DEPTS = ['power', 'water', 'zwfw', 'market'];

const history = (drafts: TicketEventDraft[]): HistoryEvent[] =>
  drafts.map((e) => ({ kind: e.kind, toStatus: e.toStatus, actorId: e.actor.id, at: e.at, data: JSON.parse(JSON.stringify(e.data)) as Record<string, unknown> }));

/** The machine's state in the row's column names, for the fields the machine decides. */
const asColumns = (s: TicketState) => ({
  status: s.status,
  department_id: s.departmentId,
  assignee_id: s.assigneeId,
  co_department_ids: s.coDepartmentIds,
  supervised: s.supervised,
  needs_confirmation: s.needsConfirmation,
  reopen_count: s.reopenCount,
  rating: s.rating,
  resolution: s.resolution,
  close_reason: s.closeReason,
  merged_into_id: s.mergedIntoId,
});

function randomAction(next: () => number): TicketAction {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const actions: TicketAction[] = [
    { kind: 'dispatch', departmentId: pick(DEPTS) },
    { kind: 'claim' },
    { kind: 'reassign', departmentId: pick(DEPTS), reason: '属供水' },
    { kind: 'escalate_level', departmentId: pick(DEPTS) },
    { kind: 'return', reason: '不属本单位' },
    { kind: 'add_co_departments', departmentIds: [pick(DEPTS), pick(DEPTS)] },
    { kind: 'resolve', summary: `已处理${Math.floor(next() * 100)}` },
    { kind: 'confirm' },
    { kind: 'rate', rating: 1 + Math.floor(next() * 5) },
    { kind: 'close', reason: pick(['invalid', 'withdrawn', 'no_answer'] as const) },
    { kind: 'reopen', reason: '未解决' },
    { kind: 'merge', intoId: 42, intoNumber: 'GZ-20261123-0042' },
  ];
  return pick(actions);
}

describe('a ticket rebuilt from its events', () => {
  it('equals the state machine’s state after every step of 400 random histories', () => {
    const next = rng(20261204);
    let steps = 0;
    for (let walk = 0; walk < 400; walk++) {
      let state = initialTicketState();
      let at = new Date('2026-11-23T02:00:00Z').getTime();
      const drafts: TicketEventDraft[] = [
        { kind: 'received', fromStatus: null, toStatus: 'received', actor: ACTORS[2]!, at: new Date(at), data: { classification: { type: 'help', category: 'utilities', urgency: 'normal' } } },
      ];
      for (let i = 0; i < 40; i++) {
        at += 3_600_000;
        const r = applyTicketAction(state, randomAction(next), ACTORS[Math.floor(next() * ACTORS.length)]!, new Date(at));
        if (!r.ok) continue;
        state = r.state;
        drafts.push(...r.events);
        steps++;
        const rebuilt = rebuildTicket(history(drafts));
        expect(rebuilt.record, `walk ${walk} step ${i}`).toMatchObject(asColumns(state));
      }
    }
    // The walks reach deep histories, not only the first steps.
    expect(steps).toBeGreaterThan(2000);
  });

  it('keeps the milestones as the row does: a reopening clears them, the rating’s own move is no dispatch', () => {
    const t = (h: number) => new Date(Date.UTC(2026, 10, 23, h));
    const ev = (kind: string, toStatus: string | null, h: number, data: Record<string, unknown> = {}, actorId = 'lidian'): HistoryEvent => ({ kind, toStatus, actorId, at: t(h), data });
    const events = [
      ev('received', 'received', 1, { classification: { type: 'complaint', category: 'utilities', urgency: 'urgent' } }, '7'),
      ev('dispatched', 'dispatched', 2, { departmentId: 'power' }),
      ev('claimed', 'claimed', 3, { departmentId: 'power' }),
      ev('resolved', 'resolved', 4, { summary: '已接通' }),
      ev('rated', 'dispatched', 5, { rating: 2 }, '7'),
      ev('reopened', 'dispatched', 5, { reason: 'unsatisfied', rating: 2 }, '7'),
      ev('supervised', 'dispatched', 5, { reason: 'unsatisfied' }, '7'),
      ev('note', null, 6, { recategorized: { from: { category: 'utilities', type: 'complaint' }, to: { category: 'other', type: 'help' } } }),
    ];
    const { record, unknown } = rebuildTicket(events);
    // The reopening (written before restarts stated them) restarted the deadlines unrecorded; privacy and group need a /公开.
    expect(unknown.sort()).toEqual(['group_id', 'is_private', 'region_id', 'resolve_due_at', 'sign_due_at']);
    expect(record).toMatchObject({
      status: 'dispatched',
      department_id: 'power',
      assignee_id: null,
      rating: 2,
      reopen_count: 1,
      supervised: true,
      needs_confirmation: true,
      resolution: '已接通',
      type: 'help',
      category: 'other',
      urgency: 'urgent',
      received_at: t(1),
      dispatched_at: t(5),
      claimed_at: null,
      resolved_at: null,
      closed_at: null,
    });
  });

  it('leaves a knowledge-base answer’s text alone but holds its entry, and names each field a row disagrees in', () => {
    const at = new Date('2026-11-23T02:00:00Z');
    const events: HistoryEvent[] = [
      { kind: 'received', toStatus: 'received', actorId: '7', at, data: { classification: { type: 'consult', category: 'licensing', urgency: 'normal' } } },
      { kind: 'dispatched', toStatus: 'dispatched', actorId: 'classifier', at, data: { departmentId: 'zwfw', rule: null } },
      { kind: 'resolved', toStatus: 'resolved', actorId: 'classifier', at, data: { knowledgeBase: 'food-licence-renewal', score: 0.8 } },
    ];
    const rebuilt = rebuildTicket(events);
    expect(rebuilt.unknown.sort()).toEqual(['group_id', 'is_private', 'region_id', 'resolution', 'resolve_due_at', 'sign_due_at']);
    const row: TicketRecord = { ...rebuilt.record, resolution: '请携带以下材料……' };
    expect(compareTicket(row, rebuilt)).toEqual([]);
    expect(compareTicket({ ...row, status: 'closed', kb_entry: null, resolved_at: null, co_department_ids: ['power'] }, rebuilt)).toEqual([
      { field: 'status', row: 'closed', history: 'resolved' },
      { field: 'co_department_ids', row: '["power"]', history: '[]' },
      { field: 'kb_entry', row: 'null', history: 'food-licence-renewal' },
      { field: 'resolved_at', row: 'null', history: at.toISOString() },
    ]);
  });

  it('holds the deadlines the history states, moved by the pauses it records, until a restart', () => {
    const h = (n: number) => new Date(Date.UTC(2026, 10, 23, n));
    const ev = (kind: string, at: number, data: Record<string, unknown> = {}, toStatus: string | null = null): HistoryEvent => ({ kind, toStatus, actorId: 'wangmin', at: h(at), data });
    const events = [
      ev('received', 0, { classification: { type: 'help', category: 'utilities', urgency: 'normal' } }, 'received'),
      ev('dispatched', 0, { departmentId: 'power' }, 'dispatched'),
      // A 督办单 names the sign deadline it was issued against.
      ev('escalated', 30, { step: 'supervise', number: 'DB-2026-0001', phase: 'sign', dueAt: h(24).toISOString() }),
      ev('claimed', 31, { departmentId: 'power' }, 'claimed'),
      ev('extension_approved', 32, { days: 3, previousDueAt: h(96).toISOString(), resolveDueAt: h(168).toISOString(), requestEventId: 9 }),
      // Paused up front for 2 days, answered after 1: a day back.
      ev('info_requested', 33, { question: '请补充图纸', paused: true, pausedUntil: h(33 + 48).toISOString() }),
      ev('info_supplied', 57, { text: '已补充', pausedMs: 24 * 3_600_000 - 48 * 3_600_000 }),
    ];
    const rebuilt = rebuildTicket(events);
    expect(rebuilt.unknown.sort()).toEqual(['group_id', 'is_private', 'region_id']);
    expect(rebuilt.record).toMatchObject({ sign_due_at: h(24 + 24), resolve_due_at: h(168 + 24) });
    expect(compareTicket({ ...rebuilt.record, resolve_due_at: h(400) }, rebuilt)).toEqual([{ field: 'resolve_due_at', row: h(400).toISOString(), history: h(192).toISOString() }]);
    // A 转派 written before restarts stated their deadlines: no longer the history's to tell.
    const after = rebuildTicket([...events, ev('reassigned', 60, { fromDepartmentId: 'power', departmentId: 'water' }, 'dispatched')]);
    expect(after.unknown.sort()).toEqual(['group_id', 'is_private', 'region_id', 'resolve_due_at', 'sign_due_at']);
    expect(compareTicket({ ...after.record, resolve_due_at: h(400) }, after)).toEqual([]);
  });

  it('holds the deadlines a restart states (派单, 转派, 提级, 重办), and the opening’s through its own dispatch', () => {
    const h = (n: number) => new Date(Date.UTC(2026, 10, 23, n));
    const ev = (kind: string, at: number, data: Record<string, unknown> = {}, toStatus: string | null = null, actorId = 'wangmin'): HistoryEvent => ({ kind, toStatus, actorId, at: h(at), data });
    const due = (sign: number, resolve: number) => ({ signDueAt: h(sign).toISOString(), resolveDueAt: h(resolve).toISOString() });
    // The opening states its deadlines; its own dispatch (by the classifier, at once) keeps them.
    const opened = [
      ev('received', 0, { classification: { type: 'help', category: 'utilities', urgency: 'normal' }, ...due(24, 120) }, 'received', '7'),
      ev('dispatched', 0, { departmentId: 'power', rule: 'power' }, 'dispatched', 'classifier'),
    ];
    const first = rebuildTicket(opened);
    expect(first.unknown).not.toContain('sign_due_at');
    expect(first.record).toMatchObject({ sign_due_at: h(24), resolve_due_at: h(120) });
    expect(compareTicket({ ...first.record, sign_due_at: h(48) }, first)).toEqual([{ field: 'sign_due_at', row: h(48).toISOString(), history: h(24).toISOString() }]);
    for (const kind of ['reassigned', 'escalated_level', 'reopened', 'dispatched']) {
      const restarted = rebuildTicket([...opened, ev(kind, 10, { departmentId: 'water', ...due(34, 130) }, 'dispatched')]);
      expect(restarted.unknown, kind).not.toContain('resolve_due_at');
      expect(compareTicket({ ...restarted.record, resolve_due_at: h(120) }, restarted), kind).toEqual([{ field: 'resolve_due_at', row: h(120).toISOString(), history: h(130).toISOString() }]);
    }
    // A dispatch by a person that states nothing (older history) is a restart the history cannot speak for.
    expect(rebuildTicket([...opened, ev('dispatched', 10, { departmentId: 'water' }, 'dispatched')]).unknown).toEqual(expect.arrayContaining(['sign_due_at', 'resolve_due_at']));
  });

  it('holds privacy and group from a /公开 on', () => {
    const at = new Date('2026-11-23T02:00:00Z');
    const events: HistoryEvent[] = [
      { kind: 'received', toStatus: 'received', actorId: '7', at, data: { classification: { type: 'help', category: 'utilities', urgency: 'normal' } } },
      { kind: 'note', toStatus: null, actorId: '7', at, data: { published: 'g-kaifaqu' } },
    ];
    const before = rebuildTicket(events.slice(0, 1));
    expect(compareTicket({ ...before.record, is_private: true, group_id: 'g-other' }, before)).toEqual([]);
    const rebuilt = rebuildTicket(events);
    expect(rebuilt.record).toMatchObject({ is_private: false, group_id: 'g-kaifaqu' });
    expect(compareTicket({ ...rebuilt.record, is_private: true, group_id: 'g-other' }, rebuilt)).toEqual([
      { field: 'is_private', row: 'true', history: 'false' },
      { field: 'group_id', row: 'g-other', history: 'g-kaifaqu' },
    ]);
  });
});
