import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // A WeCom response_url takes one post: enqueueing a reply looks up whether its URL was used.
  await sql`create index outbox_reply_url_idx on outbox ((target->'handle'->>'url')) where target->>'kind' = 'reply'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists outbox_reply_url_idx`.execute(db);
}
