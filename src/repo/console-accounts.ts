import type { Db } from '../db/database';
import { hashPassword, verifyPassword } from '../auth/password';

/** Creates or resets a staff member's console password; existing sessions end. */
export async function setConsolePassword(db: Db, staffId: string, password: string, now: Date): Promise<void> {
  const password_hash = await hashPassword(password);
  await db
    .insertInto('console_accounts')
    .values({ staff_id: staffId, password_hash, password_changed_at: now, created_at: now })
    .onConflict((oc) => oc.column('staff_id').doUpdateSet({ password_hash, password_changed_at: now, disabled_at: null }))
    .execute();
}

export async function disableConsoleAccount(db: Db, staffId: string, now: Date): Promise<boolean> {
  const r = await db.updateTable('console_accounts').set({ disabled_at: now }).where('staff_id', '=', staffId).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
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

/** A session is valid while the account is active and its password unchanged since the session began. */
export async function sessionStillValid(db: Db, staffId: string, issuedAt: Date): Promise<boolean> {
  const row = await db
    .selectFrom('console_accounts')
    .select(['password_changed_at', 'disabled_at'])
    .where('staff_id', '=', staffId)
    .executeTakeFirst();
  return Boolean(row && !row.disabled_at && row.password_changed_at.getTime() <= issuedAt.getTime());
}
