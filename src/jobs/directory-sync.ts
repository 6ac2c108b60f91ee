import { chinaDate, chinaMidnight } from '../domain/china-time';
import { formatChange } from '../directory/diff';
import { PlatformSyncError } from '../directory/platform-sources';
import { runDirectorySync } from '../directory/sync';
import type { Services } from '../services';
import { claimRun } from './digests';

/**
 * The scheduled contacts sync (directorySync in the configuration): once a China day after
 * `dailyAt`, per platform, claimed in scheduled_runs so one instance runs it. A failure is
 * logged and not retried until the next day (the console's button runs it on demand).
 */
export async function runScheduledDirectorySync(services: Services, now: Date = services.now()): Promise<string[]> {
  const cfg = services.config.directorySync;
  if (!cfg || cfg.platforms.length === 0) return [];
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
    const key = `directory-sync:${platform}:${today}`;
    if (!(await claimRun(services, key, now))) continue;
    ran.push(key);
    try {
      const { plan, result } = await runDirectorySync(services.db, services.liveDirectory, source, { apply: cfg.apply, author: 'schedule' });
      if (!result.ok) services.logger.error('directory.sync_invalid', { platform, problems: result.issues.slice(0, 20).map((i) => `${i.path.join('.')}: ${i.message}`) });
      else services.logger.info('directory.synced', { platform, applied: result.written, revision: result.revision, changes: result.changes.slice(0, 50).map(formatChange), notes: plan.notes });
    } catch (e) {
      if (!(e instanceof PlatformSyncError)) throw e;
      services.logger.error('directory.sync_failed', { platform, error: e.message });
    }
  }
  return ran;
}
