import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { runSweep } from '../../src/jobs/sweep';
import { departmentCounts, liveDepartmentCounts, refreshRollups } from '../../src/reports/counts';
import { monthPeriod } from '../../src/reports/queries';
import { regionDepartmentRanking, regionRanking } from '../../src/reports/regions';
import { templates } from '../../src/domain/templates';
import { china, startCityRuntime, type CityRuntime } from '../helpers/city';
import { describeOnDatabases } from '../helpers/databases';


/**
 * 提级办 in the rankings (issue 21): a county unit that lifts a ticket to its city counterpart
 * still answers for its response (signed, or lifted, within its own sign deadline) and for the
 * documents it received; the city unit answers for the resolution and for signing it afresh.
 * A 转派 carries no such duty: the old department's claim is not the new department's.
 */
describeOnDatabases('lifted and reassigned tickets in the rankings', (database) => {
  let rt: Runtime;
  let clock: CityRuntime['clock'];
  let say: CityRuntime['say'];
  const n = { a: '', b: '', c: '' };
  const nov = monthPeriod('2026-11');
  const byDept = async () => Object.fromEntries((await departmentCounts(rt.services.db, nov)).map((c) => [c.departmentId, c]));

  beforeAll(async () => {
    ({ rt, clock, say } = await startCityRuntime(database(), '2026-11-02T09:00:00'));
  });
  afterAll(async () => rt?.close());

  it('counts the lifting county unit’s response and the city unit’s resolution', async () => {
    // Monday 2 November: three power reports; normal tickets are signed within one working day.
    n.a = await say('2026-11-02T09:00:00', 'qingshan', 'qs-factory-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    n.b = await say('2026-11-02T09:10:00', 'qingshan', 'qs-mill-zhang', '@共治助手 新厂房三相电报装申请交上去两周了，供电所一直没来勘察');
    n.c = await say('2026-11-02T09:20:00', 'hexi', 'hx-plant-wu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    expect(Object.values(n).every(Boolean)).toBe(true);
    // A: signed by the county in time, lifted the next day, signed and resolved by the city, rated 5.
    await say('2026-11-02T10:00:00', 'qingshan', 'li-qs', `/认领 ${n.a}`);
    // C: signed by 河西's power company, then moved by the 营商办 to 住建局, which never signs.
    await say('2026-11-02T11:00:00', 'hexi', 'gao-hx', `/认领 ${n.c}`);
    await say('2026-11-02T14:00:00', 'hexi', 'zhao-hx', `/转派 ${n.c} 河西县住房和城乡建设局 属地管理`);
    // B was due at 09:10 on 3 November and nobody signed: the sweep's document goes to the county unit.
    const sweep = await runSweep(rt.services, new Date(china('2026-11-03T09:30:00')));
    expect(sweep.issued.filter((d) => d.ticketNumber === n.b && d.step !== 'reminder')).toHaveLength(1);
    await say('2026-11-03T10:00:00', 'qingshan', 'li-qs', `/提级 ${n.a}`);
    await say('2026-11-03T11:00:00', 'city', 'dian-city', `/认领 ${n.a}`);
    await say('2026-11-03T15:00:00', 'city', 'dian-city', `/办结 ${n.a} 已接电`);
    await say('2026-11-03T16:00:00', 'qingshan', 'qs-factory-liu', `/评价 ${n.a} 5`);
    // B is lifted a day late and the city does not sign it.
    await say('2026-11-04T10:00:00', 'qingshan', 'li-qs', `/提级 ${n.b}`);

    const tickets = await rt.services.db.selectFrom('tickets').select(['number', 'department_id', 'status']).orderBy('id').execute();
    expect(tickets.map((t) => [t.department_id, t.status])).toEqual([
      ['city-power', 'closed'],
      ['city-power', 'dispatched'],
      ['hx-zhujian', 'dispatched'],
    ]);
    const docs = await rt.services.db.selectFrom('escalation_documents').select(['department_id', 'step']).where('step', '<>', 'reminder').execute();
    expect(docs.map((d) => d.department_id)).toEqual(['qs-power']);

    const expected = {
      // Two tickets it had to sign: A signed in time, B lifted a day after its deadline. Neither is its to resolve.
      'qs-power': { tickets: 0, dispatched: 2, signedOnTime: 1, resolved: 0, onTime: 0, rated: 0, satisfied: 0, reopened: 0, escalations: 1 },
      // Both lifted tickets: A signed within a day of the lift and resolved; B's old county claim-free state is not a signature.
      'city-power': { tickets: 2, dispatched: 2, signedOnTime: 1, resolved: 1, onTime: 1, rated: 1, satisfied: 1, reopened: 0, escalations: 0 },
      // 河西's power company signed C before it was moved: that claim is not 住建局's.
      'hx-zhujian': { tickets: 1, dispatched: 1, signedOnTime: 0, resolved: 0, onTime: 0, rated: 0, satisfied: 0, reopened: 0, escalations: 0 },
    };
    const live = Object.fromEntries((await liveDepartmentCounts(rt.services.db, nov)).map((c) => [c.departmentId, c]));
    expect(live).toEqual(Object.fromEntries(Object.entries(expected).map(([id, c]) => [id, { departmentId: id, awaitingSign: 0, ...c }])));
    expect(await byDept()).toEqual(live);
    // Stored and read back: the same.
    await refreshRollups(rt.services.db, clock.now());
    expect(await byDept()).toEqual(live);
    expect(Number((await rt.services.db.selectFrom('report_dirty_days').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)).toBe(0);

    // The city's ranking of counties: 青山县 answers for the response to both tickets it lifted.
    const regions = Object.fromEntries((await regionRanking(rt.services.db, nov, clock.now(), rt.services.directory.org)).map((r) => [r.departmentId, r]));
    expect(regions.qingshan).toMatchObject({ tickets: 0, responseRate: 0.5, resolutionRate: null, escalations: 1 });
    expect(regions.hexi).toMatchObject({ tickets: 1, responseRate: 0, resolutionRate: 0 });
    // 青山县's own ranking shows its power company's half-late response; the city's shows the resolution.
    const county = templates.ranking('2026-11 月度通报', await regionDepartmentRanking(rt.services.db, nov, clock.now(), rt.services.directory.org, 'qingshan'));
    expect(county).toContain('国网青山县供电公司：0 件｜50%｜—｜—｜—｜督办文书 1');
    const city = templates.ranking('2026-11 月度通报', await regionDepartmentRanking(rt.services.db, nov, clock.now(), rt.services.directory.org, 'beishan'));
    // B reached the city unit on 4 Nov 10:00 and is still within its sign deadline: not late yet, so 1 of 1.
    expect(city).toContain('国网北山供电公司：2 件｜100%｜100%｜50%｜100%');
  });
});
