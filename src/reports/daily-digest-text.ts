import type { Db } from '../db/database';
import type { Org } from '../domain/regions';
import type { SlaClock } from '../domain/sla';
import { templates } from '../domain/templates';
import { dailyDigest } from './queries';
import { regionDaySummary, regionDigestLines } from './regions';

/**
 * The daily digest's text for one group (or, with none, the whole deployment), as the scheduled
 * post and `cli report daily` both print it: a city's digest ends with a line per county.
 * `publicOnly`: posted into (or shown as) a group's digest, it names no private ticket.
 */
export async function dailyDigestText(
  deps: { db: Db; sla: SlaClock; org: Org },
  opts: { group: { id: string; name: string; region?: string | null | undefined } | null; deploymentName: string; at: Date; publicOnly: boolean },
): Promise<string> {
  const { db, sla, org } = deps;
  const digest = await dailyDigest(db, sla, { groupId: opts.group?.id ?? null, groupName: opts.group?.name ?? opts.deploymentName, at: opts.at, publicOnly: opts.publicOnly });
  // A city's groups also hear how each county stands; a county's keep their own digest.
  const region = opts.group ? org.groupRegion(opts.group.region) : org.root.id;
  const counties = org.children(region).length ? regionDigestLines(await regionDaySummary(db, org, region, opts.at)) : '';
  return [templates.dailyDigest(digest), counties].filter(Boolean).join('\n');
}
