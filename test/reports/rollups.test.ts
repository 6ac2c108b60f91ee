import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { loadConfigFile } from '../../src/config/load';
import { chinaMidnight } from '../../src/domain/china-time';
import { runSweep } from '../../src/jobs/sweep';
import { departmentCounts, liveDepartmentCounts, refreshRollups, type Period } from '../../src/reports/counts';
import { monthPeriod } from '../../src/reports/queries';
import { describeOnDatabases } from '../helpers/databases';
import { rng } from '../helpers/rng';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;

const REPORTS = [
  '我们厂新建的厂房申请用电报装一个月了还没接通', '变压器增容申请提交两个月了一直没批下来', '园区路灯坏了半年了没人修',
  '宽带经常断网，报修三次没人来', '施工许可证办了三个月还没下来，材料补了好几次', '企业开办登记在网上提交后一直显示审核中',
  '厂区门口的道路被挖开两个月没有回填', '自来水管道爆裂，厂里停水两天了', '消防验收预约排不上号，耽误开业',
  '增值税留抵退税申请提交一个多月没有到账', '政府采购项目的货款拖欠半年未付', '市场监管部门重复检查，一个月来了四次',
  '天然气接入费用收得太高，没有收费依据', '员工社保转移手续跑了好几趟还没办好', '环评批复等了很久，项目没法开工',
  '不动产登记证书申请后迟迟拿不到', '园区内污水管网堵塞，雨天倒灌进车间', '工程款被总包方拖欠，多次催要无果',
  '营业执照变更经营范围被要求重复提交材料', '厂房屋顶光伏并网申请半年没有答复', '物流车辆进城通行证办理太难',
  '供暖管道老化，冬天车间温度上不去', '申请的稳岗补贴一直没有发放', '食品经营许可证延续办理要求现场核查三次',
  '办理排污许可证的网上系统经常登录不上', '项目用地规划调整申请递交后没有下文', '停车场收费标准不公示，乱收费',
  '新厂房三相电报装申请交上去两周了，供电所一直没来勘察',
];
const COUNTY = {
  qingshan: { dispatcher: 'wang-qs', departments: ['青山县住房和城乡建设局', '国网青山县供电公司', '青山县市场监督管理局', '青山县政务服务管理局'] },
  hexi: { dispatcher: 'zhao-hx', departments: ['河西县住房和城乡建设局', '国网河西县供电公司', '河西县市场监督管理局', '河西县政务服务管理局'] },
} as const;

/**
 * The stored day counts (report_day_counts) against counting every ticket, on a generated
 * October and November of two counties driven through the pipeline: tickets signed late or
 * never (overdue, with the sweep's documents), lifted to the city (提级办), reassigned, rated
 * low and reopened, reopened by the 营商办 weeks later. Checked after every step, before and
 * after each refresh, for whole months, a week, a region's departments and a mid-day period.
 */
describeOnDatabases('ranking counts stored per day equal the live count', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-10-05T01:00:00Z');
  const random = rng(21);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const periods: Period[] = [
    monthPeriod('2026-10'),
    monthPeriod('2026-11'),
    { from: chinaMidnight('2026-11-09'), to: chinaMidnight('2026-11-16') },
    // Not whole days: always counted live, and must agree all the same.
    { from: new Date('2026-10-20T05:00:00Z'), to: new Date('2026-11-03T05:00:00Z') },
  ];
  let checks = 0;

  const compare = async () => {
    const org = rt.services.directory.org;
    for (const p of periods) {
      expect(await departmentCounts(rt.services.db, p)).toEqual(await liveDepartmentCounts(rt.services.db, p));
      const qingshan = org.departmentsIn(org.subtree('qingshan'));
      expect(await departmentCounts(rt.services.db, p, { departmentIds: qingshan })).toEqual(await liveDepartmentCounts(rt.services.db, p, { departmentIds: qingshan }));
      checks++;
    }
  };
  const say = async (group: string, user: string, text: string) => rt.services.pipeline.receive(localMessage(user, text, { chatId: group, chatTitle: group }));

  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(CITY) });
  });
  afterAll(async () => rt?.close());

  it('agrees through lifts, reassignments, reopenings, overdue tickets and refreshes', async () => {
    type Open = { number: string; group: keyof typeof COUNTY; user: string };
    const tickets: Open[] = [];
    let reports = 0;
    // Eight weeks, weekdays only; each day a report or two, then actions on the tickets so far.
    for (let day = 0; day < 56; day++) {
      const date = new Date(Date.parse('2026-10-05T00:00:00Z') + day * 86_400_000);
      if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
      clock.set(new Date(date.getTime() + 1 * 3_600_000).toISOString()); // 09:00 in Beijing
      if (reports < REPORTS.length) {
        for (let k = 0; k < 1 + Math.floor(random() * 2) && reports < REPORTS.length; k++) {
          const group = pick(['qingshan', 'hexi'] as const);
          const user = `${group}-ent-${reports}`;
          const r = await say(group, user, `@共治助手 ${REPORTS[reports++]}`);
          if (r.status !== 'duplicate' && r.ticketNumber) tickets.push({ number: r.ticketNumber, group, user });
        }
      }
      for (const t of tickets) {
        if (random() > 0.35) continue;
        clock.advance(20 * 60_000);
        const row = await rt.services.db.selectFrom('tickets').select(['status', 'department_id']).where('number', '=', t.number).executeTakeFirstOrThrow();
        const { dispatcher, departments } = COUNTY[t.group];
        const roll = random();
        if (row.status === 'received') await say(t.group, dispatcher, `/派单 ${t.number} ${pick(departments)}`);
        else if (row.status === 'dispatched' && roll < 0.2) await say('city', 'sun-city', `/提级 ${t.number}`);
        else if (row.status === 'dispatched' && roll < 0.35) await say(t.group, dispatcher, `/转派 ${t.number} ${pick(departments)} 属地`);
        else if (row.status === 'dispatched' && roll < 0.8) await say('city', 'sun-city', `/认领 ${t.number}`);
        else if (row.status === 'claimed' && roll < 0.15) await say('city', 'sun-city', `/提级 ${t.number}`);
        else if (row.status === 'claimed' && roll < 0.8) await say('city', 'sun-city', `/办结 ${t.number} 已处理`);
        else if (row.status === 'resolved') await say(t.group, t.user, `/评价 ${t.number} ${roll < 0.35 ? 2 : 4}`);
        else if (row.status === 'closed' && roll < 0.3) await say('city', 'sun-city', `/重办 ${t.number} 企业反映仍未解决`);
        else if (row.status === 'awaiting_confirmation') await say('city', 'sun-city', `/确认办结 ${t.number}`);
      }
      // The 09:30 sweep: documents for whatever is late (some on October's tickets in November).
      clock.advance(30 * 60_000);
      await runSweep(rt.services, clock.now());
      await compare();
      // Refresh on some days only, so the comparisons see stored, partly dirty and wholly dirty months.
      if (random() < 0.4) await refreshRollups(rt.services.db, clock.now(), 1 + Math.floor(random() * 20));
      await compare();
    }
    // Everything stored: no day is counted live, and the store alone still gives the live figures.
    while ((await refreshRollups(rt.services.db, clock.now(), 10)).remaining > 0);
    const dirty = await rt.services.db.selectFrom('report_dirty_days').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(dirty.n)).toBe(0);
    await compare();
    for (const month of ['2026-10', '2026-11']) {
      const p = monthPeriod(month);
      const stored = await sql<{ department_id: string; tickets: number; escalations: number; dispatched: number }>`
        select department_id, sum(tickets)::int as tickets, sum(dispatched)::int as dispatched, sum(escalations)::int as escalations from report_day_counts
        where day >= ${month + '-01'}::date and day < ${month === '2026-10' ? '2026-11-01' : '2026-12-01'}::date group by 1 order by 1`.execute(rt.services.db);
      const live = await liveDepartmentCounts(rt.services.db, p);
      expect(stored.rows).toEqual(live.map((c) => ({ department_id: c.departmentId, tickets: c.tickets, dispatched: c.dispatched, escalations: c.escalations })));
    }

    // The data set has what the comparison is about.
    const db = rt.services.db;
    const count = async (q: Promise<{ n: number | string }>) => Number((await q).n);
    const lifted = await count(db.selectFrom('ticket_handovers').select((eb) => eb.fn.countAll<number>().as('n')).where('lifted', '=', true).executeTakeFirstOrThrow());
    const reassigned = await count(db.selectFrom('ticket_handovers').select((eb) => eb.fn.countAll<number>().as('n')).where('lifted', '=', false).executeTakeFirstOrThrow());
    const reopened = await count(db.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('reopen_count', '>', 0).executeTakeFirstOrThrow());
    const documents = await count(db.selectFrom('escalation_documents').select((eb) => eb.fn.countAll<number>().as('n')).where('step', '<>', 'reminder').executeTakeFirstOrThrow());
    const lateLifts = await count(
      db.selectFrom('ticket_handovers').select((eb) => eb.fn.countAll<number>().as('n')).where('lifted', '=', true).whereRef('handed_at', '>', 'from_sign_due_at').where('from_claimed_at', 'is', null).executeTakeFirstOrThrow(),
    );
    expect({ lifted: lifted >= 3, lateLifts: lateLifts >= 1, reassigned: reassigned >= 3, reopened: reopened >= 2, documents: documents >= 5 }).toEqual({ lifted: true, lateLifts: true, reassigned: true, reopened: true, documents: true });
    expect(checks).toBeGreaterThan(300);

    // A ticket of 5 October reopened now changes October's stored figures at once, before any refresh.
    const october = await db.selectFrom('tickets').select(['number', 'status']).where('received_at', '<', chinaMidnight('2026-10-08')).where('status', '=', 'closed').orderBy('id').executeTakeFirst();
    if (october) {
      const before = await departmentCounts(db, monthPeriod('2026-10'));
      const r = await say('city', 'sun-city', `/重办 ${october.number} 企业再次反映`);
      expect(r.status).not.toBe('duplicate');
      const after = await departmentCounts(db, monthPeriod('2026-10'));
      expect(after).not.toEqual(before);
      expect(after).toEqual(await liveDepartmentCounts(db, monthPeriod('2026-10')));
    }
  }, 240_000);
});
