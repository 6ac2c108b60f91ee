import { sql, type Kysely } from 'kysely';
import { chainHash, GENESIS_HASH, type ChainEvent } from '../src/audit/canonical';

const PAGE = 1000;

/** The delivery trigger's function; `switched` adds the runtime_switches check in front. */
const webhookTrigger = (switched: boolean) => sql`
  create or replace function ticket_events_to_webhooks() returns trigger language plpgsql as $$
  begin
    ${sql.raw(switched ? 'if not coalesce((select webhooks from runtime_switches where id = 1), true) then return null; end if;' : '')}
    insert into webhook_deliveries (endpoint_id, event_id, next_attempt_at)
    select e.id, new.id, new.at from webhook_endpoints e
    where e.active and (e.events is null or e.events @> to_jsonb(new.kind));
    return null;
  end $$`;

export async function up(db: Kysely<any>): Promise<void> {
  // Every event carries its place in the one global chain and the chain's hash up to it, so an
  // event inserted, changed or deleted behind the app's back shows (src/audit/canonical.ts).
  await db.schema.alterTable('ticket_events').addColumn('seq', 'integer').addColumn('hash', 'text').execute();
  // The chain head: appendEvents locks this one row, which orders concurrent writers into one chain.
  await db.schema
    .createTable('audit_chain_head')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('last_event_id', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  // One per China day, copied into the monthly ledger and the supervisors' monthly package.
  await db.schema
    .createTable('audit_checkpoints')
    .addColumn('date', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('last_event_id', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  // Existing events are chained in id order. The owner lifts the append-only trigger for this once.
  await sql`alter table ticket_events disable trigger ticket_events_no_change`.execute(db);
  let prev = GENESIS_HASH;
  let seq = 0;
  let lastId = 0;
  for (;;) {
    const rows = (await db.selectFrom('ticket_events').selectAll().where('id', '>', lastId).orderBy('id').limit(PAGE).execute()) as ChainEvent[];
    if (!rows.length) break;
    const values: Array<ReturnType<typeof sql>> = [];
    for (const r of rows) {
      prev = await chainHash(prev, r);
      seq++;
      values.push(sql`(${r.id}::integer, ${seq}::integer, ${prev}::text)`);
    }
    await sql`update ticket_events e set seq = v.seq, hash = v.hash from (values ${sql.join(values)}) as v(id, seq, hash) where e.id = v.id`.execute(db);
    lastId = rows.at(-1)!.id;
  }
  await sql`alter table ticket_events enable trigger ticket_events_no_change`.execute(db);
  await db.insertInto('audit_chain_head').values({ id: 1, seq, last_event_id: lastId, hash: prev }).execute();
  // Left nullable on purpose: an event written around appendEvents is not refused here but
  // reported by `audit verify`, which is where an outsider looks.
  await sql`alter table ticket_events add constraint ticket_events_seq_uq unique (seq)`.execute(db);

  // The webhook trigger is switched by a row, not by ALTER TABLE, so the runtime role needs no
  // ownership of ticket_events. Off costs each event one primary-key lookup.
  await db.schema
    .createTable('runtime_switches')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('webhooks', 'boolean', (c) => c.notNull())
    .execute();
  await sql`insert into runtime_switches (id, webhooks) select 1, exists (select 1 from webhook_endpoints where active)`.execute(db);
  await webhookTrigger(true).execute(db);
  await sql`alter table ticket_events enable trigger ticket_events_webhooks`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await webhookTrigger(false).execute(db);
  await db.schema.dropTable('runtime_switches').ifExists().execute();
  await db.schema.dropTable('audit_checkpoints').ifExists().execute();
  await db.schema.dropTable('audit_chain_head').ifExists().execute();
  await sql`alter table ticket_events drop constraint if exists ticket_events_seq_uq`.execute(db);
  await db.schema.alterTable('ticket_events').dropColumn('seq').dropColumn('hash').execute();
}
