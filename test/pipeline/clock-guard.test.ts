import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import type { DatabaseHandle } from '../../src/db/database';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

// The guard for issue 14: the wall clock is years away and the machine's zone is UTC+14, yet
// numbers, received_at, deadlines and the first event follow the injected clock in Beijing time.
describeOnDatabases('pipeline clock guard', (database) => {
  let h: DatabaseHandle;
  let rt: Runtime;
  const zone = process.env.TZ;
  // 23:59 on Monday 23 November in Beijing: one minute before the day (and the ticket counter) turns.
  const clock = createTestClock('2026-11-23T15:59:00Z');

  beforeAll(async () => {
    process.env.TZ = 'Pacific/Kiritimati';
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2031-06-15T12:00:00Z') });
    h = database();
    rt = await createTestRuntime(h, { now: clock.now });
  });
  afterAll(async () => {
    await rt?.close();
    vi.useRealTimers();
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  });

  const ticket = (id: number) => h.db.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('numbers and times a ticket by the injected clock, whatever the wall clock and zone say', async () => {
    expect(new Date().getUTCFullYear()).toBe(2031);
    const r = await rt.services.pipeline.receive(localMessage('qs-jixie-liu', '@共治助手 我们厂新建的厂房申请用电报装一个月了还没接通', { receivedAt: new Date() }));
    expect(r).toMatchObject({ status: 'ticket', ticketNumber: 'GZ-20261123-0001' });
    if (r.status === 'duplicate') return;
    const t = await ticket(r.ticketId!);
    expect(t.received_at).toEqual(new Date('2026-11-23T15:59:00Z'));
    // 1 working day to sign, 5 to resolve, counted from Monday 23:59 Beijing time.
    expect(t.sign_due_at).toEqual(new Date('2026-11-24T15:59:00Z'));
    expect(t.resolve_due_at).toEqual(new Date('2026-11-30T15:59:00Z'));
    const first = await h.db.selectFrom('ticket_events').select(['kind', 'at']).where('ticket_id', '=', r.ticketId!).orderBy('id').executeTakeFirstOrThrow();
    expect(first).toEqual({ kind: 'received', at: new Date('2026-11-23T15:59:00Z') });
  });

  it('starts the next day at Beijing midnight, not at the machine zone midnight', async () => {
    clock.set('2026-11-23T16:01:00Z'); // 00:01 on 24 November in Beijing
    const r = await rt.services.pipeline.receive(localMessage('lvyuan-chen', '@共治助手 园区门口的路灯坏了半个月了，晚上下班很不安全'));
    expect(r).toMatchObject({ status: 'ticket', ticketNumber: 'GZ-20261124-0001' });
  });

  it('keeps the acceptance instant when processing happens later (recovery after a crash)', async () => {
    clock.set('2026-11-24T15:58:00Z'); // 23:58 on the 24th
    const accepted = await rt.services.pipeline.accept(localMessage('hengtong-zhang', '@共治助手 我们的投标保证金交了半年了还没退，财务一直催'));
    if (accepted.status !== 'accepted') throw new Error('expected the message to be accepted');
    clock.set('2026-11-24T16:30:00Z'); // processed after Beijing midnight
    const r = await rt.services.pipeline.process(accepted.inboundId, accepted.message);
    expect(r).toMatchObject({ status: 'ticket', ticketNumber: 'GZ-20261124-0002' });
    if (r.status === 'duplicate') return;
    expect((await ticket(r.ticketId!)).received_at).toEqual(new Date('2026-11-24T15:58:00Z'));
  });
});
