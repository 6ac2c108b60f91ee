import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // 面上问题: a topic groups tickets from several enterprises; the refresh job rewrites candidates,
  // a dispatcher's decision (confirmed, dismissed, promoted) is kept.
  await db.schema
    .createTable('topics')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('candidate'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('terms', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('first_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .execute();
  await sql`create index topics_status_idx on topics (status, last_at desc)`.execute(db);
  // A ticket belongs to at most one topic; pinned: placed by a person (split/merge), the job never moves it.
  await db.schema
    .createTable('topic_tickets')
    .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id').onDelete('cascade'))
    .addColumn('topic_id', 'integer', (c) => c.notNull().references('topics.id').onDelete('cascade'))
    .addColumn('pinned', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`create index topic_tickets_topic_idx on topic_tickets (topic_id)`.execute(db);
  await db.schema
    .createTable('topic_refreshes')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('ran_at', 'timestamptz', (c) => c.notNull())
    .addColumn('watermark', 'text', (c) => c.notNull())
    .addColumn('tickets', 'integer', (c) => c.notNull())
    .addColumn('topics', 'integer', (c) => c.notNull())
    .addColumn('millis', 'integer', (c) => c.notNull())
    .execute();

  // 协同办: one lead department, co-handling departments, one deadline, member tickets linked.
  await db.schema
    .createTable('joint_cases')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('topic_id', 'integer', (c) => c.references('topics.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('lead_department_id', 'text', (c) => c.notNull())
    .addColumn('co_department_ids', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('resolved_by', 'text')
    .addColumn('resolved_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('joint_case_tickets')
    .addColumn('ticket_id', 'integer', (c) => c.primaryKey().references('tickets.id'))
    .addColumn('case_id', 'integer', (c) => c.notNull().references('joint_cases.id'))
    .execute();
  await sql`create index joint_case_tickets_case_idx on joint_case_tickets (case_id)`.execute(db);

  // 满意度测评. Invitations know who was asked (for reminders and the response rate); responses
  // carry no requester, no invitation and no time, so no report can tie a score to an enterprise.
  await db.schema
    .createTable('survey_campaigns')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('period_from', 'timestamptz', (c) => c.notNull())
    .addColumn('period_to', 'timestamptz', (c) => c.notNull())
    .addColumn('questions', 'jsonb', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('remind_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closes_at', 'timestamptz', (c) => c.notNull())
    .addColumn('reminded', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('closed', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await db.schema
    .createTable('survey_invitations')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('survey_campaigns.id'))
    .addColumn('requester_id', 'integer', (c) => c.notNull().references('requesters.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('department_ids', 'jsonb', (c) => c.notNull())
    .addColumn('regions', 'jsonb', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('answered', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`create unique index survey_invitations_once_idx on survey_invitations (campaign_id, requester_id)`.execute(db);
  await db.schema
    .createTable('survey_responses')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('campaign_id', 'integer', (c) => c.notNull().references('survey_campaigns.id'))
    .addColumn('department_ids', 'jsonb', (c) => c.notNull())
    .addColumn('regions', 'jsonb', (c) => c.notNull())
    .addColumn('scores', 'jsonb', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['survey_responses', 'survey_invitations', 'survey_campaigns', 'joint_case_tickets', 'joint_cases', 'topic_refreshes', 'topic_tickets', 'topics']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
