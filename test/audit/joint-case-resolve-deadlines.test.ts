import { beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { verifyTicketStates } from '../../src/audit/ticket-state';
import type { DatabaseHandle } from '../../src/db/database';
import { refreshTopics } from '../../src/jobs/topics';
import { jointDeps, promoteTopic, resolveJointCase } from '../../src/pipeline/joint-cases';
import { listTopicSummaries } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { FLOODED_ROAD, useJointCaseRuntime } from '../helpers/joint-case';
import { createTestClock } from '../helpers/runtime';

describeOnDatabases('audit verify: a member ticket sent back and re-dispatched when its 协同办 is resolved', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  const j = useJointCaseRuntime(database, clock);
  beforeAll(() => void ({ h, rt } = j));
  const row = (number: string) => h.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirstOrThrow();

  it('states the deadlines of the re-dispatch, so they are checked, and names one rewritten in the row', async () => {
    const numbers: string[] = [];
    for (const [user, chat, text] of FLOODED_ROAD) {
      const r = await j.say(user, chat, text);
      if (r.status !== 'ticket') throw new Error(r.status);
      numbers.push(r.ticketNumber!);
    }
    await refreshTopics(rt.services, clock.now());
    const [topic] = await listTopicSummaries(h.db, { statuses: ['candidate'] });
    const due = new Date('2026-12-04T10:00:00Z');
    expect((await promoteTopic(jointDeps(rt.services), { topicId: topic!.id, staffId: 'wangmin', leadDepartmentId: 'zhujian', coDepartmentIds: ['water'], dueAt: due })).ok).toBe(true);
    // The lead department sends one member back before the case is done.
    const back = numbers[2]!;
    await j.say('liuyang', 'direct', `/退回 ${back} 积水点不在本局管养范围`);
    expect((await row(back)).status).toBe('returned');
    expect(await verifyTicketStates(h.db)).toMatchObject({ ok: true, deadlinesUnchecked: 0 });

    clock.advance(3_600_000);
    expect((await resolveJointCase(jointDeps(rt.services), { caseId: 1, staffId: 'liuyang', result: '纬三路排水管网已疏通扩容，积水点已消除' })).ok).toBe(true);
    const after = await row(back);
    expect(after).toMatchObject({ status: 'resolved', department_id: 'zhujian' });
    const dispatch = await h.db.selectFrom('ticket_events').select('data').where('ticket_id', '=', after.id).where('kind', '=', 'dispatched').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(dispatch.data).toMatchObject({ departmentId: 'zhujian', signDueAt: after.sign_due_at!.toISOString(), resolveDueAt: due.toISOString() });
    expect(after.resolve_due_at!.toISOString()).toBe(due.toISOString());

    // No member's deadlines are left unchecked (the re-dispatch used to state none: 时限未核对).
    expect(await verifyTicketStates(h.db)).toMatchObject({ ok: true, tickets: 4, disagreeing: 0, deadlinesUnchecked: 0 });
    const later = new Date('2026-12-20T00:00:00Z');
    await h.db.updateTable('tickets').set({ resolve_due_at: later }).where('id', '=', after.id).execute();
    const r = await verifyTicketStates(h.db);
    expect(r).toMatchObject({ ok: false, disagreeing: 1 });
    expect(r.listed[0]).toMatchObject({ number: back, fields: [{ field: 'resolve_due_at', row: later.toISOString(), history: due.toISOString() }] });
  });
});
