import type { Db } from '../db/database';
import { randomToken, sha256Hex as hash } from '../auth/tokens';

/** A token left in a script or a colleague's notes stops working on its own. */
export const DEFAULT_TOKEN_DAYS = 90;
const DAY_MS = 86_400_000;

/** Creates a token for a staff member; the plain token is returned once and never stored. */
export async function createApiToken(db: Db, staffId: string, name: string, now: Date, opts: { days?: number } = {}): Promise<string> {
  const days = opts.days ?? DEFAULT_TOKEN_DAYS;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new RangeError('token term must be 1–3650 days');
  const token = randomToken('gz_');
  await db
    .insertInto('api_tokens')
    .values({ token_hash: await hash(token), staff_id: staffId, name, created_at: now, expires_at: new Date(now.getTime() + days * DAY_MS) })
    .execute();
  return token;
}

/** The staff member a token speaks for: not revoked, not expired, and their account not disabled. */
export async function staffForToken(db: Db, token: string, now: Date): Promise<string | null> {
  const row = await db
    .selectFrom('api_tokens as t')
    .leftJoin('console_accounts as a', 'a.staff_id', 't.staff_id')
    .select('t.staff_id')
    .where('t.token_hash', '=', await hash(token))
    .where('t.revoked_at', 'is', null)
    .where('t.expires_at', '>', now)
    .where('a.disabled_at', 'is', null)
    .executeTakeFirst();
  return row?.staff_id ?? null;
}

/** Revokes one token, given the token itself; false when it was unknown or already revoked. */
export async function revokeApiToken(db: Db, token: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: now }).where('token_hash', '=', await hash(token)).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Revokes every live token of a staff member (a lost laptop, someone leaving); returns how many. */
export async function revokeStaffTokens(db: Db, staffId: string, now: Date): Promise<number> {
  const r = await db.updateTable('api_tokens').set({ revoked_at: now }).where('staff_id', '=', staffId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
