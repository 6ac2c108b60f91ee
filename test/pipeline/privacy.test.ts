import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

describeOnDatabases('private reports stay private', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const send = (userId: string, text: string, extra = {}) => rt.services.pipeline.receive(localMessage(userId, text, extra));
  const dm = (userId: string, text: string) => send(userId, text, { chatType: 'direct', chatId: userId, chatTitle: undefined });
  const groupBot = async () => {
    await rt.services.drainer.drainOnce();
    return rt.local!.transcript('county', 0).filter((e) => e.from.kind === 'bot').map((e) => e.text);
  };
  const direct = async (userId: string) => {
    await rt.services.drainer.drainOnce();
    return rt.local!.directTranscript(userId, 0).filter((e) => e.from.kind === 'bot').map((e) => e.text);
  };
  const PRIVATE = '我们公司的出口退税申请三个月了还没有到账，联系人身份证330102199001011234';

  it('refuses /附议 and /进度 on another enterprise’s private ticket exactly like a missing one, and lists never show it', async () => {
    const r = await dm('newcomer-sun', PRIVATE);
    if (r.status === 'duplicate') throw new Error('unexpected');
    const t = await h.db.selectFrom('tickets').selectAll().where('id', '=', r.ticketId!).executeTakeFirstOrThrow();
    expect(t.is_private).toBe(true);
    await send('lvyuan-chen', `/附议 ${t.number}`);
    const missing = (await groupBot()).at(-1)!;
    expect(missing).toBe(`没有找到工单 ${t.number}，请核对工单号（可发送 /我的 或 /待办 查看）。`);
    await send('lvyuan-chen', '/附议 GZ-20261123-9999');
    expect((await groupBot()).at(-1)).toBe(missing.replace(t.number, 'GZ-20261123-9999'));
    expect(await h.db.selectFrom('ticket_supporters').selectAll().where('ticket_id', '=', t.id).execute()).toHaveLength(0);
    await send('lvyuan-chen', `/进度 ${t.number}`);
    expect((await groupBot()).at(-1)).toBe(missing);
    await send('lvyuan-chen', '/我的');
    const all = (await groupBot()).join('\n') + (await direct('lvyuan-chen')).join('\n');
    expect(all).not.toContain('出口退税');
  });

  it('answers staff one-to-one when they act on a private ticket from a group', async () => {
    const r = await dm('newcomer-zhou', '我们厂的出口退税申请两个月没有进展，税务专管员一直说系统有问题');
    if (r.status === 'duplicate') throw new Error('unexpected');
    const before = (await groupBot()).length;
    await send('wangmin', `/进度 ${r.ticketNumber}`);
    const said = (await groupBot()).slice(before);
    expect(said).toEqual(['回复已私信发给您。']);
    expect((await direct('wangmin')).join('\n')).toContain(r.ticketNumber!);
  });

  it('answers /待办 and /我的 asked in a group one-to-one, co-handled tickets included', async () => {
    const r = await send('qs-jixie-liu', '@共治助手 厂区配电室跳闸，整条线停了，供电所电话没人接');
    if (r.status === 'duplicate') throw new Error('unexpected');
    await send('wangmin', `/协办 ${r.ticketNumber} 自来水公司`);
    const before = (await groupBot()).length;
    await send('gaoshui', '/待办');
    const inGroup = (await groupBot()).slice(before);
    expect(inGroup.join('\n')).not.toContain(r.ticketNumber!);
    expect(inGroup.join('\n')).not.toContain('出口退税');
    expect((await direct('gaoshui')).at(-1)).toContain(r.ticketNumber!);
    await send('wangmin', '/待办');
    expect((await groupBot()).join('\n')).not.toContain('出口退税');
    expect((await direct('wangmin')).at(-1)).toContain('全部未办结工单');
  });

  it('never attaches a report to another enterprise’s similar private ticket', async () => {
    const { getGroup } = await import('../../src/repo/directory');
    const county = (await getGroup(h.db, 'county'))!;
    const text = '开发区东区道路积水严重，下雨天货车进不来';
    const hidden = await rt.services.pipeline.submitReport({ submissionId: 'dup-private', group: county, enterprise: '青山绿源食品有限公司', contact: '陈女士', phone: '13900002222', text, location: null, photos: [], publicNotice: false });
    if (hidden.status === 'duplicate') throw new Error('unexpected');
    const r = await send('hengtong-zhang', '@共治助手 开发区东区道路积水很严重，下雨天货车都进不来');
    if (r.status !== 'ticket') throw new Error(`expected a new ticket, got ${r.status}`);
    expect(r.ticketNumber).not.toBe(hidden.number);
    expect(await h.db.selectFrom('ticket_supporters').selectAll().where('ticket_id', '=', (await h.db.selectFrom('tickets').select('id').where('number', '=', hidden.number).executeTakeFirstOrThrow()).id).execute()).toHaveLength(0);
  });

  it('caps a department’s /补充 pause: once, never overdue, else 营商办 approves', async () => {
    const r = await send('qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    if (r.status === 'duplicate') throw new Error('unexpected');
    const row = () => h.db.selectFrom('tickets').selectAll().where('id', '=', r.ticketId!).executeTakeFirstOrThrow();
    const due = (await row()).sign_due_at!;
    await send('lidian', `/补充 ${r.ticketNumber} 请提供报装受理单`);
    const paused = await row();
    expect(paused.paused_at).toBeNull();
    expect(paused.sign_due_at!.getTime()).toBeGreaterThan(due.getTime());
    clock.advance(3600_000);
    await send('qs-jixie-liu', `/补充 ${r.ticketNumber} 受理单号 2026-118`);
    const resumed = await row();
    expect(resumed.sign_due_at!.getTime() - due.getTime()).toBe(3600_000);
    await send('lidian', `/补充 ${r.ticketNumber} 还需要施工图`);
    expect((await groupBot()).join('\n')).toContain('本工单已暂停过一次');
    expect((await row()).sign_due_at).toEqual(resumed.sign_due_at);
    await send('wangmin', `/批准暂停 ${r.ticketNumber}`);
    expect((await row()).paused_at).not.toBeNull();
    const kinds = (await h.db.selectFrom('ticket_events').select(['kind', 'data']).where('ticket_id', '=', r.ticketId!).orderBy('id').execute()).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'info_requested')).toHaveLength(2);
  });

  it('keeps a report-page phone out of platform ids and never joins two submissions by it', async () => {
    const g = (await h.db.selectFrom('groups').selectAll().where('id', '=', 'county').executeTakeFirstOrThrow());
    const { getGroup } = await import('../../src/repo/directory');
    const county = (await getGroup(h.db, g.id))!;
    const base = { group: county, phone: '13800138000', text: '园区东门外的路灯坏了两个月，晚上货车进出很危险', location: null, photos: [], publicNotice: true };
    await rt.services.pipeline.submitReport({ ...base, submissionId: 'a', enterprise: '青山精密机械有限公司', contact: '刘建国' });
    await rt.services.pipeline.submitReport({ ...base, submissionId: 'b', enterprise: '冒名公司', contact: '冒名者', text: '开发区的土地出让金返还申请半年了一直没有结果' });
    // An unverified phone never joins two submissions: each is its own requester, the first keeps its name.
    const people = await h.db.selectFrom('requesters').selectAll().where('platform', '=', 'web').where('phone', '=', '13800138000').orderBy('id').execute();
    expect(people).toHaveLength(2);
    expect(people[0]).toMatchObject({ name: '刘建国', enterprise: '青山精密机械有限公司', phone: '13800138000' });
    for (const p of people) expect(p.user_id).not.toContain('13800138000');
    const claimed = await h.db.selectFrom('tickets').select(['reporter_name', 'requester_id']).where('requester_id', 'in', people.map((p) => p.id)).orderBy('id').execute();
    expect(claimed).toEqual([{ reporter_name: '刘建国', requester_id: people[0]!.id }, { reporter_name: '冒名者', requester_id: people[1]!.id }]);
    const posts = await h.db.selectFrom('outbox').select('payload').execute();
    expect(JSON.stringify(posts)).not.toContain('13800138000');
  });
  it('publishes a one-to-one report (/公开) without its contact details — not masked, gone — while the ticket keeps them', async () => {
    const text = '我们公司的出口退税申请三个月了还没有到账，联系人王女士，电话 139 1234 5678，邮箱 wang@example.com';
    const r = await dm('newcomer-qian', text);
    if (r.status === 'duplicate') throw new Error('unexpected');
    await send('newcomer-qian', '大家好');
    await dm('newcomer-qian', `/公开 ${r.ticketNumber}`);
    expect((await direct('newcomer-qian')).at(-1)).toContain('联系方式不公开');
    const notice = (await groupBot()).find((t) => t.includes(r.ticketNumber!) && t.includes('诉求：'))!;
    expect(notice).toContain('出口退税申请三个月了还没有到账');
    for (const gone of ['5678', '139', '王女士', '联系人', '电话', 'wang', 'example.com', '*']) expect(notice).not.toContain(gone);
    expect((await h.db.selectFrom('tickets').select('content').where('id', '=', r.ticketId!).executeTakeFirstOrThrow()).content).toBe(text);
    // What the group is told later about it (a reassignment names no content; a list of tickets does) stays without them too.
    await send('wangmin', `/转派 ${r.ticketNumber} 市场监管局 不属于税务`);
    expect((await groupBot()).join('\n')).not.toMatch(/5678|王女士|wang@/);
  });

  it('a report-page report shown in the group (企业名称和联系方式不公开) carries no phone or contact person from its text', async () => {
    const { getGroup } = await import('../../src/repo/directory');
    const county = (await getGroup(h.db, 'county'))!;
    const r = await rt.services.pipeline.submitReport({ submissionId: 'public-contact', group: county, enterprise: '青山绿源食品有限公司', contact: '陈女士', phone: '13900003333', text: '园区南门污水井冒水一周了，请联系陈女士13900003333', location: null, photos: [], publicNotice: true });
    if (r.status === 'duplicate') throw new Error('unexpected');
    const notice = (await groupBot()).find((t) => t.includes(r.number) && t.includes('诉求：'))!;
    expect(notice).toContain('园区南门污水井冒水一周了');
    expect(notice).not.toMatch(/陈女士|3333|青山绿源/);
  });
});

