import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { boardData } from '../../src/board/figures';
import { departmentRanking, monthPeriod } from '../../src/reports/queries';
import { refreshRollups } from '../../src/reports/counts';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`);

// 签收及时率: a ticket is late only when it was signed after its sign deadline, or is unsigned
// and past that deadline at the report's time. One still within its deadline is neither yet.
describeOnDatabases('签收及时率 counts no ticket still within its sign deadline as late', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock();
  const nov = monthPeriod('2026-11');
  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const at = async (when: string, user: string, text: string) => {
    clock.set(china(when).toISOString());
    return rt.services.pipeline.receive(localMessage(user, text, { receivedAt: clock.now() }));
  };
  const power = async () => (await departmentRanking(h.db, nov, clock.now())).find((r) => r.departmentId === 'power')!;
  const board = async () => {
    const data = await boardData(h.db, rt.services.directory.org, { enabled: true, figures: ['departments', 'rates'], publishOnDay: 1, cacheSeconds: 0, embedOrigins: [] }, { deployment: '青山县', department: (id) => rt.services.directory.departmentName(id) }, clock.now());
    return data.months[0]!;
  };

  it('shows no rate (not 0%) while every ticket is within its deadline, then counts signed and overdue ones', async () => {
    // Monday 2 Nov 10:00: dispatched to the power company, to be signed by Tuesday 10:00.
    const first = await at('2026-11-02T10:00:00', 'qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    if (first.status !== 'ticket') throw new Error(first.status);
    clock.set(china('2026-11-02T15:00:00').toISOString());
    expect(await power()).toMatchObject({ tickets: 1, responseRate: null });
    expect((await board()).departments!.find((d) => d.id === 'power')!.responseRate).toBeNull();
    expect((await board()).totals.responseRate).toBeNull();

    // A second one is signed in time: 1 of 1 decided, the first still not due.
    const second = await at('2026-11-02T16:00:00', 'lvyuan-chen', '@共治助手 变压器增容申请提交两个月了一直没批下来');
    if (second.status !== 'ticket') throw new Error(second.status);
    await at('2026-11-02T17:00:00', 'lidian', `/认领 ${second.ticketNumber}`);
    expect((await power()).responseRate).toBe(1);

    // Past the first one's deadline, still unsigned: now it is late (1 of 2) — on stored days too.
    clock.set(china('2026-11-03T11:00:00').toISOString());
    expect((await power()).responseRate).toBe(0.5);
    await refreshRollups(h.db, clock.now());
    expect((await power()).responseRate).toBe(0.5);
    expect((await board()).departments!.find((d) => d.id === 'power')!.responseRate).toBe(0.5);
  });
});
