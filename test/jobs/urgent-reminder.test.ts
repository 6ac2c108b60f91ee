import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { runSweep } from '../../src/jobs/sweep';
import { departmentRanking, monthPeriod } from '../../src/reports/queries';
import { rankPlaces } from '../../src/domain/report';
import { templates } from '../../src/domain/templates';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const MIN = 60_000;

describeOnDatabases('提醒单 on urgent tickets and the ranking that follows', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  // Monday 23 November 2026, 10:00 Beijing: a working day, so the urgent terms run in wall-clock time.
  const clock = createTestClock('2026-11-23T02:00:00Z');
  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  it('reminds a 30-minute urgent ticket shortly before its deadline, not the minute it is dispatched', async () => {
    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '厂区突然全部停电了，生产线全部停产，情况紧急，请供电公司马上来抢修！', { receivedAt: clock.now() }));
    const ticket = await h.db.selectFrom('tickets').selectAll().where('id', '=', (r as { ticketId: number }).ticketId).executeTakeFirstOrThrow();
    expect(ticket.urgency).toBe('urgent');
    expect(ticket.sign_due_at!.getTime() - ticket.dispatched_at!.getTime()).toBe(30 * MIN); // sla.overrides: 30m to sign
    // remindBefore is 4 h: unscaled, the 提醒单 would be due before the ticket even existed.
    clock.advance(MIN);
    expect((await runSweep(rt.services, clock.now())).issued).toEqual([]);
    clock.advance(21 * MIN); // 22 minutes in: 8 minutes left, more than a quarter of the term
    expect((await runSweep(rt.services, clock.now())).issued).toEqual([]);
    clock.advance(MIN / 2); // 7.5 minutes left: a quarter of 30
    expect((await runSweep(rt.services, clock.now())).issued).toMatchObject([{ step: 'reminder' }]);

    // Signed in time: the reminder was a notice, not a failure, and the ranking does not hold it against the department.
    await rt.services.pipeline.receive(localMessage('lidian', `/认领 ${ticket.number}`, { receivedAt: clock.now() }));
    const ranking = await departmentRanking(h.db, monthPeriod('2026-11'), clock.now());
    const power = ranking.find((d) => d.departmentId === 'power')!;
    expect(power.escalations).toBe(0);
    expect(power.responseRate).toBe(1);
    expect(templates.ranking('2026-11 月度通报', ranking)).not.toContain('督办文书');
  });

  it('departments tied on every figure share a place, and the next place skips', async () => {
    const row = (id: string, score: number, escalations = 0) => ({ departmentId: id, score, escalations });
    expect(rankPlaces([row('a', 0.9), row('b', 0.5), row('c', 0.5), row('d', 0.1), row('e', 0), row('f', 0), row('g', 0)])).toEqual([1, 2, 2, 4, 5, 5, 5]);
    // Same score, fewer 三单一函 documents ranks higher: not a tie.
    expect(rankPlaces([row('a', 0.5, 0), row('b', 0.5, 2)])).toEqual([1, 2]);
    const text = templates.ranking('t', [
      { departmentId: 'a', name: '甲局', tickets: 2, responseRate: 1, onTimeRate: 1, resolutionRate: 1, satisfactionRate: 1, reopened: 0, escalations: 0, score: 1 },
      { departmentId: 'b', name: '乙局', tickets: 1, responseRate: 0, onTimeRate: null, resolutionRate: 0, satisfactionRate: null, reopened: 0, escalations: 0, score: 0 },
      { departmentId: 'c', name: '丙局', tickets: 1, responseRate: 0, onTimeRate: null, resolutionRate: 0, satisfactionRate: null, reopened: 0, escalations: 0, score: 0 },
    ] as Parameters<typeof templates.ranking>[1]);
    expect(text).toContain('\n2. 乙局');
    expect(text).toContain('\n2. 丙局');
  });
});
