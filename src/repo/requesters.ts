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

/**
 * Registers (or finds) the enterprises of a batch of messages in one statement, in key order:
 * every transaction then takes these row locks in the same order, before the day's ticket
 * counter, so concurrent batches cannot deadlock on them.
 */
export async function upsertRequesters(tx: Tx, people: Array<{ platform: Platform; userId: string; name?: string | undefined }>): Promise<Map<string, Requester>> {
  const byKey = new Map<string, { platform: Platform; userId: string; name: string | null }>();
  for (const p of people) {
    const prev = byKey.get(requesterKey(p.platform, p.userId));
    byKey.set(requesterKey(p.platform, p.userId), { platform: p.platform, userId: p.userId, name: p.name || prev?.name || null });
  }
  const out = new Map<string, Requester>();
  if (!byKey.size) return out;
  const rows = await tx
    .insertInto('requesters')
    .values([...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => ({ platform: p.platform, user_id: p.userId, name: p.name })))
    .onConflict((oc) => oc.columns(['platform', 'user_id']).doUpdateSet((eb) => ({ name: eb.fn.coalesce('excluded.name', 'requesters.name') })))
    .returning(['id', 'platform', 'user_id', 'name', 'enterprise'])
    .execute();
  for (const r of rows) out.set(requesterKey(r.platform, r.user_id), { id: r.id, platform: r.platform as Platform, userId: r.user_id, name: r.name, enterprise: r.enterprise });
  return out;
}

export const requesterKey = (platform: string, userId: string): string => `${platform}\u0000${userId}`;

/**
 * A report-page user. The platform id is opaque, so the phone can never reach an @-mention or
 * a group post; the form's claim (name, company) also goes on the ticket.
 */
export async function webRequester(tx: Tx, phone: string, details: { name: string; enterprise: string }): Promise<Requester> {
  // Every submission is its own requester: the form's phone is unverified, so it must never
  // tie a newcomer to someone else's reports (typing a victim's phone would make their
  // private ticket the newcomer's own). Staff still see the phone on each ticket.
  const row = await tx
    .insertInto('requesters')
    .values({ platform: 'web', user_id: `web:${crypto.randomUUID()}`, name: details.name, enterprise: details.enterprise, phone })
    .returning(['id', 'platform', 'user_id', 'name', 'enterprise'])
    .executeTakeFirstOrThrow();
  return { id: row.id, platform: row.platform as Platform, userId: row.user_id, name: row.name, enterprise: row.enterprise };
}
