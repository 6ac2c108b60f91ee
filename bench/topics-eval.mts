import type { TopicCluster } from '../src/domain/topics/cluster';

const pairs = (n: number) => (n * (n - 1)) / 2;

/** A ticket of an evaluation stream: which planted topic it belongs to (null: none). */
export interface LabelledTicket {
  id: number;
  topic: string | number | null;
}

/**
 * Pairwise: precision = of the pairs of tickets put in one topic, the share planted in the same
 * topic; recall = of the pairs planted in one topic, the share put in one topic. Per topic: a
 * planted topic is found when one topic holds most of the found members of it and at least half
 * of its reports; precision per found topic = the share of its members from its main planted topic.
 */
export function evaluateTopics(stream: LabelledTicket[], clusters: TopicCluster[]) {
  const label = new Map(stream.map((t) => [t.id, t.topic]));
  let samePairs = 0;
  let clusterPairs = 0;
  let memberHits = 0;
  let members = 0;
  const best = new Map<string | number, number>();
  for (const c of clusters) {
    clusterPairs += pairs(c.ticketIds.length);
    const counts = new Map<string | number, number>();
    for (const id of c.ticketIds) {
      const l = label.get(id);
      if (l !== null && l !== undefined) counts.set(l, (counts.get(l) ?? 0) + 1);
    }
    for (const n of counts.values()) samePairs += pairs(n);
    const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    members += c.ticketIds.length;
    if (main) {
      memberHits += main[1];
      best.set(main[0], Math.max(best.get(main[0]) ?? 0, main[1]));
    }
  }
  const sizes = new Map<string | number, number>();
  for (const t of stream) if (t.topic !== null) sizes.set(t.topic, (sizes.get(t.topic) ?? 0) + 1);
  let plantedPairs = 0;
  for (const n of sizes.values()) plantedPairs += pairs(n);
  const missed: Array<string | number> = [];
  let found = 0;
  for (const [topic, n] of sizes) {
    if ((best.get(topic) ?? 0) * 2 >= n) found++;
    else missed.push(topic);
  }
  return {
    pairwise: { precision: clusterPairs ? samePairs / clusterPairs : 1, recall: plantedPairs ? samePairs / plantedPairs : 1 },
    perTopic: { precision: members ? memberHits / members : 1, recall: sizes.size ? found / sizes.size : 1 },
    clusters: clusters.length,
    planted: sizes.size,
    plantedReports: [...sizes.values()].reduce((a, b) => a + b, 0),
    missed,
  };
}
