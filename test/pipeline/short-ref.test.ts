import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

/**
 * Short numbers (the day's sequence) restart every day, and the bot's own prompts use them
 * (/评价 1 分数, /认领 1). Yesterday's #1 and today's #1 are different tickets of different
 * enterprises: a short number must reach the one the sender can mean, and never guess between two.
 */
describeOnDatabases('short ticket numbers across days', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-11-23T02:00:00Z');
  let lastOutbox = 0;
  const say = async (userId: string, text: string) => {
    const r = await rt.services.pipeline.receive(localMessage(userId, text));
    const rows = await rt.services.db.selectFrom('outbox').select(['id', 'payload']).where('id', '>', lastOutbox).orderBy('id').execute();
    lastOutbox = rows.at(-1)?.id ?? lastOutbox;
    return { r, text: rows.map((p) => (p.payload as { text: string }).text).join('\n') };
  };
  const ticket = (number: string) => rt.services.db.selectFrom('tickets').selectAll().where('number', '=', number).executeTakeFirstOrThrow();
  const numbers = { yesterday: '', today: '' };

  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now });
  });
  afterAll(async () => rt?.close());

  it('an enterprise rates yesterday’s #1 with the short number the bot gave it, though today has a #1 of another enterprise', async () => {
    const a = await say('liu-boss', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通');
    numbers.yesterday = (a.r.status === 'ticket' && a.r.ticketNumber) || '';
    expect(numbers.yesterday).toMatch(/-20261123-0001$/);
    const row = await ticket(numbers.yesterday);
    const staff = rt.services.config.staff.find((s) => s.department === row.department_id && s.role === 'staff')!.accounts.local!;
    await say(staff, '/认领 1');
    const done = await say(staff, '/办结 1 已完成接电');
    expect(done.text).toContain('/评价 1');

    clock.set('2026-11-24T02:00:00Z');
    const b = await say('zhang-boss', '@共治助手 园区道路积水严重货车进不来已经一周了没人管');
    numbers.today = (b.r.status === 'ticket' && b.r.ticketNumber) || '';
    expect(numbers.today).toMatch(/-20261124-0001$/);

    const rated = await say('liu-boss', '/评价 1 5');
    expect(rated.text).toContain(numbers.yesterday);
    expect((await ticket(numbers.yesterday)).rating).toBe(5);
    expect((await ticket(numbers.today)).rating).toBeNull();
  });

  it('a short number whose only open ticket is the one a command can move goes to it, and /进度 answers the newest', async () => {
    clock.set('2026-11-25T02:00:00Z');
    const c = await say('zhao-boss', '@共治助手 办理食品经营许可证网上提交三周了一直没有审核');
    const number = (c.r.status === 'ticket' && c.r.ticketNumber) || '';
    expect(number).toMatch(/-20261125-0001$/);
    const row = await ticket(number);
    const staff = rt.services.config.staff.find((s) => s.department === row.department_id && s.role === 'staff')!.accounts.local!;
    // The other #1s are done or belong to other departments: only today's can be claimed by this clerk.
    const claimed = await say(staff, '/认领 1');
    expect(claimed.text).toContain(number);
    expect((await ticket(number)).status).toBe('claimed');
    const status = await say('zhao-boss', '/进度 1');
    expect(status.text).toContain(number);
  });

  it('a dispatcher whose short number fits two open tickets is shown both full numbers, and nothing changes', async () => {
    clock.set('2026-11-26T02:00:00Z');
    const first = await say('qian-boss', '@共治助手 我们公司的增值税留抵退税申请提交三周了一直没有退');
    clock.set('2026-11-27T02:00:00Z');
    const second = await say('sun-boss', '@共治助手 园区门口的路灯坏了一个月，晚上下班工人走路很危险');
    const [older = '', newer = ''] = [first, second].map((x) => (x.r.status === 'ticket' && x.r.ticketNumber) || '');
    expect(older).toMatch(/-20261126-0001$/);
    expect(newer).toMatch(/-20261127-0001$/);
    const asked = await say('wangmin', '/关闭 1 企业已撤回');
    expect(asked.text).toContain('短号 1 对应多张工单');
    expect(asked.text).toContain(older);
    expect(asked.text).toContain(newer);
    expect((await ticket(older)).status).not.toBe('closed');
    expect((await ticket(newer)).status).not.toBe('closed');
    const closed = await say('wangmin', `/关闭 ${older} 企业已撤回`);
    expect(closed.text).toContain(older);
    expect((await ticket(older)).status).toBe('closed');
  });
});
