import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Runtime } from '../../src/bootstrap';
import { verifyTicketStates } from '../../src/audit/ticket-state';
import { loadConfigFile } from '../../src/config/load';
import { compareTicket, rebuildTicket } from '../../src/domain/ticket-history';
import { describeOnDatabases } from '../helpers/databases';
import { createTestClock, createTestRuntime, localMessage } from '../helpers/runtime';

const CITY = new URL('../../config/example-city.yaml', import.meta.url).pathname;

describeOnDatabases('audit verify: the region a ticket was opened in', (database) => {
  let rt: Runtime;
  const clock = createTestClock('2026-12-04T02:00:00Z');
  beforeAll(async () => {
    rt = await createTestRuntime(database(), { now: clock.now, config: await loadConfigFile(CITY) });
  });
  afterAll(async () => rt?.close());

  it('the opening event states the region, and a region column rewritten in the database is named', async () => {
    const db = rt.services.db;
    const opened = await rt.services.pipeline.receive(localMessage('qs-a', '@共治助手 青山工业园东区这周又停电了，供电线路老化，生产线停了，请供电公司尽快检修线路', { chatId: 'qingshan', chatTitle: 'qingshan' }));
    if (opened.status !== 'ticket') throw new Error(opened.status);
    const row = await db.selectFrom('tickets').select(['id', 'number', 'region_id']).where('number', '=', opened.ticketNumber!).executeTakeFirstOrThrow();
    expect(row.region_id).toBe('qingshan');
    const event = await db.selectFrom('ticket_events').select('data').where('ticket_id', '=', row.id).where('kind', '=', 'received').executeTakeFirstOrThrow();
    expect(event.data).toMatchObject({ regionId: 'qingshan' });
    expect(await verifyTicketStates(db)).toMatchObject({ ok: true, tickets: 1 });

    // Someone with the app's credentials moves the ticket into another county's figures and scope.
    await db.updateTable('tickets').set({ region_id: 'hexi' }).where('id', '=', row.id).execute();
    const r = await verifyTicketStates(db);
    expect(r).toMatchObject({ ok: false, disagreeing: 1 });
    expect(r.listed[0]).toEqual({ ticketId: row.id, number: row.number, fields: [{ field: 'region_id', row: 'hexi', history: 'qingshan' }] });
    await db.updateTable('tickets').set({ region_id: null }).where('id', '=', row.id).execute();
    expect((await verifyTicketStates(db)).listed[0]!.fields).toEqual([{ field: 'region_id', row: 'null', history: 'qingshan' }]);
    await db.updateTable('tickets').set({ region_id: 'qingshan' }).where('id', '=', row.id).execute();
    expect(await verifyTicketStates(db)).toMatchObject({ ok: true });
  });

  it('an opening written before the region was stated stays verifiable: its region is not compared', () => {
    const at = new Date('2026-11-23T02:00:00Z');
    const rebuilt = rebuildTicket([{ kind: 'received', toStatus: 'received', actorId: '7', at, data: { classification: { type: 'help', category: 'utilities', urgency: 'normal' } } }]);
    expect(rebuilt.unknown).toContain('region_id');
    const record = { ...rebuilt.record, region_id: 'qingshan', received_at: at };
    expect(compareTicket(record, rebuilt)).toEqual([]);
  });
});
