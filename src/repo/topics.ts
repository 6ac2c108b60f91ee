import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import { maskedExcerpt } from '../domain/mask';
import { publicWords } from '../domain/contact-details';
import type { TicketScope } from '../domain/regions';
import { CATEGORY_NAMES, type Category } from '../domain/taxonomy';
import type { StoredTopic, TopicCluster, TopicPlan, TopicStatus } from '../domain/topics';
import { scopeCondition } from './scope';

const enterpriseKey = sql<string>`coalesce(nullif(t.reporter_enterprise, ''), nullif(r.enterprise, ''), 'r' || t.requester_id::text)`;

/** The tickets a refresh clusters: received in the window, any status but merged (the merged-into ticket stands for them). */
export async function topicSourceTickets(db: Db, since: Date) {
  return db
    .selectFrom('tickets as t')
    .leftJoin('requesters as r', 'r.id', 't.requester_id')
    .leftJoin('groups as g', 'g.id', 't.group_id')
    .select(['t.id', 't.content', 't.category', 't.received_at', 't.department_id', 'g.region as group_region', enterpriseKey.as('enterprise')])
    .where('t.received_at', '>=', since)
    .where('t.status', '!=', 'merged')
    .execute();
}

/** Changes when a ticket in the window is added or changed: the refresh is skipped otherwise. */
export async function topicWatermark(db: Db, since: Date): Promise<string> {
  const r = await db
    .selectFrom('tickets')
    .select([sql<number>`count(*)`.as('n'), sql<number>`coalesce(min(id), 0)`.as('min_id'), sql<number>`coalesce(max(id), 0)`.as('max_id'), sql<string>`coalesce(max(updated_at)::text, '')`.as('max_at')])
    .where('received_at', '>=', since)
    .executeTakeFirstOrThrow();
  // Not the window's start itself: it moves with every call, and the refresh would never be skipped.
  // A ticket leaving the window changes the count or the lowest id; one arriving, the highest.
  return `${r.n}|${r.min_id}|${r.max_id}|${r.max_at}`;
}

export async function storedTopics(db: Db | Tx): Promise<StoredTopic[]> {
  const rows = await db.selectFrom('topics as p').innerJoin('topic_tickets as m', 'm.topic_id', 'p.id').select(['p.id', 'p.status', 'm.ticket_id', 'm.pinned']).execute();
  const by = new Map<number, StoredTopic>();
  for (const r of rows) {
    const t = by.get(r.id) ?? { id: r.id, status: r.status as TopicStatus, ticketIds: [], pinned: [] };
    t.ticketIds.push(r.ticket_id);
    if (r.pinned) t.pinned.push(r.ticket_id);
    by.set(r.id, t);
  }
  return [...by.values()];
}

/**
 * A topic's title: a masked excerpt of a PUBLIC member (the representative if it is public, else
 * the earliest public one). A private (one-to-one) report's words never become a title, because
 * titles reach other people (console lists, joint-case briefs); a topic of private reports only is
 * named by its category and count.
 */
async function titleFrom(tx: Tx, ticketIds: number[], preferred: number | null, category: string): Promise<string> {
  const rows = ticketIds.length ? await tx.selectFrom('tickets').select(['id', 'content', 'is_private', 'origin_chat_type', 'origin_platform']).where('id', 'in', ticketIds).orderBy('received_at').orderBy('id').execute() : [];
  const pub = rows.filter((r) => !r.is_private);
  const rep = pub.find((r) => r.id === preferred) ?? pub[0];
  // A published one-to-one report is named without its contact details (/公开 promises 隐去联系方式).
  if (rep) return maskedExcerpt(publicWords(rep), 60);
  return `${CATEGORY_NAMES[category as Category] ?? category}类共性问题（${rows.length} 件一对一反映）`;
}

const titleFor = (tx: Tx, c: TopicCluster) => titleFrom(tx, c.ticketIds, c.representativeId, c.category);

/**
 * Rebuilds every stored title with today's title builder: titles written by an older release may
 * quote a one-to-one report or an unmasked number, and a decided topic's title is otherwise never
 * rewritten. A title that is already a masked excerpt of a public member keeps that member; a
 * joint case still carrying its topic's old title (not one a person typed) follows it. Returns
 * the number of titles changed.
 */
export async function retitleTopics(tx: Tx): Promise<number> {
  const topics = await tx.selectFrom('topics').select(['id', 'title', 'category']).orderBy('id').execute();
  let changed = 0;
  for (const t of topics) {
    const members = await tx
      .selectFrom('topic_tickets as m')
      .innerJoin('tickets as k', 'k.id', 'm.ticket_id')
      .select(['k.id', 'k.content', 'k.is_private', 'k.origin_chat_type', 'k.origin_platform'])
      .where('m.topic_id', '=', t.id)
      .execute();
    const same = members.find((m) => !m.is_private && maskedExcerpt(publicWords(m), 60) === t.title);
    const title = await titleFrom(
      tx,
      members.map((m) => m.id),
      same?.id ?? null,
      t.category,
    );
    if (title === t.title) continue;
    await tx.updateTable('topics').set({ title }).where('id', '=', t.id).execute();
    await tx.updateTable('joint_cases').set({ title }).where('topic_id', '=', t.id).where('title', '=', t.title).execute();
    changed++;
  }
  return changed;
}

/** Writes a reconcile plan: one transaction, so the console never sees half a refresh. */
export async function applyTopicPlan(tx: Tx, plan: TopicPlan, now: Date): Promise<void> {
  if (plan.remove.length) await tx.deleteFrom('topics').where('id', 'in', plan.remove).where('status', '=', 'candidate').execute();
  for (const u of plan.update) await tx.deleteFrom('topic_tickets').where('topic_id', '=', u.id).where('pinned', '=', false).execute();
  const insertMembers = async (topicId: number, ids: number[]) => {
    for (let i = 0; i < ids.length; i += 500) {
      await tx
        .insertInto('topic_tickets')
        .values(ids.slice(i, i + 500).map((ticket_id) => ({ ticket_id, topic_id: topicId })))
        .onConflict((oc) => oc.column('ticket_id').doNothing())
        .execute();
    }
  };
  for (const u of plan.update) {
    await insertMembers(u.id, u.ticketIds);
    await tx
      .updateTable('topics')
      // The title follows the membership, so a title taken from a member before it turned out
      // private (or from an older release that took private text) is replaced.
      .set({ title: await titleFrom(tx, u.ticketIds, u.cluster.representativeId, u.cluster.category), terms: JSON.stringify(u.cluster.terms), first_at: new Date(u.cluster.firstAt), last_at: new Date(u.cluster.lastAt), updated_at: now })
      .where('id', '=', u.id)
      .execute();
  }
  for (const c of plan.create) {
    const row = await tx
      .insertInto('topics')
      .values({
        category: c.category,
        title: await titleFor(tx, c),
        terms: JSON.stringify(c.terms),
        first_at: new Date(c.firstAt),
        last_at: new Date(c.lastAt),
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertMembers(row.id, c.ticketIds);
  }
}

export interface TopicSummary {
  id: number;
  status: TopicStatus;
  category: string;
  title: string;
  terms: string[];
  tickets: number;
  enterprises: number;
  openTickets: number;
  /** Names of the groups members came from (one-to-one reports have none). */
  groups: string[];
  /** Members reported one-to-one. */
  privateTickets: number;
  /** The departments member tickets are dispatched to (none until one is). */
  departments: string[];
  /** Members not yet dispatched to any department (待分派). */
  unassignedTickets: number;
  firstAt: Date;
  lastAt: Date;
  /** Masked excerpts of a few PUBLIC member reports (never a one-to-one one). */
  samples: string[];
  jointCase: string | null;
}

/** Topics with their figures, most enterprises first. */
/**
 * Whether every member ticket of topic `p` lies in the scope (ticketScope → its SQL form): a topic
 * that reaches one ticket outside a person's region is not theirs to read or act on (a county sees
 * its own shared problems; the city, which holds every county, sees the cross-county ones).
 */
export const topicWithinScope = (scope: TicketScope) =>
  sql<boolean>`not exists (select 1 from topic_tickets as sm inner join tickets as st on st.id = sm.ticket_id where sm.topic_id = p.id and not coalesce(${scopeCondition(scope, 'st')}, false))`;

/** Topics with their figures, most enterprises first; with `scope`, only topics wholly inside it. */
export async function listTopicSummaries(
  db: Db | Tx,
  opts: {
    statuses?: TopicStatus[];
    ids?: number[];
    limit?: number;
    scope?: TicketScope;
    /** Only topics with a member reported in the period (a month's 通报 and 台账). */
    reportedIn?: { from: Date; to: Date };
  } = {},
): Promise<TopicSummary[]> {
  let q = db
    .selectFrom('topics as p')
    .innerJoin('topic_tickets as m', 'm.topic_id', 'p.id')
    .innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .leftJoin('requesters as r', 'r.id', 't.requester_id')
    .select([
      'p.id',
      'p.status',
      'p.category',
      'p.title',
      'p.terms',
      'p.first_at',
      'p.last_at',
      sql<number>`count(*)`.as('tickets'),
      sql<number>`count(distinct ${enterpriseKey})`.as('enterprises'),
      sql<number>`count(*) filter (where t.status in ('received', 'dispatched', 'claimed', 'returned', 'awaiting_confirmation'))`.as('open'),
    ])
    .groupBy(['p.id', 'p.status', 'p.category', 'p.title', 'p.terms', 'p.first_at', 'p.last_at']);
  if (opts.statuses?.length) q = q.where('p.status', 'in', opts.statuses);
  if (opts.ids?.length) q = q.where('p.id', 'in', opts.ids);
  if (opts.reportedIn) q = q.where('p.last_at', '>=', opts.reportedIn.from).where('p.first_at', '<', opts.reportedIn.to);
  if (opts.scope && opts.scope.kind !== 'all') q = q.where(topicWithinScope(opts.scope));
  const rows = await q.orderBy(sql`count(distinct ${enterpriseKey})`, 'desc').orderBy('p.last_at', 'desc').orderBy('p.id').limit(opts.limit ?? 100).execute();
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const members = await db
    .selectFrom('topic_tickets as m')
    .innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .leftJoin('groups as g', 'g.id', 't.group_id')
    .leftJoin('departments as d', 'd.id', 't.department_id')
    .select(['m.topic_id', 't.content', 't.is_private', 't.origin_chat_type', 't.origin_platform', 'g.name as group_name', 'd.name as department_name', 't.received_at'])
    .where('m.topic_id', 'in', ids)
    .orderBy('t.received_at', 'desc')
    .execute();
  const cases = await db.selectFrom('joint_cases').select(['topic_id', 'number']).where('topic_id', 'in', ids).execute();
  return rows.map((r) => {
    const mine = members.filter((m) => m.topic_id === r.id);
    return {
      id: r.id,
      status: r.status as TopicStatus,
      category: r.category,
      title: r.title,
      terms: r.terms,
      tickets: Number(r.tickets),
      enterprises: Number(r.enterprises),
      openTickets: Number(r.open),
      // Real groups only: a one-to-one report has none (it is counted in tickets, not here).
      groups: [...new Set(mine.flatMap((m) => (m.group_name ? [m.group_name] : [])))],
      privateTickets: mine.filter((m) => m.is_private).length,
      departments: [...new Set(mine.flatMap((m) => (m.department_name ? [m.department_name] : [])))],
      unassignedTickets: mine.filter((m) => !m.department_name).length,
      firstAt: r.first_at,
      lastAt: r.last_at,
      // Public members only: a one-to-one report's words never leave the ticket.
      samples: mine.filter((m) => !m.is_private).slice(0, 3).map((m) => maskedExcerpt(publicWords(m), 80)),
      jointCase: cases.find((c) => c.topic_id === r.id)?.number ?? null,
    };
  });
}

/** Whether the topic exists and every member ticket is in the scope (console detail and actions). */
export async function topicInScope(db: Db | Tx, topicId: number, scope: TicketScope): Promise<boolean> {
  let q = db.selectFrom('topics as p').select('p.id').where('p.id', '=', topicId);
  if (scope.kind !== 'all') q = q.where(topicWithinScope(scope));
  return (await q.executeTakeFirst()) !== undefined;
}

export async function topicMembers(db: Db | Tx, topicId: number) {
  return db
    .selectFrom('topic_tickets as m')
    .innerJoin('tickets as t', 't.id', 'm.ticket_id')
    .leftJoin('groups as g', 'g.id', 't.group_id')
    .leftJoin('departments as d', 'd.id', 't.department_id')
    .leftJoin('requesters as r', 'r.id', 't.requester_id')
    .select(['t.id', 't.number', 't.content', 't.status', 't.is_private', 't.received_at', 'm.pinned', 'g.name as group_name', 'd.name as department_name', enterpriseKey.as('enterprise')])
    .where('m.topic_id', '=', topicId)
    .orderBy('t.received_at')
    .execute();
}

/** 确认 / 不是面上问题: the dispatcher's decision, which the refresh keeps. */
export async function decideTopic(tx: Tx, topicId: number, status: 'confirmed' | 'dismissed', staffId: string, now: Date): Promise<boolean> {
  const r = await tx.updateTable('topics').set({ status, decided_by: staffId, updated_at: now }).where('id', '=', topicId).where('status', 'in', ['candidate', 'confirmed', 'dismissed']).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** 合并: `from`'s tickets join `into`, pinned there; `into` counts as confirmed. */
export async function mergeTopics(tx: Tx, intoId: number, fromId: number, staffId: string, now: Date): Promise<boolean> {
  if (intoId === fromId) return false;
  const both = await tx.selectFrom('topics').select(['id', 'status']).where('id', 'in', [intoId, fromId]).forUpdate().execute();
  if (both.length !== 2 || both.some((t) => t.status === 'promoted')) return false;
  await tx.updateTable('topic_tickets').set({ topic_id: intoId, pinned: true }).where('topic_id', '=', fromId).execute();
  await tx.updateTable('topic_tickets').set({ pinned: true }).where('topic_id', '=', intoId).execute();
  await tx.deleteFrom('topics').where('id', '=', fromId).execute();
  await tx.updateTable('topics').set({ status: 'confirmed', decided_by: staffId, updated_at: now }).where('id', '=', intoId).execute();
  return true;
}

/** 拆分: the chosen tickets become a topic of their own, confirmed and pinned; returns its id. */
export async function splitTopic(tx: Tx, topicId: number, ticketIds: number[], staffId: string, now: Date): Promise<number | null> {
  const topic = await tx.selectFrom('topics').selectAll().where('id', '=', topicId).forUpdate().executeTakeFirst();
  if (!topic || topic.status === 'promoted' || ticketIds.length === 0) return null;
  const members = await tx.selectFrom('topic_tickets').select('ticket_id').where('topic_id', '=', topicId).execute();
  const moving = ticketIds.filter((id) => members.some((m) => m.ticket_id === id));
  if (moving.length === 0 || moving.length === members.length) return null;
  const first = await tx.selectFrom('tickets').select(['received_at']).where('id', 'in', moving).orderBy('received_at').execute();
  const row = await tx
    .insertInto('topics')
    .values({
      status: 'confirmed',
      category: topic.category,
      title: await titleFrom(tx, moving, null, topic.category),
      first_at: first[0]!.received_at,
      last_at: first.at(-1)!.received_at,
      created_at: now,
      updated_at: now,
      decided_by: staffId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx.updateTable('topic_tickets').set({ topic_id: row.id, pinned: true }).where('ticket_id', 'in', moving).execute();
  await tx.updateTable('topic_tickets').set({ pinned: true }).where('topic_id', '=', topicId).execute();
  await tx.updateTable('topics').set({ status: 'confirmed', decided_by: staffId, updated_at: now }).where('id', '=', topicId).execute();
  return row.id;
}
