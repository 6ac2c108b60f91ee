import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

// Distinct problems (no two the same open issue), so each becomes its own ticket.
const REPORTS = [
  '园区东路的路灯坏了一个多月，晚上货车进出很危险',
  '厂房用电报装申请一个月了还没接通',
  '投标保证金项目结束半年了还没退还',
  '消防验收材料交了三周没有回音',
  '出口退税申报三个月了还没到账',
  '食品经营许可证延续申请一直显示待受理',
  '这个月已经来了四拨检查，生产都没法正常进行',
  '开发区北门那条路积水一周了没人管',
  '园区西门的红绿灯坏了三天了',
  '企业开办营业执照变更在窗口跑了三次还没办下来',
];

/*
 * Ticket numbers are given at the end of each batch (src/repo/ticket-numbers.ts): what a user
 * sees must be what the ledger holds — gapless per day, unique, and the same number in the row,
 * every post about the ticket and the result handed back to the platform.
 */
describeOnDatabases('ticket numbers given at the end of a batch', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const clock = createTestClock('2026-12-03T02:00:00Z'); // 10:00 in Beijing

  beforeAll(async () => {
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => rt?.close());

  const tickets = () => h.db.selectFrom('tickets').select(['id', 'number', 'day', 'seq', 'sign_due_at', 'resolve_due_at']).orderBy('seq').execute();

  it('numbers a burst gaplessly, and every reply, notice and result names its ticket by its number', async () => {
    // The first message is a batch of its own (on PostgreSQL the first eight, one per connection);
    // the others queue into a batch behind them. The last sender reports the ninth problem again
    // in that batch: a 附议 of a ticket still unnumbered.
    const sent = [...REPORTS.map((text, i) => localMessage(`ent-${i}`, text)), localMessage('ent-again', REPORTS[8]!)];
    const results = await Promise.all(sent.map((m) => rt.services.pipeline.receive(m)));
    expect(results.map((r) => r.status)).toEqual([...REPORTS.map(() => 'ticket'), 'attached']);

    const rows = await tickets();
    expect(rows.map((t) => t.seq)).toEqual(REPORTS.map((_, i) => i + 1));
    expect(rows.map((t) => t.day)).toEqual(REPORTS.map(() => '20261203'));
    expect(rows.map((t) => t.number)).toEqual(REPORTS.map((_, i) => `GZ-20261203-${String(i + 1).padStart(4, '0')}`));
    const byId = new Map(rows.map((t) => [t.id, t]));
    for (const r of results) {
      if (r.status === 'duplicate') throw new Error('unexpected duplicate');
      expect(r.ticketNumber).toBe(byId.get(r.ticketId!)!.number);
    }
    const attached = results.at(-1)!;
    const original = results[8]!;
    expect(attached.status !== 'duplicate' && original.status !== 'duplicate' && attached.ticketId === original.ticketId).toBe(true);

    // Every post about a ticket names it by its number (and the short number where it asks for a
    // command); nothing a user could see carries a placeholder.
    const posts = await h.db.selectFrom('outbox').select(['ticket_id', 'payload']).execute();
    expect(posts.length).toBeGreaterThanOrEqual(REPORTS.length * 2);
    for (const p of posts) {
      const json = JSON.stringify(p.payload);
      expect(json).not.toContain('待编号');
      expect(json).not.toContain('⟦');
      if (p.ticket_id === null) continue;
      const t = byId.get(p.ticket_id)!;
      const text = (p.payload as { text: string }).text;
      expect(text.startsWith(`${t.number} `) || text.startsWith(`${t.number}【`)).toBe(true);
      for (const short of text.matchAll(/\/(?:进度|认领|派单) (\S+)/g)) expect(short[1]).toBe(String(t.seq));
    }
    // The 附议 reply names the ticket it joined (numbers follow the batches' commits, not the burst's order).
    const joined = byId.get(original.status === 'duplicate' ? 0 : original.ticketId!)!;
    const again = posts.find((p) => p.ticket_id === joined.id && (p.payload as { text: string }).text.includes('附议'));
    expect((again?.payload as { text: string } | undefined)?.text).toBe(`${joined.number} 群内已有相同诉求正在办理，已把您登记为附议企业，办理进度会同步告知。`);
  });

  it('leaves no gap where a message of the batch fails after opening its ticket', async () => {
    // Appending the opening events of this one report fails, after its ticket row was inserted:
    // the message is rolled back to its savepoint alone, and its number must not be used up. The
    // lead report's batch is slowed on PostgreSQL so that the others queue into one batch behind
    // it (PGlite's one connection does that by itself).
    const slow = h.kind === 'postgres' ? `if (select content from tickets where id = new.ticket_id) like '停车场%' then perform pg_sleep(0.5); end if;` : '';
    await sql
      .raw(
        `create function fail_opening() returns trigger language plpgsql as $$ begin ${slow}
          if (select content from tickets where id = new.ticket_id) like '%这一条会失败%' then raise exception 'opening failed'; end if;
          return new; end $$`,
      )
      .execute(h.db);
    await sql`create trigger fail_opening before insert on ticket_events for each row execute function fail_opening()`.execute(h.db);
    const before = (await tickets()).length;
    // PostgreSQL runs up to 8 transactions at once: eight reports fill them, so the four behind
    // share one batch (on PGlite all after the first do).
    const fillers = ['停车场收费标准不透明，每次收费都不一样', '园区食堂的卫生许可证办了两个月还没下来', '招聘会场地申请被拒了也不说原因', '厂区门口的道路破损严重，货车经常爆胎', '社保缴费基数核定有误，多交了半年', '园区宽带经常断网，运营商报修没人来', '环评批复等了四个月还没出来', '高新技术企业认定的补贴一直没有发放'];
    const texts = ['税务大厅的自助终端坏了两周没人修', '园区污水管网堵了，厂区门口污水横流，这一条会失败', '施工许可审批材料交了一个月还没有结果', '园区公交站撤了，工人上下班没有车'];
    const sent = [...fillers.map((t, i) => localMessage(`filler-${i}`, t)), ...texts.map((t, i) => localMessage(`late-${i}`, t))];
    const settled = await Promise.allSettled(sent.map((m) => rt.services.pipeline.receive(m)));
    await sql`drop trigger fail_opening on ticket_events`.execute(h.db);
    expect(settled.map((s) => s.status)).toEqual([...fillers.map(() => 'fulfilled'), 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);

    const rows = await tickets();
    expect(rows).toHaveLength(before + fillers.length + 3);
    expect(rows.map((t) => t.seq)).toEqual(rows.map((_, i) => i + 1));
    const counter = await h.db.selectFrom('ticket_counters').select('last_seq').where('day', '=', '20261203').executeTakeFirstOrThrow();
    expect(counter.last_seq).toBe(rows.length);
  });

  it('states the deadlines set at opening in the opening events', async () => {
    const r = await rt.services.pipeline.receive(localMessage('deadlines', '园区道路的井盖丢了一个星期，车辆经过很危险'));
    if (r.status === 'duplicate' || r.ticketId === null) throw new Error('no ticket');
    const row = (await tickets()).find((t) => t.id === r.ticketId)!;
    const events = await h.db.selectFrom('ticket_events').select(['kind', 'data']).where('ticket_id', '=', r.ticketId).orderBy('id').execute();
    const stated = { signDueAt: row.sign_due_at!.toISOString(), resolveDueAt: row.resolve_due_at!.toISOString() };
    expect(events[0]).toMatchObject({ kind: 'received', data: stated });
    // A ticket dispatched at opening: the dispatch (which restarts the deadlines) states them too.
    for (const e of events.filter((x) => x.kind === 'dispatched')) expect(e.data).toMatchObject(stated);
  });

  it('numbers a batch that spans China midnight on each day from 1', async () => {
    // Accepted (stamped) either side of midnight, then processed together: the first goes alone,
    // the two behind it share a batch that opens a ticket on each day.
    const pipeline = rt.services.pipeline;
    clock.set('2026-12-03T15:59:58Z'); // 23:59:58 in Beijing
    const accepted = [await pipeline.accept(localMessage('night-0', '报关单据审核退回了三次，每次理由都不一样'))];
    accepted.push(await pipeline.accept(localMessage('night-1', '园区宿舍楼的消防通道被占了，多次反映没有处理')));
    clock.set('2026-12-03T16:00:01Z'); // 00:00:01 on 4 December
    accepted.push(await pipeline.accept(localMessage('night-2', '厂区旁边的工地夜里施工，噪音大得工人没法休息')));
    const results = await Promise.all(
      accepted.map((a) => {
        if (a.status !== 'accepted') throw new Error('not accepted');
        return pipeline.process(a.inboundId, a.message);
      }),
    );
    const today = (await tickets()).filter((t) => t.day === '20261203').length;
    const numbers = results.map((r) => (r.status === 'duplicate' ? null : r.ticketNumber));
    // Numbers follow the commits: on PostgreSQL the first two may commit in either order.
    expect(numbers.slice(0, 2).sort()).toEqual([`GZ-20261203-${String(today - 1).padStart(4, '0')}`, `GZ-20261203-${String(today).padStart(4, '0')}`]);
    expect(numbers[2]).toBe('GZ-20261204-0001');
    const counters = await h.db.selectFrom('ticket_counters').selectAll().where('day', 'in', ['20261203', '20261204']).orderBy('day').execute();
    expect(counters).toEqual([{ day: '20261203', last_seq: today }, { day: '20261204', last_seq: 1 }]);
  });
});
