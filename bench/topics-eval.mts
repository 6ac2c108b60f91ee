import { readFileSync } from 'node:fs';
import type { TopicCluster, TopicDoc } from '../src/domain/topics/cluster';
import type { AreaName } from '../src/domain/topics/kinds';

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

/**
 * A hand-written set (corpus/topics/*.tsv) as the clustering sees it. `groups` names each chat
 * group's area (g01=青山县,…); `id=name<parent` puts a town, street or park section under its
 * county, district or park, as the deployment's region tree does (see scripts/eval-topics.mts).
 */
export function loadTopicSet(file: string, groupNames: string): { docs: TopicDoc[]; labels: LabelledTicket[]; areas: AreaName[]; places: AreaName[] } {
  // A deployment knows its region tree (city → county/district/park → town/street/section) and files
  // every group under its county-level region (src/jobs/topics.ts, topicAreas): a report from 东岚街道
  // counts in 云溪区 and a text naming 东岚 names 云溪区. `h05=东岚街道<云溪区` models that: the
  // group's area is its topmost ancestor, given by a group's name (or id) or by a name no group has
  // (an area of its own); every group's name names that area. Without `<`, a group is an area alone.
  const parsed = groupNames
    ? groupNames.split(',').map((kv) => {
        const [id, rest] = kv.split('=');
        const [name, parent] = (rest ?? '').split('<');
        if (!id || !name) throw new Error(`--groups: ${kv} is not id=name or id=name<parent`);
        return { id, name, parent: parent || null };
      })
    : [];
  const groupOf = new Map<string, string>();
  for (const g of parsed) groupOf.set(g.id, g.id), groupOf.set(g.name, g.id);
  const parentOf = new Map(parsed.map((g) => [g.id, g.parent === null ? null : (groupOf.get(g.parent) ?? g.parent)]));
  const county = (id: string): string => {
    const seen = new Set<string>();
    for (let at = id; ; ) {
      const up = parentOf.get(at);
      if (up === null || up === undefined) return at;
      if (seen.has(up)) throw new Error(`--groups: ${id} is its own ancestor`);
      seen.add(up);
      at = up;
    }
  };
  const areaOf = new Map(parsed.map((g) => [g.id, county(g.id)]));
  // And a group below its area is a place of its own (a town, a street), as topicAreas makes it.
  const places = parsed.filter((g) => areaOf.get(g.id) !== g.id).map((g) => ({ id: g.id, name: g.name }));
  // The parents no group stands for are named too (a county without a group of its own).
  const areas = [
    ...parsed.map((g) => ({ id: areaOf.get(g.id)!, name: g.name })),
    ...[...new Set([...parentOf.values()].filter((p): p is string => p !== null && !groupOf.has(p)))].map((p) => ({ id: p, name: p })),
  ];
  const [header, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = header!.split('\t');
  const at = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`${file}: no column ${name}`);
    return i;
  };
  const [ID, ENT, GROUP, CAT, DAY, TOPIC, TEXT] = ['id', 'enterprise', 'group', 'category', 'day', 'topic', 'text'].map(at) as [number, number, number, number, number, number, number];
  const DAY_MS = 86_400_000;
  const base = Date.UTC(2026, 9, 1);
  const docs: TopicDoc[] = [];
  const labels: LabelledTicket[] = [];
  for (const line of lines) {
    const f = line.split('\t');
    const id = Number(f[ID]);
    const topic = f[TOPIC] === '-' ? null : f[TOPIC]!;
      docs.push({ id, text: f[TEXT]!, category: f[CAT]!, enterprise: f[ENT]!, at: base + Number(f[DAY]) * DAY_MS, area: areaOf.get(f[GROUP]!) ?? f[GROUP]!, place: places.some((p) => p.id === f[GROUP]) ? f[GROUP]! : null });
    labels.push({ id, topic });
  }
  return { docs, labels, areas, places };
}
