import { beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { verifyTicketStates } from '../../src/audit/ticket-state';
import type { DatabaseHandle } from '../../src/db/database';
import { refreshTopics } from '../../src/jobs/topics';
import { jointDeps, promoteTopic } from '../../src/pipeline/joint-cases';
import { listTopicSummaries } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { FLOODED_ROAD, useJointCaseRuntime } from '../helpers/joint-case';
import { createTestClock } from '../helpers/runtime';

describeOnDatabases('audit verify: the deadlines a 协同办 sets on its member tickets', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const j = useJointCaseRuntime(database, clock);
  beforeAll(() => void ({ h, rt } = j));
  const row = (number: string) => h.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirstOrThrow();

  it('holds a member ticket dispatched or reassigned into the case to the deadlines the move set, and names one rewritten in the row', async () => {
    const numbers: string[] = [];
    for (const [user, chat, text] of FLOODED_ROAD) {
      const r = await j.say(user, chat, text);
      if (r.status !== 'ticket') throw new Error(r.status);
      numbers.push(r.ticketNumber!);
    }
    // All four went to 城管局; it sends the first back, so the case dispatches that one and reassigns the rest.
    await j.say('caojun', 'direct', `/退回 ${numbers[0]} 排水管网不属本局`);
    expect((await row(numbers[0]!)).status).toBe('returned');
    expect((await row(numbers[1]!)).department_id).toBe('chengguan');

    await refreshTopics(rt.services, clock.now());
    const [topic] = await listTopicSummaries(h.db, { statuses: ['candidate'] });
    const due = new Date('2026-12-04T10:00:00Z');
    const promoted = await promoteTopic(jointDeps(rt.services), { topicId: topic!.id, staffId: 'wangmin', leadDepartmentId: 'zhujian', coDepartmentIds: ['water'], dueAt: due });
    expect(promoted.ok).toBe(true);
    const kinds = await h.db
      .selectFrom('ticket_events as e')
      .innerJoin('tickets as t', 't.id', 'e.ticket_id')
      .select(['t.number', 'e.kind'])
      .where('t.number', 'in', [numbers[0]!, numbers[1]!])
      .where('e.kind', 'in', ['dispatched', 'reassigned'])
      .orderBy('e.id', 'desc')
      .execute();
    expect(kinds.find((k) => k.number === numbers[0])?.kind).toBe('dispatched');
    expect(kinds.find((k) => k.number === numbers[1])?.kind).toBe('reassigned');

    // Every member's deadlines are stated by its history: none is left unchecked.
    expect(await verifyTicketStates(h.db)).toMatchObject({ ok: true, tickets: 4, disagreeing: 0, deadlinesUnchecked: 0 });

    for (const number of [numbers[0]!, numbers[1]!]) {
      const before = await row(number);
      expect(before.resolve_due_at?.toISOString()).toBe(due.toISOString());
      expect(before.sign_due_at!.getTime()).toBeLessThanOrEqual(due.getTime());
      // Someone with the database's credentials gives the lead department more time to sign.
      const later = new Date('2026-12-20T00:00:00Z');
      await h.db.updateTable('tickets').set({ sign_due_at: later }).where('number', '=', number).execute();
      const r = await verifyTicketStates(h.db);
      expect(r.ok).toBe(false);
      expect(r.disagreeing).toBe(1);
      expect(r.listed[0]!.number).toBe(number);
      expect(r.listed[0]!.fields).toContainEqual({ field: 'sign_due_at', row: later.toISOString(), history: before.sign_due_at!.toISOString() });
      await h.db.updateTable('tickets').set({ sign_due_at: before.sign_due_at }).where('number', '=', number).execute();
    }
    expect(await verifyTicketStates(h.db)).toMatchObject({ ok: true });
  });
});
