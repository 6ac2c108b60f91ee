import { chainPending } from '../../src/audit/chainer';
import { verifyChain } from '../../src/audit/chain';
import { beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { refreshTopics, runTopicJobs } from '../../src/jobs/topics';
import { jointCaseSummaries, jointDeps, promoteTopic, resolveJointCase } from '../../src/pipeline/joint-cases';
import { listTopicSummaries, topicMembers } from '../../src/repo/topics';
import { ledgerFile } from '../../src/reports/ledger-file';
import { describeOnDatabases } from '../helpers/databases';
import { FLOODED_ROAD, useJointCaseRuntime } from '../helpers/joint-case';
import { createTestClock } from '../helpers/runtime';

describeOnDatabases('协同办: a shared problem from several groups handled as one joint case', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  const j = useJointCaseRuntime(database, clock);
  const { say, botIn, botTo } = j;
  beforeAll(() => void ({ h, rt } = j));

  // Four enterprises in three groups, and a fifth one-to-one, about one flooded road in their own words.
  const REPORTS: ReadonlyArray<readonly [string, string, string]> = [
    ...FLOODED_ROAD,
    ['ent-e', 'direct', '纬三路的排水有问题，每次下雨都积水，我们厂门口进不去车，联系电话13812345678'],
  ];

  it('finds the topic, promotes it with one lead, co-handlers and one deadline, tells every enterprise where it reported, resolves all and lets each rate its own', async () => {
    const numbers: string[] = [];
    for (const [user, chat, text] of REPORTS) {
      const r = await say(user, chat, text);
      expect(r.status).toBe('ticket');
      if (r.status !== 'ticket') return;
      numbers.push(r.ticketNumber!);
    }
    const rows = await h.db.selectFrom('tickets').selectAll().where('number', 'in', numbers).orderBy('id').execute();
    expect(rows.map((t) => t.is_private)).toEqual([false, false, false, false, true]);
    expect(new Set(rows.map((t) => t.group_id)).size).toBe(4); // county, park, zone and none (one-to-one)

    const refreshed = await refreshTopics(rt.services, clock.now());
    expect(refreshed.skipped).toBe(false);
    // Nothing changed: the next refresh does no work.
    expect((await refreshTopics(rt.services, clock.now())).skipped).toBe(true);
    const [topic] = await listTopicSummaries(h.db, { statuses: ['candidate'] });
    expect(topic).toBeDefined();
    const members = await topicMembers(h.db, topic!.id);
    expect(members.map((m) => m.number).sort()).toEqual([...numbers].sort());
    expect(topic!.enterprises).toBe(5);
    expect(topic!.samples.join('')).not.toContain('13812345678');

    // Monday (23 Nov): the top candidates go one-to-one to 营商办, once.
    expect((await runTopicJobs(rt.services, clock.now())).weekly).toBe(true);
    expect((await runTopicJobs(rt.services, clock.now())).weekly).toBe(false);
    await rt.services.drainer.drainOnce();
    const weekly = botTo('wangmin').filter((m) => m.startsWith('【面上问题周报】'));
    expect(weekly).toHaveLength(1);
    expect(weekly[0]).toContain('5 家企业 5 件');
    expect(weekly[0]).toMatch(/群：.*青山县营商环境共商共治群/);
    expect(weekly[0]).not.toContain('13812345678');

    const due = new Date('2026-12-04T10:00:00Z');
    const deps = jointDeps(rt.services);
    const refused = await promoteTopic(deps, { topicId: topic!.id, staffId: 'liuyang', leadDepartmentId: 'zhujian', coDepartmentIds: ['water'], dueAt: due });
    expect(refused.ok).toBe(false);
    const promoted = await promoteTopic(deps, { topicId: topic!.id, staffId: 'wangmin', leadDepartmentId: 'zhujian', coDepartmentIds: ['water', 'chengguan'], dueAt: due });
    expect(promoted.ok).toBe(true);
    expect(promoted.number).toBe('XT-2026-0001');
    await rt.services.drainer.drainOnce();

    const after = await h.db.selectFrom('tickets').selectAll().where('number', 'in', numbers).orderBy('id').execute();
    for (const t of after) {
      expect(t.department_id).toBe('zhujian');
      expect(t.co_department_ids).toEqual(expect.arrayContaining(['water', 'chengguan']));
      expect(t.resolve_due_at?.toISOString()).toBe(due.toISOString());
      const events = await h.db.selectFrom('ticket_events').select(['id', 'kind', 'data']).where('ticket_id', '=', t.id).orderBy('id').execute();
      expect(events.some((e) => e.kind === 'note' && (e.data as { jointCase?: string }).jointCase === 'XT-2026-0001')).toBe(true);
      // Written outside a message's transaction, the case's events join the audit chain when the chainer runs.
      await chainPending(h.db);
      expect(await verifyChain(h.db)).toMatchObject({ ok: true, pending: 0 });
    }
    // Each public report hears of the case in its own group, the private one only one-to-one.
    for (const [i, chat] of (['county', 'park', 'zone', 'zone'] as const).entries()) {
      expect(botIn(chat).some((m) => m.includes('协同办 XT-2026-0001') && m.includes(numbers[i]!))).toBe(true);
    }
    expect(botTo('ent-e').some((m) => m.includes('协同办 XT-2026-0001') && m.includes(numbers[4]!))).toBe(true);
    for (const chat of ['county', 'park', 'zone']) expect(botIn(chat).join('\n')).not.toContain(numbers[4]!);
    // The lead department hears one-to-one.
    expect(botTo('liuyang').some((m) => m.includes('XT-2026-0001') && m.includes('住房和城乡建设局牵头'))).toBe(true);

    const kase = await h.db.selectFrom('joint_cases').selectAll().where('number', '=', 'XT-2026-0001').executeTakeFirstOrThrow();
    expect((await resolveJointCase(deps, { caseId: kase.id, staffId: 'gaoshui', result: '已疏通' })).ok).toBe(false); // a co-handler does not close it
    const done = await resolveJointCase(deps, { caseId: kase.id, staffId: 'liuyang', result: '纬三路排水管网已疏通并扩容，积水点已消除' });
    expect(done.ok).toBe(true);
    await rt.services.drainer.drainOnce();
    const resolved = await h.db.selectFrom('tickets').selectAll().where('number', 'in', numbers).orderBy('id').execute();
    expect(resolved.map((t) => t.status)).toEqual(['resolved', 'resolved', 'resolved', 'resolved', 'resolved']);
    expect(new Set(resolved.map((t) => t.resolution))).toEqual(new Set(['纬三路排水管网已疏通并扩容，积水点已消除']));
    for (const [i, chat] of (['county', 'park', 'zone', 'zone'] as const).entries()) {
      expect(botIn(chat).some((m) => m.includes('XT-2026-0001 已办结') && m.includes(numbers[i]!))).toBe(true);
    }
    expect(botTo('ent-e').some((m) => m.includes('XT-2026-0001 已办结'))).toBe(true);

    // Each enterprise rates its own ticket, in its own chat.
    const scores = [5, 4, 5, 3, 2];
    for (const [i, [user, chat]] of REPORTS.entries()) await say(user, chat, `/评价 ${resolved[i]!.number} ${scores[i]}`);
    const rated = await h.db.selectFrom('tickets').select(['rating', 'status']).where('number', 'in', numbers).orderBy('id').execute();
    expect(rated.map((t) => t.rating)).toEqual(scores);
    // 2 points: back to the lead department under supervision, like any ticket.
    expect(rated.map((t) => t.status)).toEqual(['closed', 'closed', 'closed', 'closed', 'dispatched']);
    const [summary] = await jointCaseSummaries(h.db, null, (id) => rt.services.directory.departmentName(id) ?? id);
    expect(summary).toMatchObject({ number: 'XT-2026-0001', status: 'resolved', tickets: 5, enterprises: 5, rated: 5, satisfied: 4 });
    // The month's 台账 lists the case with its member tickets, before the audit checkpoints.
    const csv = String((await ledgerFile(h.db, '2026-11', 'csv')).body);
    const caseLine = csv.split('\n').find((l) => l.startsWith('XT-2026-0001'))!;
    for (const n of numbers) expect(caseLine).toContain(n);
    expect(csv.indexOf('协同办 (joint cases)')).toBeLessThan(csv.indexOf('审计检查点'));
  });
});
