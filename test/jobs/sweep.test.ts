import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { runSweep } from '../../src/jobs/sweep';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const china = (s: string) => new Date(`${s}+08:00`);

describeOnDatabases('deadlines and the 三单一函 ladder', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-02-13T02:00:00Z'); // Friday 13 Feb 2026, 10:00 Beijing, before the Spring Festival
  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const send = (user: string, text: string) => rt.services.pipeline.receive(localMessage(user, text, { receivedAt: clock.now() }));
  const docs = (ticketId: number) => h.db.selectFrom('escalation_documents').selectAll().where('ticket_id', '=', ticketId).orderBy('id').execute();
  const groupPosts = async (marker: string) => {
    await rt.services.drainer.drainOnce();
    return rt.local!.transcript('county', 0).filter((e) => e.from.kind === 'bot' && e.text.includes(marker));
  };
  const sweepAt = async (when: string) => {
    clock.set(china(when).toISOString());
    return runSweep(rt.services, clock.now());
  };
  let ticketId = 0;

  it('gives a ticket received before the Spring Festival due dates on the make-up Saturdays', async () => {
    const r = await send('qs-jixie-liu', '@共治助手 厂区配电房变压器需要增容，申请提交一个月了没有答复');
    if (r.status === 'duplicate') throw new Error('unexpected');
    ticketId = r.ticketId!;
    const t = await h.db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirstOrThrow();
    expect(t.department_id).toBe('power');
    expect(t.sign_due_at).toEqual(china('2026-02-14T10:00:00')); // Saturday, a 调休 working day
    expect(t.resolve_due_at).toEqual(china('2026-02-27T10:00:00')); // Sat 14, Tue 24 … Fri 27 (16–23 Feb off)
  });

  it('issues 提醒单 → 催办单 → 督办单 → 移交函 at the configured points, each once', async () => {
    expect((await sweepAt('2026-02-14T05:59:00')).issued).toEqual([]);
    expect((await sweepAt('2026-02-14T06:00:00')).issued).toMatchObject([{ step: 'reminder', document: 'TX-2026-0001' }]);
    expect((await sweepAt('2026-02-14T07:00:00')).issued).toEqual([]);
    expect((await sweepAt('2026-02-14T10:00:00')).issued).toMatchObject([{ step: 'urging', document: 'CB-2026-0001' }]);
    // 督办单 two working days after the deadline: the Festival (16–23 Feb) does not count.
    expect((await sweepAt('2026-02-24T12:00:00')).issued).toEqual([]);
    expect((await sweepAt('2026-02-25T10:00:00')).issued).toMatchObject([{ step: 'supervision', document: 'DB-2026-0001' }]);
    // 移交函 five working days after: 24, 25, 26, 27 Feb and the make-up Saturday 28 Feb. Two instances sweep at once.
    expect((await sweepAt('2026-02-27T23:00:00')).issued).toEqual([]);
    clock.set(china('2026-02-28T10:00:00').toISOString());
    const [a, b] = await Promise.all([runSweep(rt.services, clock.now()), runSweep(rt.services, clock.now())]);
    expect([...a.issued, ...b.issued]).toMatchObject([{ step: 'transfer', document: 'YJ-2026-0001' }]);
    expect((await sweepAt('2026-03-10T10:00:00')).issued).toEqual([]);

    const d = await docs(ticketId);
    expect(d.map((x) => [x.step, x.phase, x.number])).toEqual([
      ['reminder', 'sign', 'TX-2026-0001'],
      ['urging', 'sign', 'CB-2026-0001'],
      ['supervision', 'sign', 'DB-2026-0001'],
      ['transfer', 'sign', 'YJ-2026-0001'],
    ]);
    for (const [marker] of [['提醒单 TX-2026-0001'], ['催办单 CB-2026-0001'], ['督办单 DB-2026-0001'], ['移交函 YJ-2026-0001']]) {
      expect(await groupPosts(marker!)).toHaveLength(1);
    }
    // One-to-one to the department's staff; the 移交函 also to the supervisor (纪委).
    expect(rt.local!.directTranscript('lidian', 0).filter((e) => e.text.includes('督办单'))).toHaveLength(1);
    expect(rt.local!.directTranscript('jiangjian', 0).filter((e) => e.text.includes('移交函'))).toHaveLength(1);
    const events = await h.db.selectFrom('ticket_events').select('data').where('ticket_id', '=', ticketId).where('kind', '=', 'escalated').execute();
    expect(events.map((e) => e.data.step)).toEqual(['reminder', 'urging', 'supervision', 'transfer']);
  });

  it('starts a new ladder for the resolve deadline once the department signs', async () => {
    clock.set(china('2026-03-10T11:00:00').toISOString());
    const t = await h.db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirstOrThrow();
    await send('lidian', `/认领 ${t.number}`);
    // Resolve deadline (27 Feb) long past: the step that fits now is issued, not a burst of stale ones.
    const r = await sweepAt('2026-03-10T11:30:00');
    expect(r.issued).toMatchObject([{ step: 'transfer', document: 'YJ-2026-0002' }]);
    expect((await docs(ticketId)).filter((d) => d.phase === 'resolve')).toHaveLength(1);
  });

  it('stops the clock while the department waits for the enterprise, and moves the deadlines by the pause, capped', async () => {
    clock.set(china('2026-11-16T10:00:00').toISOString()); // Monday
    const r = await send('xinghuo-wang', '@共治助手 我们申请的变压器增容方案一直没批复，影响新生产线投产');
    if (r.status === 'duplicate') throw new Error('unexpected');
    const before = await h.db.selectFrom('tickets').selectAll().where('id', '=', r.ticketId!).executeTakeFirstOrThrow();
    await send('lidian', `/认领 ${before.number}`);
    clock.set(china('2026-11-17T10:00:00').toISOString());
    await send('lidian', `/补充 ${before.number} 请提供新生产线的用电负荷清单`);
    expect(await groupPosts('【请补充材料】')).toHaveLength(1);
    // Well past the resolve deadline (23 Nov 10:00): no ladder while paused.
    expect((await sweepAt('2026-11-24T10:00:00')).issued.filter((d) => d.ticketNumber === before.number)).toEqual([]);
    clock.set(china('2026-11-24T10:00:00').toISOString());
    await send('lvyuan-chen', `/补充 ${before.number} 我们也有同样的情况`);
    expect(await groupPosts('只有提出诉求的企业才能补充说明')).toHaveLength(1);
    await send('xinghuo-wang', `/补充 ${before.number} 负荷清单已发到供电所邮箱`);
    const after = await h.db.selectFrom('tickets').selectAll().where('id', '=', before.id).executeTakeFirstOrThrow();
    expect(after.paused_at).toBeNull();
    // Paused five working days (17 → 24 Nov), but a department's own pause counts for at most
    // sla.maxPauseWorkdays (3): the deadline moves from Monday 23 to Thursday 26 November.
    expect(after.resolve_due_at).toEqual(china('2026-11-26T10:00:00'));
    const kinds = (await h.db.selectFrom('ticket_events').select('kind').where('ticket_id', '=', before.id).orderBy('id').execute()).map((e) => e.kind);
    expect(kinds).toEqual(['received', 'dispatched', 'claimed', 'info_requested', 'info_supplied']);
  });

  it('archives a resolved ticket as 未评价 after 3 working days without a rating — not as satisfied', async () => {
    clock.set(china('2026-11-23T10:00:00').toISOString()); // Monday
    const r = await send('lvyuan-chen', '@共治助手 食品经营许可证延续申请一直显示待受理');
    if (r.status === 'duplicate') throw new Error('unexpected');
    const t = await h.db.selectFrom('tickets').selectAll().where('id', '=', r.ticketId!).executeTakeFirstOrThrow();
    await send('chenjing', `/办结 ${t.number} 已受理并办结`);
    expect((await sweepAt('2026-11-26T09:59:00')).closedNoAnswer).toEqual([]);
    expect((await sweepAt('2026-11-26T10:00:00')).closedNoAnswer).toEqual([t.number]);
    expect(await h.db.selectFrom('tickets').selectAll().where('id', '=', t.id).executeTakeFirstOrThrow()).toMatchObject({ status: 'closed', close_reason: 'no_answer', rating: null });
    expect(await groupPosts(`${t.number} 办结后超过评价期限未评价`)).toHaveLength(1);
  });
});
