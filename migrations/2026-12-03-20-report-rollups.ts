import { sql, type Kysely } from 'kysely';

// Rankings at a province's scale (issue 21): a month is 170,000 tickets, counted on every ranking.
// report_day_counts holds the ranking counts per China day (of receipt) and department. A ranking
// adds up the stored days and counts live any day that is marked dirty, in one statement, so what
// it shows is always what counting every ticket would show.
//
// Dirty marks are written by triggers in the transaction that changes a ticket, a 三单一函 document
// or a handover, so a change and its mark commit together; the refresh deletes the marks it can
// see and recounts those days afterwards (src/reports/counts.ts). A column the counts read must be
// in the tickets trigger's WHEN below.
//
// ticket_handovers keeps what a department's responsibility looked like when a ticket left it
// (its dispatch, sign deadline and claim): a 提级办 ticket restarts its deadlines at the city, and
// the county unit that lifted it still answers for its response.
// China has kept UTC+8 without summer time since 1991, as src/domain/china-time.ts assumes.
const chinaDay = (col: string) => `((${col} at time zone 'UTC') + interval '8 hours')::date`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('report_day_counts')
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.notNull())
    .addColumn('tickets', 'integer', (c) => c.notNull())
    .addColumn('dispatched', 'integer', (c) => c.notNull())
    .addColumn('signed_on_time', 'integer', (c) => c.notNull())
    .addColumn('resolved', 'integer', (c) => c.notNull())
    .addColumn('on_time', 'integer', (c) => c.notNull())
    .addColumn('rated', 'integer', (c) => c.notNull())
    .addColumn('satisfied', 'integer', (c) => c.notNull())
    .addColumn('reopened', 'integer', (c) => c.notNull())
    .addColumn('escalations', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('report_day_counts_pk', ['day', 'department_id'])
    .execute();
  await db.schema
    .createTable('report_dirty_days')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('day', 'date', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('report_dirty_days_day_idx').on('report_dirty_days').column('day').execute();
  // One row, locked by a refresh so two instances never recount the same day out of order.
  await db.schema
    .createTable('report_rollup_state')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('refreshed_at', 'timestamptz')
    .execute();
  await sql`insert into report_rollup_state (id) values (1)`.execute(db);

  await db.schema
    .createTable('ticket_handovers')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('tickets.id'))
    .addColumn('from_department_id', 'text', (c) => c.notNull())
    .addColumn('to_department_id', 'text')
    .addColumn('from_dispatched_at', 'timestamptz')
    .addColumn('from_sign_due_at', 'timestamptz')
    /** The leaving department's claim, if it claimed after its own dispatch. */
    .addColumn('from_claimed_at', 'timestamptz')
    .addColumn('handed_at', 'timestamptz', (c) => c.notNull())
    /** Set by the escalated_level event of the same move (提级办); a plain 转派 stays false. */
    .addColumn('lifted', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema.createIndex('ticket_handovers_ticket_idx').on('ticket_handovers').columns(['ticket_id', 'id']).execute();

  const statements = [
    `create function report_mark_day(timestamptz) returns void language sql as $$
      insert into report_dirty_days (day) values (${chinaDay('$1')})
    $$`,
    `create function report_mark_ticket() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then perform report_mark_day(old.received_at); end if;
      if tg_op = 'INSERT' then perform report_mark_day(new.received_at);
      elsif tg_op = 'UPDATE' and new.received_at is distinct from old.received_at then perform report_mark_day(new.received_at);
      end if;
      return null;
    end $$`,
    `create trigger tickets_report_insert after insert on tickets for each row execute function report_mark_ticket()`,
    `create trigger tickets_report_delete after delete on tickets for each row execute function report_mark_ticket()`,
    `create trigger tickets_report_update after update on tickets for each row
      when (old.received_at is distinct from new.received_at or old.department_id is distinct from new.department_id
        or old.status is distinct from new.status or old.dispatched_at is distinct from new.dispatched_at
        or old.claimed_at is distinct from new.claimed_at or old.sign_due_at is distinct from new.sign_due_at
        or old.resolved_at is distinct from new.resolved_at or old.resolve_due_at is distinct from new.resolve_due_at
        or old.rating is distinct from new.rating or old.reopen_count is distinct from new.reopen_count)
      execute function report_mark_ticket()`,
    `create function report_record_handover() returns trigger language plpgsql as $$
    begin
      insert into ticket_handovers (ticket_id, from_department_id, to_department_id, from_dispatched_at, from_sign_due_at, from_claimed_at, handed_at)
      values (new.id, old.department_id, new.department_id, old.dispatched_at, old.sign_due_at,
        case when old.claimed_at >= old.dispatched_at then old.claimed_at end, coalesce(new.dispatched_at, new.updated_at));
      return null;
    end $$`,
    `create trigger tickets_handover after update on tickets for each row
      when (old.department_id is not null and old.department_id is distinct from new.department_id)
      execute function report_record_handover()`,
    `create function report_mark_lift() returns trigger language plpgsql as $$
    begin
      update ticket_handovers set lifted = true
      where id = (select max(id) from ticket_handovers where ticket_id = new.ticket_id
        and from_department_id = new.data->>'fromDepartmentId' and to_department_id = new.data->>'departmentId');
      return null;
    end $$`,
    `create trigger ticket_events_report_lift after insert on ticket_events for each row
      when (new.kind = 'escalated_level') execute function report_mark_lift()`,
    `create function report_mark_ticket_of() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then perform report_mark_day(t.received_at) from tickets t where t.id = old.ticket_id; end if;
      if tg_op in ('INSERT', 'UPDATE') then perform report_mark_day(t.received_at) from tickets t where t.id = new.ticket_id; end if;
      return null;
    end $$`,
    `create trigger escalation_documents_report after insert or delete or update of ticket_id, step, department_id on escalation_documents
      for each row execute function report_mark_ticket_of()`,
    `create trigger ticket_handovers_report after insert or delete or update on ticket_handovers
      for each row execute function report_mark_ticket_of()`,
  ];
  for (const s of statements) await sql.raw(s).execute(db);

  // Every day that has tickets starts dirty: rankings count them live until the scheduler has
  // stored them, a bounded number of days per tick (a province's five years take a while).
  await sql`insert into report_dirty_days (day)
    select generate_series(${sql.raw(chinaDay('m.lo'))}, ${sql.raw(chinaDay('m.hi'))}, interval '1 day')::date
    from (select min(received_at) as lo, max(received_at) as hi from tickets) m where m.lo is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const statements = [
    'drop trigger if exists ticket_handovers_report on ticket_handovers',
    'drop trigger if exists escalation_documents_report on escalation_documents',
    'drop trigger if exists ticket_events_report_lift on ticket_events',
    'drop trigger if exists tickets_handover on tickets',
    'drop trigger if exists tickets_report_update on tickets',
    'drop trigger if exists tickets_report_delete on tickets',
    'drop trigger if exists tickets_report_insert on tickets',
    'drop function if exists report_mark_ticket_of()',
    'drop function if exists report_mark_lift()',
    'drop function if exists report_record_handover()',
    'drop function if exists report_mark_ticket()',
    'drop function if exists report_mark_day(timestamptz)',
  ];
  for (const s of statements) await sql.raw(s).execute(db);
  for (const t of ['ticket_handovers', 'report_rollup_state', 'report_dirty_days', 'report_day_counts']) await db.schema.dropTable(t).ifExists().execute();
}
