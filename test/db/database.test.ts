import { migrations } from '../../migrations/index';
import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { migrateToLatest, migrationVersion, type DatabaseHandle } from '../../src/db/database';
import { describeOnDatabases } from '../helpers/databases';

// Kysely applies migrations in name order, whatever the index's order.
const LATEST_MIGRATION = Object.keys(migrations).sort().at(-1);

describeOnDatabases('storage', (database) => {
  let h: DatabaseHandle;
  beforeAll(async () => {
    h = database();
  });

  it('applies the same migrations and reports the version', async () => {
    expect(await migrationVersion(h.db)).toBe(LATEST_MIGRATION);
    expect(await migrateToLatest(h.db)).toEqual([]); // idempotent
    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = current_schema() order by table_name`.execute(h.db);
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['departments', 'groups', 'staff', 'requesters', 'tickets', 'ticket_events', 'inbound_messages', 'outbox']),
    );
  });

  it('keeps the ticket event log append-only', async () => {
    await h.db.insertInto('departments').values({ id: 'd1', name: 'D1' }).execute();
    const r = await h.db.insertInto('requesters').values({ platform: 'local', user_id: 'u1', name: null, enterprise: null, phone: null }).returning('id').executeTakeFirstOrThrow();
    const now = new Date();
    const t = await h.db
      .insertInto('tickets')
      .values({
        number: 'GZ-20261123-0001', day: '20261123', seq: 1, status: 'received', type: 'help', category: 'other', urgency: 'normal',
        confidence: 0.5, content: 'x', group_id: null, origin_platform: 'local', origin_chat_id: 'c', origin_chat_type: 'group',
        requester_id: r.id, department_id: null, received_at: now, updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db.insertInto('ticket_events').values({ ticket_id: t.id, kind: 'received', from_status: null, to_status: 'received', actor_kind: 'system', actor_id: 's', actor_name: 's', data: '{}', at: now }).execute();
    await expect(h.db.updateTable('ticket_events').set({ kind: 'closed' }).execute()).rejects.toThrow(/append-only/);
    await expect(h.db.deleteFrom('ticket_events').execute()).rejects.toThrow(/append-only/);
  });

  it('de-duplicates inbound messages on platform + message id', async () => {
    const row = { platform: 'wecom', message_id: 'm1', chat_id: 'c', chat_type: 'group', sender_id: 'u', sender_name: null, text: 't', outcome: 'ignored', received_at: new Date() };
    await h.db.insertInto('inbound_messages').values(row).execute();
    await expect(h.db.insertInto('inbound_messages').values(row).execute()).rejects.toThrow();
    await h.db.insertInto('inbound_messages').values({ ...row, platform: 'dingtalk' }).execute();
  });
});
