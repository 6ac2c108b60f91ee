import ExcelJS from 'exceljs';
import { beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { runScheduledWork } from '../../src/jobs/digests';
import { refreshTopics } from '../../src/jobs/topics';
import { jointDeps, promoteTopic, resolveJointCase } from '../../src/pipeline/joint-cases';
import { createApiToken } from '../../src/repo/api-tokens';
import { listTopicSummaries } from '../../src/repo/topics';
import { describeOnDatabases } from '../helpers/databases';
import { FLOODED_ROAD, useJointCaseRuntime } from '../helpers/joint-case';
import { createTestClock } from '../helpers/runtime';

// Issue #20: "a scenario test promotes a topic of 4 reports from 3 groups to a joint case,
// resolves it and sees each enterprise notified and able to rate", and "Topics and joint cases
// appear in the monthly 通报 and the ledger" — read here from what is produced: the 通报 as posted
// in each group, the ledger as the xlsx file the API hands out.

const china = (s: string) => new Date(`${s}+08:00`).toISOString();

describeOnDatabases('面上问题 → 协同办 → resolved, rated, and in the monthly 通报 and the 台账', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock(china('2026-11-23T10:00:00'));

  const j = useJointCaseRuntime(database, clock);
  const { say, botIn } = j;
  beforeAll(() => void ({ h, rt } = j));

  // One flooded road, four enterprises, three groups; and a second road's flooding from three others.
  const FLOOD = FLOODED_ROAD;
  const EAST: Array<[string, string, string]> = [
    ['ent-x', 'county', '@共治助手 东环路一到下雨天就淹，车进不了厂'],
    ['ent-y', 'park', '@共治助手 东环路的雨水井堵死了，水漫到我们仓库门口'],
    ['ent-z', 'county', '@共治助手 东环路这边排水沟不通，下大雨积水半米深'],
  ];

  it('promotes the 4-report topic, tells and resolves each in its own group, each rates; the 通报 and the ledger file list the topics and the case', async () => {
    const numbers: string[] = [];
    for (const [u, g, t] of [...FLOOD, ...EAST]) {
      const r = await say(u, g, t);
      expect(r.status).toBe('ticket');
      numbers.push(r.status === 'ticket' ? r.ticketNumber! : '');
    }
    const flood = numbers.slice(0, 4);
    const east = numbers.slice(4);
    await refreshTopics(rt.services, clock.now());
    const topics = await listTopicSummaries(h.db, { statuses: ['candidate'] });
    const wei = topics.find((t) => t.tickets === 4)!;
    const dong = topics.find((t) => t.tickets === 3)!;
    expect(wei).toMatchObject({ enterprises: 4, groups: expect.arrayContaining(['青山县营商环境共商共治群', '青山经济开发区企业服务群', '青山东区企业服务群']) });
    expect(wei.groups).toHaveLength(3);
    expect(dong).toBeDefined();

    const deps = jointDeps(rt.services);
    const promoted = await promoteTopic(deps, { topicId: wei.id, staffId: 'wangmin', leadDepartmentId: 'zhujian', coDepartmentIds: ['water'], dueAt: new Date(china('2026-12-04T18:00:00')) });
    expect(promoted).toMatchObject({ ok: true, number: 'XT-2026-0001' });
    await rt.services.drainer.drainOnce();
    const groupOf = FLOOD.map(([, g]) => g);
    // Each enterprise hears in its own group, with its own ticket's number — and no other group hears of it.
    flood.forEach((n, i) => {
      expect(botIn(groupOf[i]!).some((m) => m.includes('协同办 XT-2026-0001') && m.includes(n))).toBe(true);
      for (const g of ['county', 'park', 'zone'].filter((x) => x !== groupOf[i])) expect(botIn(g).join('\n')).not.toContain(n);
    });

    clock.advance(86_400_000);
    const kase = await h.db.selectFrom('joint_cases').select('id').executeTakeFirstOrThrow();
    expect(await resolveJointCase(deps, { caseId: kase.id, staffId: 'liuyang', result: '排水管网已疏通扩容，积水点已消除' })).toMatchObject({ ok: true });
    await rt.services.drainer.drainOnce();
    flood.forEach((n, i) => expect(botIn(groupOf[i]!).some((m) => m.includes('XT-2026-0001 已办结') && m.includes(n))).toBe(true));

    // Each rates its own ticket in its own group; another enterprise cannot rate it for them.
    expect((await say('ent-b', 'park', `/评价 ${flood[0]} 1`)).status).not.toBe('ticket');
    const scores = [5, 4, 4, 3];
    for (const [i, [u, g]] of FLOOD.entries()) await say(u, g, `/评价 ${flood[i]} ${scores[i]}`);
    const rated = await h.db.selectFrom('tickets').select(['number', 'rating', 'status']).where('number', 'in', flood).orderBy('id').execute();
    expect(rated.map((t) => t.rating)).toEqual(scores);
    expect(rated.every((t) => t.status === 'closed')).toBe(true);

    // 1 December: November's 通报 in each group lists the case and the other topic — by category and counts, no enterprise's words.
    clock.set(china('2026-12-01T09:30:00'));
    await runScheduledWork(rt.services, clock.now());
    await rt.services.drainer.drainOnce();
    for (const g of ['county', 'park', 'zone']) {
      const section = botIn(g).find((m) => m.startsWith('【会商会办】'));
      expect(section, g).toBeDefined();
      expect(section).toMatch(/协同办 XT-2026-0001：.*类｜县住房和城乡建设局牵头，县自来水公司协办｜4 家企业 4 件｜已办结 2026-11-2\d｜评价 4\/4，满意 4/);
      expect(section).toMatch(/面上问题：.*类｜3 家企业 3 件｜2 个群｜承办：/);
      for (const word of ['纬三路', '东环路', '积水', '排水']) expect(section).not.toContain(word);
    }

    // The 台账 for November, as the API hands it out: 面上问题, then 协同办, then the audit checkpoints.
    const token = await createApiToken(h.db, 'wangmin', 'test', clock.now());
    const file = await rt.app.request('http://localhost/api/v1/ledger?month=2026-11&format=xlsx', { headers: { authorization: `Bearer ${token}` } });
    expect(file.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await file.arrayBuffer()) as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows: string[][] = [];
    ws.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => (v instanceof Date ? v.toISOString() : String(v ?? '')))));
    const at = (first: string) => rows.findIndex((r) => r[0] === first);
    const topicsAt = at('面上问题 (topics)');
    const casesAt = at('协同办 (joint cases)');
    expect(topicsAt).toBeGreaterThan(7); // after the 7 tickets
    expect(casesAt).toBeGreaterThan(topicsAt);
    expect(rows.findIndex((r) => r[0]?.startsWith('审计检查点'))).toBeGreaterThan(casesAt);
    const weiRow = rows.find((r) => r[0] === `#${wei.id}`)!;
    expect(weiRow[3]).toBe('已提级协同办 XT-2026-0001');
    expect(weiRow.slice(4, 6)).toEqual(['4', '4']);
    for (const n of flood) expect(weiRow[8]).toContain(n);
    const dongRow = rows.find((r) => r[0] === `#${dong.id}`)!;
    expect(dongRow[3]).toBe('候选');
    for (const n of east) expect(dongRow[8]).toContain(n);
    const caseRow = rows.find((r) => r[0] === 'XT-2026-0001')!;
    expect(caseRow.slice(1, 5)).toEqual([wei.title, '县住房和城乡建设局', '县自来水公司', '已办结']);
    expect(caseRow[7]).toBe('排水管网已疏通扩容，积水点已消除');
    for (const n of flood) expect(caseRow[8]).toContain(n);
  });
});
