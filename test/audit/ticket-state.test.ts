import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { verifyTicketStates } from '../../src/audit/ticket-state';
import type { DatabaseHandle } from '../../src/db/database';
import type { Updateable } from 'kysely';
import type { TicketsTable } from '../../src/db/schema';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const HOUR = 3_600_000;

describeOnDatabases('audit verify: every ticket row against its event history', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z'); // Monday 10:00 in Beijing
  const numbers: Record<string, string> = {};

  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const send = async (userId: string, text: string) => {
    clock.advance(HOUR);
    return rt.services.pipeline.receive(localMessage(userId, text));
  };
  const open = async (name: string, userId: string, text: string) => {
    const r = await send(userId, text);
    if (r.status !== 'ticket') throw new Error(`${name}: ${r.status}`);
    numbers[name] = r.ticketNumber!;
    return r.ticketNumber!;
  };
  const row = (number: string) => h.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
  /** Rewrites a row directly in the database, as someone with the app's credentials (or more) could. */
  const rewrite = async (number: string, set: Updateable<TicketsTable>) => {
    const before = await row(number);
    const back = Object.fromEntries(Object.keys(set).map((k) => [k, before[k as keyof typeof before]])) as Updateable<TicketsTable>;
    await h.db.updateTable('tickets').set(set).where('number', '=', number).execute();
    return async () => void (await h.db.updateTable('tickets').set(back).where('number', '=', number).execute());
  };

  it('finds every row of a realistic history in agreement with it', async () => {
    // Claimed, reassigned, co-handled, resolved, rated unsatisfied (挂牌督办), resolved again, confirmed, rated 5.
    const a = await open('loop', 'xinghuo-wang', '@共治助手 厂区配电室跳闸，整条线停了，供电所电话没人接');
    await send('lidian', `/认领 ${a}`);
    await send('wangmin', `/转派 ${a} 水务公司 属供水管线`);
    await send('gaoshui', `/协办 ${a} 供电公司`);
    await send('gaoshui', `/认领 ${a}`);
    await send('gaoshui', `/办结 ${a} 已更换受损电缆，恢复供电。`);
    await send('xinghuo-wang', `/评价 ${a} 2 还是经常跳闸`);
    await send('gaoshui', `/办结 ${a} 已加装保护装置`);
    await send('wangmin', `/确认办结 ${a}`);
    await send('xinghuo-wang', `/评价 ${a} 5 这次彻底解决了`);
    // Extended, then closed as invalid and reopened.
    const b = await open('extended', 'qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    await send('lidian', `/认领 ${b}`);
    await send('lidian', `/延期 ${b} 3 需要现场勘查`);
    await send('wangmin', `/批准延期 ${b}`);
    await send('wangmin', `/关闭 ${b} 企业已自行解决`);
    await send('wangmin', `/重办 ${b} 企业反映并未解决`);
    // Claimed and extended: the approved extension states the resolve deadline.
    const due = await open('due', 'qs-jixie-liu', '@共治助手 新厂区的变压器增容申请提交两个月了，供电所一直没有答复');
    await send('lidian', `/认领 ${due}`);
    await send('lidian', `/延期 ${due} 3 需要协调施工单位`);
    await send('wangmin', `/批准延期 ${due}`);
    // Answered from the knowledge base, then a low rating hands it to the department.
    await open('faq', 'lvyuan-chen', '@共治助手 请问食品经营许可证快到期了，延续需要准备哪些材料？');
    await send('lvyuan-chen', `/评价 ${numbers.faq} 2 我们的情况特殊`);
    // Low confidence: 营商办's queue, recategorised (which routes it), returned, dispatched again.
    const c = await open('queued', 'hengtong-zhang', '@共治助手 我们公司有个事情想找人问问，怎么办');
    await send('wangmin', `/改类 ${c} 水电气暖网 求助`);
    await send('lidian', `/退回 ${c} 不属本单位职责`);
    await send('wangmin', `/派单 ${c} 水务公司`);
    // A duplicate merged into another ticket.
    const d = await open('merged', 'qs-mill-zhang', '@共治助手 开发区东区道路积水严重，下雨天货车进不来');
    const e = await open('target', 'xinghuo-wang', '@共治助手 园区北门排水沟堵了，污水漫到路上');
    await send('wangmin', `/合并 ${d} ${e}`);

    expect(await row(a)).toMatchObject({ status: 'closed', department_id: 'water', rating: 5, supervised: true, reopen_count: 1 });
    expect((await row(b)).status).toBe('dispatched');
    expect(await row(numbers.faq!)).toMatchObject({ kb_entry: 'food-licence-renewal', status: 'dispatched' });
    expect(await row(c)).toMatchObject({ category: 'utilities', department_id: 'water', status: 'dispatched' });
    expect((await row(d)).status).toBe('merged');
    expect(await row(due)).toMatchObject({ status: 'claimed', assignee_id: 'lidian' });

    const r = await verifyTicketStates(h.db);
    expect(r.listed).toEqual([]);
    expect(r).toMatchObject({ ok: true, disagreeing: 0, tickets: 7 });
    // A page smaller than the database walks the same tickets and events.
    expect(await verifyTicketStates(h.db, { page: 2 })).toEqual(r);
  });

  it('names the ticket, the field and both values when a row was rewritten', async () => {
    const cases: [string, Updateable<TicketsTable>, { field: string; row: string; history: string }][] = [
      ['loop', { status: 'resolved' }, { field: 'status', row: 'resolved', history: 'closed' }],
      ['queued', { department_id: 'power' }, { field: 'department_id', row: 'power', history: 'water' }],
      ['loop', { closed_at: null }, { field: 'closed_at', row: 'null', history: '' }],
      ['loop', { rating: 3 }, { field: 'rating', row: '3', history: '5' }],
      ['extended', { reopen_count: 0, close_reason: 'invalid' }, { field: 'reopen_count', row: '0', history: '1' }],
      ['faq', { kb_entry: null }, { field: 'kb_entry', row: 'null', history: 'food-licence-renewal' }],
      ['queued', { category: 'other' }, { field: 'category', row: 'other', history: 'utilities' }],
      ['merged', { merged_into_id: null, status: 'closed' }, { field: 'status', row: 'closed', history: 'merged' }],
      ['loop', { supervised: false }, { field: 'supervised', row: 'false', history: 'true' }],
      ['due', { resolve_due_at: new Date('2027-01-01T00:00:00Z') }, { field: 'resolve_due_at', row: '2027-01-01T00:00:00.000Z', history: '' }],
      // Restarted by a /派单 and a /重办, whose events state the deadlines they set.
      ['queued', { sign_due_at: new Date('2027-01-01T00:00:00Z') }, { field: 'sign_due_at', row: '2027-01-01T00:00:00.000Z', history: '' }],
      ['extended', { resolve_due_at: new Date('2027-01-01T00:00:00Z') }, { field: 'resolve_due_at', row: '2027-01-01T00:00:00.000Z', history: '' }],
    ];
    for (const [name, set, expected] of cases) {
      const number = numbers[name]!;
      const before = await row(number);
      const restore = await rewrite(number, set);
      const r = await verifyTicketStates(h.db);
      expect(r.ok, `${name} ${JSON.stringify(set)}`).toBe(false);
      expect(r.disagreeing).toBe(1);
      expect(r.listed[0]!.number).toBe(number);
      const history = expected.history || before[expected.field as 'closed_at' | 'resolve_due_at' | 'sign_due_at']!.toISOString();
      expect(r.listed[0]!.fields).toContainEqual({ ...expected, history });
      await restore();
    }
    expect(await verifyTicketStates(h.db)).toMatchObject({ ok: true });
  });

  it('names a row that has no history at all', async () => {
    const model = await row(numbers.target!);
    const { id: _id, ...rest } = model;
    await h.db.insertInto('tickets').values({ ...rest, number: 'GZ-20261123-9999', seq: 9999, co_department_ids: JSON.stringify(rest.co_department_ids) }).execute();
    const r = await verifyTicketStates(h.db);
    expect(r).toMatchObject({ ok: false, disagreeing: 1 });
    expect(r.listed[0]).toMatchObject({ number: 'GZ-20261123-9999', fields: [{ field: 'status', row: model.status }] });
    await h.db.deleteFrom('tickets').where('number', '=', 'GZ-20261123-9999').execute();
    expect(await verifyTicketStates(h.db)).toMatchObject({ ok: true });
  });
});
