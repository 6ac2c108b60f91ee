import type { Db, Tx } from '../db/database';
import type { Platform } from '../domain/message';

export interface Requester {
  id: number;
  platform: Platform;
  userId: string;
  name: string | null;
  enterprise: string | null;
}

export async function upsertRequester(
  tx: Tx,
  platform: Platform,
  userId: string,
  details: { name?: string | undefined; enterprise?: string | undefined; phone?: string | undefined } = {},
): Promise<Requester> {
  const update: { name?: string; enterprise?: string; phone?: string } = {};
  if (details.name) update.name = details.name;
  if (details.enterprise) update.enterprise = details.enterprise;
  if (details.phone) update.phone = details.phone;
  const row = await tx
    .insertInto('requesters')
    .values({ platform, user_id: userId, name: details.name ?? null, enterprise: details.enterprise ?? null, phone: details.phone ?? null })
    .onConflict((oc) =>
      // A no-op update still returns the row, so one statement serves both cases.
      Object.keys(update).length ? oc.columns(['platform', 'user_id']).doUpdateSet(update) : oc.columns(['platform', 'user_id']).doUpdateSet({ platform }),
    )
    .returning(['id', 'platform', 'user_id', 'name', 'enterprise'])
    .executeTakeFirstOrThrow();
  return { id: row.id, platform: row.platform as Platform, userId: row.user_id, name: row.name, enterprise: row.enterprise };
}

export async function getRequester(db: Tx | Db, id: number): Promise<Requester | null> {
  const row = await db.selectFrom('requesters').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { id: row.id, platform: row.platform as Platform, userId: row.user_id, name: row.name, enterprise: row.enterprise } : null;
}
