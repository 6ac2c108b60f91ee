import type { Db } from '../db/database';
import { hashPassword, verifyPassword } from '../auth/password';
import { revokeStaffTokens } from './api-tokens';

/** Creates or resets a staff member's console password; existing sessions end. */
export async function setConsolePassword(db: Db, staffId: string, password: string, now: Date): Promise<void> {
  const password_hash = await hashPassword(password);
  await db
    .insertInto('console_accounts')
    .values({ staff_id: staffId, password_hash, password_changed_at: now, created_at: now })
    .onConflict((oc) => oc.column('staff_id').doUpdateSet({ password_hash, password_changed_at: now, disabled_at: null }))
    .execute();
}

/**
 * Blocks console sign-in for a staff member — password and WeCom/DingTalk sign-in alike; open
 * sessions end and API tokens are revoked, so re-enabling the account later does not bring them back.
 */
export async function disableConsoleAccount(db: Db, staffId: string, now: Date): Promise<boolean> {
  const staff = await db.selectFrom('staff').select('id').where('id', '=', staffId).executeTakeFirst();
  if (!staff) return false;
  await db
    .insertInto('console_accounts')
    // "!" is no PBKDF2 hash: no password can match it.
    .values({ staff_id: staffId, password_hash: '!', password_changed_at: now, created_at: now, disabled_at: now })
    .onConflict((oc) => oc.column('staff_id').doUpdateSet({ disabled_at: now }))
    .execute();
  await revokeStaffTokens(db, staffId, now);
  return true;
}

/** The staff id when the password is right and the account active (and the staff member still listed). */
export async function checkConsolePassword(db: Db, staffId: string, password: string): Promise<boolean> {
  const row = await db
    .selectFrom('console_accounts as a')
    .innerJoin('staff as s', 's.id', 'a.staff_id')
    .select(['a.password_hash'])
    .where('a.staff_id', '=', staffId)
    .where('a.disabled_at', 'is', null)
    .where('s.active', '=', true)
    .executeTakeFirst();
  // Hash even for unknown accounts, so timing does not tell which staff ids exist.
  const ok = await verifyPassword(password, row?.password_hash ?? 'pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
  return Boolean(row) && ok;
}

/**
 * A session is valid while the account is not disabled and its password unchanged since the
 * session began. Staff who only ever sign in through WeCom or DingTalk have no row at all.
 */
export async function sessionStillValid(db: Db, staffId: string, issuedAt: Date): Promise<boolean> {
  const row = await db
    .selectFrom('console_accounts')
    .select(['password_changed_at', 'disabled_at'])
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  if (!row) return true;
  return !row.disabled_at && row.password_changed_at.getTime() <= issuedAt.getTime();
}

export async function consoleAccountDisabled(db: Db, staffId: string): Promise<boolean> {
  const row = await db.selectFrom('console_accounts').select('disabled_at').where('staff_id', '=', staffId).executeTakeFirst();
  return Boolean(row?.disabled_at);
}
