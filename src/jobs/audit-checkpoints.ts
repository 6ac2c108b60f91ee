import { chainSoon } from '../audit/chainer';
import { monthlyCheckpointText, writeDailyCheckpoint } from '../audit/checkpoints';
import { chinaDate } from '../domain/china-time';
import { PLATFORMS } from '../domain/message';
import { roleDirectPosts } from '../pipeline/notify';
import type { Services } from '../services';
import { claimAndEnqueue, previousMonth } from './digests';

/**
 * The audit side of the scheduler: the chainer's run, yesterday's checkpoint on the first tick of each China
 * day, and on the monthly report day the previous month's closing checkpoint sent one-to-one
 * to every supervisor (纪委监委), keyed in scheduled_runs like the other monthly posts.
 */
export async function runAuditJobs(services: Services, now: Date = services.now()): Promise<string[]> {
  const done: string[] = [];
  // Events written outside the pipeline's batches (console, API, this tick's sweep) are chained
  // here, and the day's checkpoint then covers everything committed before the tick.
  await chainSoon(services.db);
  const written = await writeDailyCheckpoint(services.db, now);
  if (written) done.push(`audit:checkpoint:${written}`);
  const today = chinaDate(now);
  if (Number(today.slice(8, 10)) !== services.config.digest.monthlyOnDay) return done;
  const month = previousMonth(today);
  const text = await monthlyCheckpointText(services.db, month, `${today.slice(0, 7)}-01`);
  for (const platform of PLATFORMS) {
    const posts = roleDirectPosts(services.directory, 'supervisor', platform, text, null, 'digest');
    if (!posts.length) continue;
    const key = `audit:monthly:${month}:${platform}`;
    // One transaction: a crash after a separate claim would have lost the month's package for good.
    if (!(await claimAndEnqueue(services, key, now, posts))) continue;
    done.push(key);
  }
  if (done.some((k) => k.startsWith('audit:monthly'))) services.defer(services.drainer.drainOnce());
  return done;
}
