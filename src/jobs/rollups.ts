import { refreshRollups, type RollupRefresh } from '../reports/counts';
import type { Services } from '../services';

// Each scheduler tick stores the ranking counts of the days that changed since the last one
// (src/reports/counts.ts). Rankings never wait for it: a day not yet stored is counted live, so
// this only decides how much of a ranking is read from the store.

/** Days recounted per tick: after the upgrade a province's five years are stored in about 30 ticks. */
const DAYS_PER_TICK = 62;

export async function runRollupJobs(services: Services, now: Date): Promise<RollupRefresh> {
  const r = await refreshRollups(services.db, now, DAYS_PER_TICK);
  if (r.days.length) services.logger.info('rollups.refreshed', { days: r.days.length, remaining: r.remaining });
  return r;
}
