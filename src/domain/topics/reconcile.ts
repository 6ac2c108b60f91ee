import type { TopicCluster } from './cluster';

export type TopicStatus = 'candidate' | 'confirmed' | 'dismissed' | 'promoted';

export interface StoredTopic {
  id: number;
  status: TopicStatus;
  ticketIds: number[];
  /** Tickets a person placed (split, merge): never moved by the job. */
  pinned: number[];
}

export interface TopicPlan {
  /** New candidate topics, from clusters that overlap no stored topic. */
  create: TopicCluster[];
  /** Stored topics whose members change: the full new member list (and the cluster that matched, for its title). */
  update: Array<{ id: number; ticketIds: number[]; cluster: TopicCluster }>;
  /** Candidates no cluster supports any more. */
  remove: number[];
}

/**
 * Lays a refresh's clusters over the stored topics, so ids stay stable from run to run and a
 * dispatcher's decisions hold: a cluster continues the stored topic it shares most tickets
 * with; a candidate takes its cluster's members as they are now, while a confirmed, dismissed
 * or promoted topic only gains new reports (so a dismissed problem does not come back as a new
 * candidate each week, and a joint case never loses a member behind the dispatcher's back).
 */
export function reconcileTopics(stored: StoredTopic[], clusters: TopicCluster[]): TopicPlan {
  const owner = new Map<number, StoredTopic>();
  for (const t of stored) for (const id of t.ticketIds) owner.set(id, t);
  const decided = (t: StoredTopic) => t.status !== 'candidate';
  const plan: TopicPlan = { create: [], update: [], remove: [] };
  const next = new Map<number, { topic: StoredTopic; ids: Set<number>; cluster: TopicCluster }>();
  for (const c of clusters) {
    const overlap = new Map<StoredTopic, number>();
    for (const id of c.ticketIds) {
      const t = owner.get(id);
      if (t) overlap.set(t, (overlap.get(t) ?? 0) + 1);
    }
    const ranked = [...overlap.entries()].sort((a, b) => b[1] - a[1] || Number(decided(b[0])) - Number(decided(a[0])) || a[0].id - b[0].id)[0];
    // A decided topic grows only by a cluster that is mostly its own: one shared report does
    // not drag another problem's reports into a confirmed topic.
    const best = ranked && (!decided(ranked[0]) || ranked[1] * 2 >= c.ticketIds.length) ? ranked[0] : undefined;
    if (!best) {
      const free = c.ticketIds.filter((id) => !owner.has(id) || !decided(owner.get(id)!));
      if (free.length >= 2) plan.create.push({ ...c, ticketIds: free });
      continue;
    }
    const entry = next.get(best.id) ?? { topic: best, ids: new Set(decided(best) ? best.ticketIds : best.pinned), cluster: c };
    // Tickets another decided topic holds stay there.
    for (const id of c.ticketIds) {
      const o = owner.get(id);
      if (!o || o === best || !decided(o)) entry.ids.add(id);
    }
    next.set(best.id, entry);
  }
  for (const t of stored) {
    const e = next.get(t.id);
    if (!e) {
      if (!decided(t)) plan.remove.push(t.id);
      continue;
    }
    const ids = [...e.ids].sort((a, b) => a - b);
    const before = [...t.ticketIds].sort((a, b) => a - b);
    if (ids.length !== before.length || ids.some((id, i) => id !== before[i])) plan.update.push({ id: t.id, ticketIds: ids, cluster: e.cluster });
  }
  // A ticket a candidate claims but a decided topic also claims stays with the decided one.
  const taken = new Set<number>();
  for (const u of plan.update) if (decided(stored.find((t) => t.id === u.id)!)) for (const id of u.ticketIds) taken.add(id);
  for (const t of stored) if (decided(t) && !plan.update.some((u) => u.id === t.id)) for (const id of t.ticketIds) taken.add(id);
  for (const u of plan.update) if (!decided(stored.find((t) => t.id === u.id)!)) u.ticketIds = u.ticketIds.filter((id) => !taken.has(id));
  return plan;
}
