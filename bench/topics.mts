// npm run bench:topics [-- --seed N] — topic precision/recall on a generated stream, and the
// refresh time for 100,000 tickets. Tune with --seed 1; BENCHMARKS.md reports --seed 2.
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { createTopicIndex, DEFAULT_TOPIC_OPTIONS, type TopicCluster } from '../src/domain/topics/cluster';
import { generateStream, type StreamTicket } from './topics-stream.mts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const seed = arg('seed', 2);
const tickets = arg('tickets', 20_000);
const scale = arg('scale', 100_000);
const threshold = arg('threshold', DEFAULT_TOPIC_OPTIONS.threshold);
const centroid = arg('centroid', DEFAULT_TOPIC_OPTIONS.centroidThreshold);
const placeBoost = arg('boost', DEFAULT_TOPIC_OPTIONS.placeBoost);
const placeClash = arg('clash', DEFAULT_TOPIC_OPTIONS.placeClash);
const maxDocFraction = arg('maxdf', DEFAULT_TOPIC_OPTIONS.maxDocFraction);
const placeAgree = arg('agree', DEFAULT_TOPIC_OPTIONS.placeAgree);

const pairs = (n: number) => (n * (n - 1)) / 2;

/**
 * Pairwise: precision = of the pairs of tickets put in one topic, the share planted in the same
 * topic; recall = of the pairs planted in one topic, the share put in one topic. Per topic: a
 * planted topic is found when one topic holds most of the found members of it and at least half
 * of its reports; precision per found topic = the share of its members from its main planted topic.
 */
function evaluate(stream: StreamTicket[], clusters: TopicCluster[]) {
  const label = new Map(stream.map((t) => [t.id, t.topic]));
  let samePairs = 0;
  let clusterPairs = 0;
  let memberHits = 0;
  let members = 0;
  const best = new Map<number, number>();
  for (const c of clusters) {
    clusterPairs += pairs(c.ticketIds.length);
    const counts = new Map<number, number>();
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
  const sizes = new Map<number, number>();
  for (const t of stream) if (t.topic !== null) sizes.set(t.topic, (sizes.get(t.topic) ?? 0) + 1);
  let plantedPairs = 0;
  for (const n of sizes.values()) plantedPairs += pairs(n);
  let found = 0;
  for (const [topic, n] of sizes) if ((best.get(topic) ?? 0) * 2 >= n) found++;
  return {
    pairwise: { precision: clusterPairs ? samePairs / clusterPairs : 1, recall: plantedPairs ? samePairs / plantedPairs : 1 },
    perTopic: { precision: members ? memberHits / members : 1, recall: sizes.size ? found / sizes.size : 1 },
    clusters: clusters.length,
    planted: sizes.size,
    plantedReports: [...sizes.values()].reduce((a, b) => a + b, 0),
  };
}

const fmt = (x: number) => x.toFixed(3);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}; seed ${seed}; threshold ${threshold}, centroid ${centroid}, boost ${placeBoost}, clash ${placeClash}, maxdf ${maxDocFraction}, agree ${placeAgree}`);

const stream = generateStream({ seed, tickets, topics: Math.round(tickets / 250), maxSize: 40, days: 60, groups: 12 });
const opts = { threshold, centroidThreshold: centroid, placeBoost, placeClash, maxDocFraction, placeAgree };
// CPU time as well as wall time: on a shared machine the wall clock also counts other jobs' turns.
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const t0 = performance.now();
const u0 = process.cpuUsage();
const clusters = createTopicIndex().cluster(stream, opts);
const ms = performance.now() - t0;
const cpu = cpuMs(process.cpuUsage(u0));
const e = evaluate(stream, clusters);
console.log(`stream: ${stream.length} tickets, ${e.planted} planted topics (${e.plantedReports} reports), ${e.clusters} topics found in ${cpu.toFixed(0)} ms CPU (${ms.toFixed(0)} ms wall)`);
console.log(`pairwise   precision ${fmt(e.pairwise.precision)}  recall ${fmt(e.pairwise.recall)}`);
console.log(`per topic  precision ${fmt(e.perTopic.precision)}  recall ${fmt(e.perTopic.recall)}`);

if (scale > 0) {
  const big = generateStream({ seed: seed + 1000, tickets: scale, topics: Math.round(scale / 250), maxSize: 60, days: 60, groups: 40 });
  const index = createTopicIndex();
  const c0 = performance.now();
  const cu0 = process.cpuUsage();
  const n0 = index.cluster(big, opts).length;
  const cold = performance.now() - c0;
  const coldCpu = cpuMs(process.cpuUsage(cu0));
  // The next refresh: 1% new tickets, the rest already tokenised.
  const extra = generateStream({ seed: seed + 2000, tickets: scale / 100, topics: 4, maxSize: 20, days: 60, groups: 40 }).map((t, i) => ({ ...t, id: scale + 1 + i }));
  const w0 = performance.now();
  const wu0 = process.cpuUsage();
  const n1 = index.cluster([...big, ...extra], opts).length;
  const warm = performance.now() - w0;
  const warmCpu = cpuMs(process.cpuUsage(wu0));
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  console.log(`refresh ${scale} tickets: cold ${s(coldCpu)} CPU (${s(cold)} wall), ${n0} topics; next refresh with +1% new tickets: ${s(warmCpu)} CPU (${s(warm)} wall), ${n1} topics`);
}
