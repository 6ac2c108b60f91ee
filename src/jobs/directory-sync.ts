import type { Db, Tx } from '../db/database';
import { chinaDate, chinaMidnight } from '../domain/china-time';
import { formatChange } from '../directory/diff';
import { PlatformSyncError } from '../directory/platform-sources';
import { runDirectorySync } from '../directory/sync';
import { DirectoryConflictError } from '../repo/directory-store';
import type { Services } from '../services';

/**
 * How long one instance's claim on a day's sync keeps the others off. A sync that has not
 * recorded its outcome by then is taken to have died (its fetches give up after 10 s each, but a
 * large organisation takes many), and the next sweep, here or on another instance, runs it again.
 * The claim only spares the platform a second fetch: whichever run records the day first wins.
 */
export const DIRECTORY_SYNC_LEASE_MS = 10 * 60_000;

/** Thrown inside the revision's transaction when another run recorded the day meanwhile: nothing is written. */
class SyncTakenOver extends Error {}

/** The claim: new, or taken over from one older than the lease. */
async function claimLease(db: Db, key: string, now: Date): Promise<boolean> {
  const stale = new Date(now.getTime() - DIRECTORY_SYNC_LEASE_MS);
  const r = await db
    .insertInto('scheduled_runs')
    .values({ key, ran_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ ran_at: now }).where('scheduled_runs.ran_at', '<=', stale))
    .returning('key')
    .executeTakeFirst();
  return !!r;
}

const dayRecorded = async (db: Db, key: string) => !!(await db.selectFrom('scheduled_runs').select('key').where('key', '=', key).executeTakeFirst());

/**
 * The day's run recorded as done, unless another run recorded it first. Inside the revision's
 * transaction when the sync writes one, so the two commit together; a concurrent recorder waits
 * on the key and then finds it taken. Not tied to still holding the claim: a sync that always
 * outlives it would otherwise be taken over and discarded by the next sweep, every time, all day.
 */
async function recordDone(tx: Tx, doneKey: string, now: Date): Promise<void> {
  const done = await tx.insertInto('scheduled_runs').values({ key: doneKey, ran_at: now }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
  if (!done) throw new SyncTakenOver();
}

/**
 * The scheduled contacts sync (directorySync in the configuration): once a China day after
 * `dailyAt`, per platform. An instance claims the day for DIRECTORY_SYNC_LEASE_MS, and the day
 * counts as done only when its outcome is recorded — with the revision it writes, in one
 * transaction. A crash after the claim is made up by a sweep once the claim lapses; two instances
 * never both write the day's revision. A platform failure is logged and recorded as the day's
 * outcome (the console's button runs it on demand).
 */
export async function runScheduledDirectorySync(services: Services, now: Date = services.now()): Promise<string[]> {
  const cfg = services.config.directorySync;
  if (!cfg || cfg.platforms.length === 0) return [];
  const { db } = services;
  const today = chinaDate(now);
  const dueAt = new Date(chinaMidnight(today).getTime() + (Number(cfg.dailyAt.slice(0, 2)) * 60 + Number(cfg.dailyAt.slice(3))) * 60_000);
  if (now < dueAt) return [];
  const ran: string[] = [];
  for (const platform of cfg.platforms) {
    const source = services.directorySources.find((s) => s.platform === platform);
    if (!source) {
      services.logger.warn('directory.sync_unconfigured', { platform, hint: platform === 'wecom' ? 'set WECOM_CORP_ID and WECOM_CONTACTS_SECRET (or WECOM_APP_SECRET)' : 'set DINGTALK_CLIENT_ID and DINGTALK_CLIENT_SECRET' });
      continue;
    }
    // The key earlier versions claimed up front: a day they claimed counts as done.
    const key = `directory-sync:${platform}:${today}`;
    const leaseKey = `directory-sync-claim:${platform}:${today}`;
    if (await dayRecorded(db, key)) continue;
    if (!(await claimLease(db, leaseKey, now))) continue;
    ran.push(key);
    const record = (tx: Tx) => recordDone(tx, key, services.now());
    try {
      try {
        const { plan, result } = await runDirectorySync(db, services.liveDirectory, source, { apply: cfg.apply, author: 'schedule', inTransaction: record });
        if (!(result.ok && result.written)) await db.transaction().execute(record);
        if (!result.ok) services.logger.error('directory.sync_invalid', { platform, problems: result.issues.slice(0, 20).map((i) => `${i.path.join('.')}: ${i.message}`) });
        else services.logger.info('directory.synced', { platform, applied: result.written, revision: result.revision, changes: result.changes.slice(0, 50).map(formatChange), notes: plan.notes });
      } catch (e) {
        if (!(e instanceof PlatformSyncError)) throw e;
        await db.transaction().execute(record);
        services.logger.error('directory.sync_failed', { platform, error: e.message });
      }
    } catch (e) {
      // A run that came back late on an instance whose directory is behind collides with the day's
      // revision before it gets to record the day: the same outcome, not a failed tick.
      const taken = e instanceof SyncTakenOver || (e instanceof DirectoryConflictError && (await dayRecorded(db, key)));
      if (!taken) throw e;
      services.logger.warn('directory.sync_taken_over', { platform, day: today, hint: `this sync outlived its ${DIRECTORY_SYNC_LEASE_MS / 60_000}-minute claim and another run recorded the day first: nothing written here` });
    }
  }
  return ran;
}
