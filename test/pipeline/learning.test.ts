import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { CATEGORY_NAMES } from '../../src/domain/taxonomy';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

describeOnDatabases('learning from staff corrections', (database) => {
  let h: DatabaseHandle;
  let a: Runtime;
  let b: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');

  beforeAll(async () => {
    h = database();
    // Two instances of the bot on one database, each with its own in-memory model.
    a = await createTestRuntime(h, { now: clock.now });
    b = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  const send = (rt: Runtime, userId: string, text: string) => rt.services.pipeline.receive(localMessage(userId, text));
  const ticketOf = async (r: Awaited<ReturnType<typeof send>>) => {
    if (r.status === 'duplicate' || !r.ticketId) throw new Error(`no ticket: ${r.status}`);
    return h.db.selectFrom('tickets').selectAll().where('id', '=', r.ticketId).executeTakeFirstOrThrow();
  };

  it('a /改类 changes the next classification of a similar message, here and in the other instance', async () => {
    // Both instances have read the (empty) corrections table.
    await send(b, 'hengtong-zhang', '@共治助手 园区东门的路灯坏了一个月了');
    const first = await ticketOf(await send(a, 'qs-jixie-liu', '@共治助手 我们车间那台鑫隆牌滤芯罐坏了两周了，报修一直没人来处理，麻烦帮忙协调'));
    const target = first.category === 'legal' ? 'labor' : 'legal';
    await send(a, 'wangmin', `/改类 ${first.seq} ${CATEGORY_NAMES[target]}`);
    expect((await h.db.selectFrom('labelled_examples').selectAll().execute()).map((r) => r.category)).toEqual([target]);

    const again = await ticketOf(await send(a, 'xinghuo-wang', '@共治助手 鑫隆牌滤芯罐坏了两周了，报修一直没人处理'));
    expect(again.category).toBe(target);
    const other = await ticketOf(await send(b, 'lvyuan-chen', '@共治助手 车间的鑫隆牌滤芯罐坏了两周，报修没人来处理，麻烦协调'));
    expect(other.category).toBe(target);
  });

  it('another instance picks up a correction it did not record within the poll interval', async () => {
    const text = '@共治助手 宏发牌冷凝塔异响不断，厂家说不归他们管，麻烦协调一下';
    const before = b.services.classifier.classify(text);
    const target = before.category === 'finance' ? 'procurement' : 'finance';
    // As if recorded by a third instance: only the database knows.
    await h.db
      .insertInto('labelled_examples')
      .values({ text: '宏发牌冷凝塔异响不断，厂家说不归他们管', is_issue: true, category: target, type: 'help', source: 'recategorize', ticket_id: null, actor_id: 'wangmin', created_at: clock.now() })
      .execute();
    clock.advance(6_000);
    const r = await ticketOf(await send(b, 'qs-jixie-liu', text));
    expect(r.category).toBe(target);
  });

  it('never silently ignores a message addressed to the bot: English issues become tickets, the rest get a hint in their language', async () => {
    const dm = (userId: string, text: string) => a.services.pipeline.receive(localMessage(userId, text, { chatType: 'direct', chatId: userId, chatTitle: undefined }));
    const lastDirect = async (userId: string) => {
      await a.services.drainer.drainOnce();
      return a.local!.directTranscript(userId, 0).filter((e) => e.from.kind === 'bot').at(-1)?.text ?? '';
    };
    const issue = await dm('foreign-co', 'Our factory has had no electricity since this morning and the whole production line is stopped. Please help!');
    expect((await ticketOf(issue)).category).toBe('utilities');

    expect(await dm('foreign-co', 'Our team is going hiking this weekend, anyone want to join?')).toMatchObject({ status: 'ignored' });
    expect(await lastDirect('foreign-co')).toMatch(/^I could not find a request/);
    await dm('local-co', '今天园区食堂的红烧肉挺好吃的');
    expect(await lastDirect('local-co')).toMatch(/^没有识别到具体诉求/);
    // Thanks need no answer.
    const before = a.local!.directTranscript('local-co', 0).length;
    await dm('local-co', '收到，谢谢');
    await a.services.drainer.drainOnce();
    expect(a.local!.directTranscript('local-co', 0)).toHaveLength(before);
  });
});
