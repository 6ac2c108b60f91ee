import type { Db, Tx } from '../db/database';
import { pruneRateLimits } from '../repo/rate-limits';
import { addDays, chinaDate, chinaMidnight } from '../domain/china-time';
import { templates } from '../domain/templates';
import { hasOutbound, textPayload } from '../pipeline/notify';
import { listGroups, type GroupRecord } from '../repo/directory';
import { enqueueOutbox } from '../repo/outbox';
import { monthPeriod, type Period } from '../reports/queries';
import { dailyDigestText } from '../reports/daily-digest-text';
import { regionDepartmentRanking, regionRankingText, regionStandings } from '../reports/regions';
import type { Services } from '../services';
import { runAuditJobs } from './audit-checkpoints';
import { runSweep } from './sweep';
import { runScheduledDirectorySync } from './directory-sync';
import { monthlyExtras } from './monthly-extras';
import { runRollupJobs } from './rollups';
import { runSurveyJobs } from './survey';
import { runTopicJobs } from './topics';

/** Claims a scheduled run; false when another instance (or an earlier sweep) already did it. */
export async function claimRun(services: Services, key: string, now: Date): Promise<boolean> {
  return claimKey(services.db, key, now);
}

/** The claim itself, on the database or inside a caller's transaction. */
async function claimKey(db: Db | Tx, key: string, now: Date): Promise<boolean> {
  const r = await db.insertInto('scheduled_runs').values({ key, ran_at: now }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
  return !!r;
}

/** Whether a scheduled run was already done: a cheap check before composing its post. */
async function alreadyRan(services: Services, key: string): Promise<boolean> {
  return !!(await services.db.selectFrom('scheduled_runs').select('key').where('key', '=', key).executeTakeFirst());
}

/**
 * Claims the run and queues its posts in one transaction: an instance killed in between
 * leaves neither, so the next tick (here or on another instance) posts it — never lost, never twice.
 * Used by the digests, the rankings and the supervisors' checkpoint package.
 */
export async function claimAndEnqueue(services: Services, key: string, now: Date, items: Parameters<typeof enqueueOutbox>[1]): Promise<boolean> {
  return services.db.transaction().execute(async (tx) => {
    const claimed = await claimKey(tx, key, now);
    if (claimed) await enqueueOutbox(tx, items, now);
    return claimed;
  });
}

function digestGroups(services: Services, groups: GroupRecord[]): GroupRecord[] {
  const wanted = services.config.digest.groups;
  return groups.filter((g) => hasOutbound(g) && (wanted.length === 0 || wanted.includes(g.id)));
}


export const previousMonth = (date: string) => {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

/**
 * Posts what is due at `now`: each group's daily digest after the configured time, and on
 * the configured day the previous month's ranking. Each post is keyed in scheduled_runs,
 * so neither a second instance nor a second sweep in the same minute posts it again.
 */
export async function postDueDigests(services: Services, now: Date = services.now()): Promise<string[]> {
  const { config } = services;
  const today = chinaDate(now);
  const dueAt = new Date(chinaMidnight(today).getTime() + (Number(config.digest.dailyAt.slice(0, 2)) * 60 + Number(config.digest.dailyAt.slice(3))) * 60_000);
  if (now < dueAt) return [];
  const posted: string[] = [];
  const groups = digestGroups(services, await listGroups(services.db));
  const org = services.directory.org;
  for (const g of groups) {
    const key = `digest:daily:${g.id}:${today}`;
    if (await alreadyRan(services, key)) continue;
    const text = await dailyDigestText({ db: services.db, sla: services.sla, org }, { group: g, deploymentName: services.config.deployment.name, at: dueAt, publicOnly: true });
    const items = [{ platform: g.platform, kind: 'digest' as const, target: { kind: 'group' as const, chatId: g.chatId }, payload: textPayload(text), groupId: g.id }];
    if (!(await claimAndEnqueue(services, key, now, items))) continue;
    posted.push(key);
  }
  const rankingPosts: Array<{ key: string; title: string; period: Period }> = [];
  // 周总结 on Mondays for the week before; 月通报 on the configured day for the month before.
  if (new Date(`${today}T00:00:00Z`).getUTCDay() === 1) {
    const from = chinaMidnight(addDays(today, -7));
    rankingPosts.push({ key: `report:weekly:${addDays(today, -7)}`, title: `${addDays(today, -7)} 至 ${addDays(today, -1)} 周总结`, period: { from, to: chinaMidnight(today) } });
  }
  if (Number(today.slice(8, 10)) === config.digest.monthlyOnDay) {
    const month = previousMonth(today);
    rankingPosts.push({ key: `report:monthly:${month}`, title: `${month} 月度通报`, period: monthPeriod(month) });
  }
  for (const r of rankingPosts) {
    // Each level's groups get their own region's departments, and a city's also the ranking of its counties.
    const perRegion = new Map<string, Promise<string[]>>();
    const textsFor = (region: string) => {
      let texts = perRegion.get(region);
      if (!texts) {
        texts = (async () => {
          const out = [templates.ranking(r.title, await regionDepartmentRanking(services.db, r.period, now, org, region))];
          if (org.children(region).length) {
            const standings = await regionStandings(services.db, r.period, now, org, region);
            out.push(regionRankingText(r.title, standings.ranked, standings.idle));
          }
          if (r.key.startsWith('report:monthly:')) out.push(...(await monthlyExtras(services, r.period, now, region)));
          return out;
        })();
        perRegion.set(region, texts);
      }
      return texts;
    };
    for (const g of groups) {
      const key = `${r.key}:${g.id}`;
      if (await alreadyRan(services, key)) continue;
      const texts = await textsFor(org.groupRegion(g.region));
      const items = texts.map((text) => ({ platform: g.platform, kind: 'digest' as const, target: { kind: 'group' as const, chatId: g.chatId }, payload: textPayload(text), groupId: g.id }));
      if (!(await claimAndEnqueue(services, key, now, items))) continue;
      posted.push(key);
    }
  }
  if (posted.length) {
    services.logger.info('digest.posted', { keys: posted });
    services.defer(services.drainer.drainOnce());
  }
  return posted;
}

/** One tick of the scheduler: every minute on Node, each Cron Trigger on Workers. */
export async function runScheduledWork(services: Services, now: Date = services.now()) {
  // Messages acknowledged but never processed (the process stopped in between) come first.
  const recovered = await services.pipeline.recoverAccepted();
  const sweep = await runSweep(services, now);
  // Before the digests, so a ranking due now reads the days the sweep just changed from the store.
  const rollups = await runRollupJobs(services, now);
  const digests = await postDueDigests(services, now);
  // Every tick tries; only the first of a China day writes the checkpoint (src/audit/checkpoints.ts).
  const audit = await runAuditJobs(services, now);
  // 面上问题 are refreshed here, outside any message's transaction; the survey opens, reminds and closes.
  const topics = await runTopicJobs(services, now);
  const survey = await runSurveyJobs(services, now);
  const directorySync = await runScheduledDirectorySync(services, now);
  // Webhook retries come due on this clock too; yesterday's rate-limit windows are of no use.
  const webhooks = await services.webhooks.deliverOnce();
  await pruneRateLimits(services.db, new Date(now.getTime() - 86_400_000));
  return { recovered, sweep, rollups, digests, audit, webhooks, topics, survey, directorySync };
}
