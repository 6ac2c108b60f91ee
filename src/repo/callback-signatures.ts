import type { Db } from '../db/database';

/**
 * Binds a callback signature to one message: true when `key` is new or already belongs to
 * `messageId` (the platform retrying the same message), false when it vouched for another one.
 * Pairs past their window are forgotten; by then the timestamp check refuses them anyway.
 */
export async function claimCallbackSignature(db: Db, key: string, messageId: string, expiresAt: Date, now: Date): Promise<boolean> {
  await db.deleteFrom('callback_signatures').where('expires_at', '<', now).execute();
  const row = await db
    .insertInto('callback_signatures')
    .values({ key, message_id: messageId, expires_at: expiresAt })
    .onConflict((oc) => oc.column('key').doUpdateSet((eb) => ({ key: eb.ref('callback_signatures.key') })))
    .returning('message_id')
    .executeTakeFirstOrThrow();
  return row.message_id === messageId;
}

/** Whether `key` is bound to `messageId` already, without binding it (a stale shared slot). */
export async function callbackSignatureHeldBy(db: Db, key: string, messageId: string, now: Date): Promise<boolean> {
  const row = await db.selectFrom('callback_signatures').select('message_id').where('key', '=', key).where('expires_at', '>=', now).executeTakeFirst();
  return row?.message_id === messageId;
}
