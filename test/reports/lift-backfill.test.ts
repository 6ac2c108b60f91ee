import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as backfill from '../../migrations/2026-12-04-30-lift-handovers';
import type { Runtime } from '../../src/bootstrap';
import { migrateToLatest } from '../../src/db/database';
import { runRollupJobs } from '../../src/jobs/rollups';
import { runSweep } from '../../src/jobs/sweep';
import { departmentCounts, liveDepartmentCounts, refreshRollups } from '../../src/reports/counts';
import { monthPeriod } from '../../src/reports/queries';
import { regionRanking } from '../../src/reports/regions';
import { describeOnDatabases } from '../helpers/databases';
import { china, startCityRuntime, type CityRuntime } from '../helpers/city';


/**
 * 提级办 made before migration 2026-12-03-20 have no handover row. The database is brought to
 * that state (the old code wrote the same tickets and events, no handovers, and the stored days
 * counted without them); migration 2026-12-04-30 and the next scheduler tick then give the very
 * ranking the trigger gives a lift made today, stored days included.
 */
describeOnDatabases('提级办 from before the handover table', (database) => {
  let rt: Runtime;
  let clock: CityRuntime['clock'];
  let say: CityRuntime['say'];
  const nov = monthPeriod('2026-11');
  const shown = (c: { tickets: number; dispatched: number; escalations: number }) => c.tickets + c.dispatched + c.escalations > 0;
  const counts = async () => (await departmentCounts(rt.services.db, nov)).filter(shown);
  const handovers = () =>
    rt.services.db.selectFrom('ticket_handovers').select(['ticket_id', 'from_department_id', 'to_department_id', 'from_dispatched_at', 'from_sign_due_at', 'from_claimed_at', 'handed_at', 'lifted']).where('lifted', '=', true).orderBy('ticket_id').execute();

  beforeAll(async () => {
    ({ rt, clock, say } = await startCityRuntime(database(), '2026-11-02T09:00:00'));
  });
  afterAll(async () => rt?.close());

  it('rebuilds the lifting unit’s response from the events and stores it', async () => {
    const a = await say('2026-11-02T09:00:00', 'qingshan', 'qs-factory-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    const b = await say('2026-11-02T09:10:00', 'qingshan', 'qs-mill-zhang', '@共治助手 新厂房三相电报装申请交上去两周了，供电所一直没来勘察');
    const d = await say('2026-11-02T09:30:00', 'qingshan', 'qs-shop-sun', '@共治助手 厂区门口道路施工挖开一个月没有恢复，货车进不来');
    expect([a, b, d].every(Boolean)).toBe(true);
    // A: signed in time by the county, lifted the next day.
    await say('2026-11-02T10:00:00', 'qingshan', 'li-qs', `/认领 ${a}`);
    // D: moved from 住建局 to the power company on Tuesday; its deadline restarts then. The power
    // company asks for material (its clock stops for the 3-workday cap), the answer comes Friday,
    // and it lifts D on Friday afternoon: late on the restarted deadline, in time with the pause.
    await say('2026-11-03T09:00:00', 'qingshan', 'wang-qs', `/转派 ${d} 青山县供电公司 涉及电力管线`);
    await say('2026-11-03T10:00:00', 'qingshan', 'li-qs', `/补充 ${d} 请提供施工路段的具体位置`);
    const sweep = await runSweep(rt.services, new Date(china('2026-11-03T09:30:00')));
    expect(sweep.issued.some((x) => x.ticketNumber === b && x.step !== 'reminder')).toBe(true);
    await say('2026-11-03T10:00:00', 'qingshan', 'li-qs', `/提级 ${a}`);
    await say('2026-11-03T11:00:00', 'city', 'dian-city', `/认领 ${a}`);
    // B: nobody signed; lifted a day late.
    await say('2026-11-04T10:00:00', 'qingshan', 'li-qs', `/提级 ${b}`);
    await say('2026-11-06T09:00:00', 'qingshan', 'qs-shop-sun', `/补充 ${d} 厂区东门外五十米`);
    await say('2026-11-06T15:00:00', 'qingshan', 'li-qs', `/提级 ${d}`);

    const today = await handovers();
    expect(today).toHaveLength(3);
    await refreshRollups(rt.services.db, clock.now());
    const made = await counts();
    const qs = made.find((c) => c.departmentId === 'qs-power');
    // A signed in time, B late, D in time because of the pause.
    expect(qs).toMatchObject({ tickets: 0, dispatched: 3, signedOnTime: 2, escalations: 1 });
    const regions = Object.fromEntries((await regionRanking(rt.services.db, nov, clock.now(), rt.services.directory.org)).map((r) => [r.departmentId, r]));

    // The database as the old code left it: no handovers, the days stored without them.
    await rt.services.db.deleteFrom('ticket_handovers').execute();
    await sql`delete from kysely_migration where name = '2026-12-04-30-lift-handovers'`.execute(rt.services.db);
    await refreshRollups(rt.services.db, clock.now());
    expect((await counts()).find((c) => c.departmentId === 'qs-power')).toMatchObject({ dispatched: 0, signedOnTime: 0 });

    expect(await migrateToLatest(rt.services.db)).toEqual(['2026-12-04-30-lift-handovers']);
    await runRollupJobs(rt.services, clock.now());
    expect(await handovers()).toEqual(today);
    expect(await counts()).toEqual(made);
    expect(await liveDepartmentCounts(rt.services.db, nov).then((l) => l.filter(shown))).toEqual(made);
    const dirty = await rt.services.db.selectFrom('report_dirty_days').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(dirty.n)).toBe(0);
    expect(Object.fromEntries((await regionRanking(rt.services.db, nov, clock.now(), rt.services.directory.org)).map((r) => [r.departmentId, r]))).toEqual(regions);

    // Run again (a second instance, a repeated upgrade): nothing added.
    await backfill.up(rt.services.db);
    expect(await handovers()).toEqual(today);
  });
});
