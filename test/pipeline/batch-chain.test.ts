import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { verifyChain } from '../../src/audit/chain';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const REPORTS = ['园区东路的路灯坏了一个多月，晚上货车进出很危险', '厂房用电报装申请一个月了还没接通', '投标保证金项目结束半年了还没退还', '消防验收材料交了三周没有回音'];

describeOnDatabases('the group commit and the audit chain', (db) => {
  let rt: Runtime;
  const clock = createTestClock('2026-12-02T02:00:00Z');
  afterAll(async () => rt?.close());

  it('a message rolled back alone after it appended events leaves one valid chain for the rest of its batch', async () => {
    rt = await createTestRuntime(db(), { now: clock.now });
    // The failing sender is known, and has a photo waiting in the chat: its report appends the
    // ticket's events (queued for the chainer), then attaching that photo fails.
    expect((await rt.services.pipeline.receive(localMessage('fails-later', '开发区北门那条路积水一周了没人管'))).status).toBe('ticket');
    const who = await rt.services.db.selectFrom('requesters').select('id').where('user_id', '=', 'fails-later').executeTakeFirstOrThrow();
    await rt.services.db
      .insertInto('attachments')
      .values({ ticket_id: null, requester_id: who.id, origin_chat: 'local:county', content_type: 'image/png', bytes: 1, sha256: '0'.repeat(64), data: new Uint8Array([0]), created_at: clock.now() })
      .execute();
    await sql
      .raw(`create function fail_attach() returns trigger language plpgsql as $$ begin if old.requester_id = ${who.id} then raise exception 'attach failed'; end if; return new; end $$`)
      .execute(rt.services.db);
    await sql`create trigger fail_attach before update on attachments for each row execute function fail_attach()`.execute(rt.services.db);

    // The first message starts a batch of its own at once; the failing one then leads the next
    // batch (on PGlite, one connection, the rest queue behind it into that batch).
    const sent = [localMessage('first', '园区西门的红绿灯坏了三天了'), localMessage('fails-later', '我们公司的出口退税申请两个月了还没到账，一直显示审核中'), ...REPORTS.map((text, i) => localMessage(`sender-${i}`, text))];
    const settled = await Promise.allSettled(sent.map((m) => rt.services.pipeline.receive(m)));
    expect(settled[1]!.status).toBe('rejected');
    expect([settled[0]!, ...settled.slice(2)].map((s) => (s.status === 'fulfilled' ? s.value.status : 'rejected'))).toEqual(['ticket', ...REPORTS.map(() => 'ticket')]);

    const v = await verifyChain(rt.services.db);
    expect(v).toMatchObject({ ok: true, pending: 0 });
    const events = await rt.services.db.selectFrom('ticket_events').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(v.ok && v.count).toBe(Number(events.n));
    // The reports after the failed one were chained too, and their tickets were opened; the
    // rolled-back message's events left nothing queued.
    const tickets = await rt.services.db.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(tickets.n)).toBe(2 + REPORTS.length);
  });
});
