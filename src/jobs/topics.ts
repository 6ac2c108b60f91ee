import { LEARNED_PAIR_MODEL } from '../domain/topics/pair-model';
import { chinaDate, chinaMidnight } from '../domain/china-time';
import type { Platform } from '../domain/message';
import { createTopicIndex, reconcileTopics, type AreaName, type TopicIndex } from '../domain/topics';
import { CATEGORY_NAMES, type Category } from '../domain/taxonomy';
import { regionScope, type Org } from '../domain/regions';
import { textPayload } from '../pipeline/notify';
import type { OutboxEntry } from '../repo/outbox';
import { applyTopicPlan, listTopicSummaries, retitleTopics, storedTopics, topicSourceTickets, topicWatermark, type TopicSummary } from '../repo/topics';
import type { Services } from '../services';
import { claimAndEnqueue } from './digests';

// One index per running process: a refresh tokenises only tickets it has not seen before.
const indexes = new WeakMap<object, { names: string; index: TopicIndex }>();

/**
 * Where a ticket comes from, for the topics: the county-level region (the city's child) of its
 * group, or for a one-to-one report of the department handling it; null at the city level or in
 * a single-county deployment. Every region's name (towns and parks too) names its county-level area.
 */
export function topicAreas(org: Org): {
  names: AreaName[];
  /** The regions below county level (towns, streets, park sections), each by its own id. */
  places: AreaName[];
  key: string;
  of: (groupRegion: string | null | undefined, departmentId: string | null | undefined) => string | null;
  /** A group's own region when it lies below its county-level area; else null. */
  placeOf: (groupRegion: string | null | undefined) => string | null;
} {
  const county = (id: string | null | undefined): string | null => {
    const r = org.region(id);
    if (!org.declared || !r || r.id === org.root.id) return null;
    return (org.childContaining(org.root.id, r.id) ?? r).id;
  };
  const names = org.regions.flatMap((r) => {
    const id = county(r.id);
    return id ? [{ id, name: r.name }] : [];
  });
  // A burst of one problem in one town is read in the town as well as its county (see TopicDoc.place).
  const places = org.regions.flatMap((r) => {
    const id = county(r.id);
    return id && id !== r.id ? [{ id: r.id, name: r.name }] : [];
  });
  return {
    names,
    places,
    key: [...names, ...places.map((p) => ({ ...p, id: `.${p.id}` }))].map((a) => `${a.id}=${a.name}`).join(','),
    of: (groupRegion, departmentId) => (groupRegion ? county(org.groupRegion(groupRegion)) : county(org.departmentRegion(departmentId))),
    placeOf: (groupRegion) => {
      if (!groupRegion) return null;
      const id = org.groupRegion(groupRegion);
      const c = county(id);
      return c && c !== id ? id : null;
    },
  };
}

/** Bump when the title builder changes what it may quote: every stored title is rebuilt once. */
export const RETITLE_KEY = 'topics:retitle:2026-12-03';
const retitled = new WeakSet<object>();

/**
 * Titles stored before the privacy fix may quote a one-to-one report: the first scheduler tick
 * after start-up rebuilds them all with today's masked title builder, once across instances (the
 * claim and the rewrite commit together, so a crash in between leaves it to the next tick).
 */
export async function retitleStoredTopics(services: Services, now: Date = services.now()): Promise<number | null> {
  const { db } = services;
  if (retitled.has(db)) return null;
  const changed = await db.transaction().execute(async (tx) => {
    const claimed = await tx.insertInto('scheduled_runs').values({ key: RETITLE_KEY, ran_at: now }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
    return claimed ? retitleTopics(tx) : null;
  });
  retitled.add(db);
  if (changed !== null) services.logger.info('topics.retitled', { changed });
  return changed;
}

export interface TopicRefresh {
  skipped: boolean;
  tickets: number;
  topics: number;
  millis: number;
}

/**
 * Re-clusters the window's tickets and lays the result over the stored topics. Runs from the
 * scheduler, never in a message's transaction: a new report joins its topic at the next refresh.
 * Skipped when no ticket in the window changed since the last run.
 */
export async function refreshTopics(services: Services, now: Date = services.now(), opts: { force?: boolean } = {}): Promise<TopicRefresh> {
  const { db, config } = services;
  const since = new Date(now.getTime() - config.topics.windowDays * 86_400_000);
  const areas = topicAreas(services.directory.org);
  // What the topics depend on besides the tickets: the method and the region tree's names.
  const watermark = `${await topicWatermark(db, since)}|${config.topics.method}|${areas.key}`;
  const last = await db.selectFrom('topic_refreshes').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!opts.force && last?.watermark === watermark) return { skipped: true, tickets: last.tickets, topics: last.topics, millis: 0 };
  const started = Date.now();
  const tickets = await topicSourceTickets(db, since);
  let entry = indexes.get(db);
  // A new directory revision may rename or add areas: the index starts again with the new names.
  if (!entry || entry.names !== areas.key) indexes.set(db, (entry = { names: areas.key, index: createTopicIndex({ areas: areas.names, places: areas.places }) }));
  const clusters = entry.index.cluster(
    tickets.map((t) => ({ id: t.id, text: t.content, category: t.category, enterprise: t.enterprise, at: t.received_at.getTime(), area: areas.of(t.group_region, t.department_id), place: areas.placeOf(t.group_region) })),
    { minEnterprises: config.topics.minEnterprises, pairModel: config.topics.method === 'learned' ? LEARNED_PAIR_MODEL : null },
  );
  await db.transaction().execute(async (tx) => {
    // One refresh at a time across instances: the row lock queues the second.
    await tx.insertInto('topic_refreshes').values({ id: 1, ran_at: now, watermark: '', tickets: 0, topics: 0, millis: 0 }).onConflict((oc) => oc.column('id').doNothing()).execute();
    await tx.selectFrom('topic_refreshes').select('id').where('id', '=', 1).forUpdate().execute();
    const plan = reconcileTopics(await storedTopics(tx), clusters);
    await applyTopicPlan(tx, plan, now);
    const millis = Date.now() - started;
    await tx.updateTable('topic_refreshes').set({ ran_at: now, watermark, tickets: tickets.length, topics: clusters.length, millis }).where('id', '=', 1).execute();
  });
  const millis = Date.now() - started;
  services.logger.info('topics.refreshed', { tickets: tickets.length, topics: clusters.length, millis });
  return { skipped: false, tickets: tickets.length, topics: clusters.length, millis };
}

/**
 * Who handles a topic, for the 通报, the Monday list and the console: its departments, and how
 * many of its reports no department has yet (a topic of undispatched reports says so plainly
 * rather than listing 待分派 as if it were a department).
 */
export function topicHandlersText(t: Pick<TopicSummary, 'departments' | 'unassignedTickets'>): string {
  if (!t.departments.length) return '承办：尚未分派到部门';
  return `承办：${t.departments.join('、')}${t.unassignedTickets ? `（另有 ${t.unassignedTickets} 件待分派）` : ''}`;
}

const days = (from: Date, to: Date) => Math.max(0, Math.floor((to.getTime() - from.getTime()) / 86_400_000));

/** The Monday list for 营商办: counts, groups, departments, age and masked samples. */
export function weeklyTopicsText(topics: TopicSummary[], now: Date): string {
  const lines = ['【面上问题周报】以下问题有多家企业反映，可确认后在工作台「会商会办」提级为协同办：'];
  topics.forEach((t, i) => {
    lines.push(
      `${i + 1}. ${CATEGORY_NAMES[t.category as Category] ?? t.category}｜${t.enterprises} 家企业 ${t.tickets} 件（在办 ${t.openTickets}）｜最早 ${days(t.firstAt, now)} 天前`,
      `   群：${[...t.groups, ...(t.privateTickets ? [`一对一 ${t.privateTickets} 件`] : [])].join('、')}；${topicHandlersText(t)}`,
      ...t.samples.slice(0, 2).map((s) => `   · ${s}`),
    );
  });
  return lines.join('\n');
}

const PLATFORMS: Platform[] = ['wecom', 'dingtalk', 'local'];

/**
 * The scheduler's topic work: a refresh every `topics.refreshMinutes`, and on Monday after the
 * daily digest time the top candidates one-to-one to every dispatcher, each the topics of their own
 * region (once, whatever the instances).
 */
export async function runTopicJobs(services: Services, now: Date = services.now()): Promise<{ refresh: TopicRefresh | null; weekly: boolean }> {
  const { db, config } = services;
  await retitleStoredTopics(services, now);
  const last = await db.selectFrom('topic_refreshes').select('ran_at').where('id', '=', 1).executeTakeFirst();
  const due = !last || now.getTime() - last.ran_at.getTime() >= config.topics.refreshMinutes * 60_000;
  const refresh = due ? await refreshTopics(services, now) : null;
  const today = chinaDate(now);
  const dueAt = new Date(chinaMidnight(today).getTime() + (Number(config.digest.dailyAt.slice(0, 2)) * 60 + Number(config.digest.dailyAt.slice(3))) * 60_000);
  let weekly = false;
  const weeklyKey = `topics:weekly:${today}`;
  const sentAlready = async () => !!(await db.selectFrom('scheduled_runs').select('key').where('key', '=', weeklyKey).executeTakeFirst());
  if (new Date(`${today}T00:00:00Z`).getUTCDay() === 1 && now >= dueAt && !(await sentAlready())) {
    if (!due) await refreshTopics(services, now);
    // Each 营商办 gets the topics of its own scope (ticketScope: a county's own, the city's all).
    const { directory } = services;
    const posts: OutboxEntry[] = [];
    for (const region of directory.org.regions) {
      const accounts = PLATFORMS.map((p) => [p, directory.roleAccountsIn('dispatcher', region.id, p)] as const).filter(([, a]) => a.length);
      if (!accounts.length) continue;
      const scope = regionScope(region.id, directory.org);
      const top = await listTopicSummaries(db, { statuses: ['candidate', 'confirmed'], limit: config.topics.weeklyTop, scope });
      // A quiet week sends nothing: 营商办 gets enough messages.
      if (!top.length) continue;
      const text = weeklyTopicsText(top, now);
      for (const [platform, users] of accounts) for (const userId of users) posts.push({ platform, kind: 'digest', target: { kind: 'direct', userId }, payload: textPayload(text), ticketId: null, groupId: null });
    }
    // Claimed with its posts in one transaction (a quiet week claims nothing to send): a crash
    // between a claim and its posts lost the week's list; now the next tick sends it.
    if ((await claimAndEnqueue(services, weeklyKey, now, posts)) && posts.length) {
      services.defer(services.drainer.drainOnce());
      weekly = true;
    }
  }
  return { refresh, weekly };
}
