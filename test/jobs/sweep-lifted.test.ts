import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { runSweep } from '../../src/jobs/sweep';
import { departmentCounts } from '../../src/reports/counts';
import { monthPeriod } from '../../src/reports/queries';
import { describeOnDatabases } from '../helpers/databases';
import { china, startCityRuntime, type CityRuntime } from '../helpers/city';


/**
 * 三单一函 after a 提级办: the documents go to the unit answerable now, for its own deadline. The
 * county power company was reminded and urged for its sign deadline; once it lifts the ticket,
 * the city power company's restarted deadline has its own 提醒单 and 催办单 — each once, with
 * two instances sweeping.
 */
describeOnDatabases('the 三单一函 ladder after a 提级办', (database) => {
  let rt: Runtime;
  let clock: CityRuntime['clock'];
  let say: CityRuntime['say'];
  const sweepAt = async (when: string) => {
    clock.set(china(when));
    return (await runSweep(rt.services, clock.now())).issued.map((d) => d.step);
  };
  const docs = () => rt.services.db.selectFrom('escalation_documents').select(['department_id', 'step', 'phase', 'due_at']).orderBy('id').execute();

  beforeAll(async () => {
    ({ rt, clock, say } = await startCityRuntime(database(), '2026-11-02T09:00:00'));
  });
  afterAll(async () => rt?.close());

  it('issues the city unit its own documents for its own deadline, once', async () => {
    const b = await say('2026-11-02T09:10:00', 'qingshan', 'qs-mill-zhang', '@共治助手 新厂房三相电报装申请交上去两周了，供电所一直没来勘察');
    expect(b).not.toBe('');
    // Nobody at the county signs by Tuesday 09:10.
    expect(await sweepAt('2026-11-03T08:00:00')).toEqual(['reminder']);
    expect(await sweepAt('2026-11-03T09:30:00')).toEqual(['urging']);
    await say('2026-11-03T10:00:00', 'qingshan', 'li-qs', `/提级 ${b}`);
    const lifted = await rt.services.db.selectFrom('tickets').select(['department_id', 'sign_due_at']).executeTakeFirstOrThrow();
    expect(lifted).toEqual({ department_id: 'city-power', sign_due_at: new Date(china('2026-11-04T10:00:00')) });
    // The city's deadline is a day away: nothing yet; then its reminder; then, past it, its 催办单.
    expect(await sweepAt('2026-11-03T10:30:00')).toEqual([]);
    expect(await sweepAt('2026-11-04T08:00:00')).toEqual(['reminder']);
    clock.set(china('2026-11-04T10:30:00'));
    const [x, y] = await Promise.all([runSweep(rt.services, clock.now()), runSweep(rt.services, clock.now())]);
    expect([...x.issued, ...y.issued].map((d) => d.step)).toEqual(['urging']);
    expect(await sweepAt('2026-11-04T11:00:00')).toEqual([]);

    expect((await docs()).map((d) => [d.department_id, d.step, d.phase, d.due_at])).toEqual([
      ['qs-power', 'reminder', 'sign', new Date(china('2026-11-03T09:10:00'))],
      ['qs-power', 'urging', 'sign', new Date(china('2026-11-03T09:10:00'))],
      ['city-power', 'reminder', 'sign', new Date(china('2026-11-04T10:00:00'))],
      ['city-power', 'urging', 'sign', new Date(china('2026-11-04T10:00:00'))],
    ]);
    // The city power company's staff hear of it one-to-one; each unit answers for its own 催办单.
    await rt.services.drainer.drainOnce();
    const toCity = rt.local!.transcript('direct:dian-city', 0).filter((e) => e.from.kind === 'bot' && e.text.includes('催办单'));
    expect(toCity).toHaveLength(1);
    const counts = Object.fromEntries((await departmentCounts(rt.services.db, monthPeriod('2026-11'))).map((c) => [c.departmentId, c.escalations]));
    expect(counts).toMatchObject({ 'qs-power': 1, 'city-power': 1 });
  });
});
