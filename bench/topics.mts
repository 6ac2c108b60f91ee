// npm run bench:topics [-- --seed N] — topic precision/recall on a generated stream, and the
// refresh time for 100,000 tickets. Tune with --seed 1; BENCHMARKS.md reports --seed 2.
import { performance } from 'node:perf_hooks';
import { cpus } from 'node:os';
import { createTopicIndex, DEFAULT_TOPIC_OPTIONS } from '../src/domain/topics/cluster';
import { evaluateTopics } from './topics-eval.mts';
import { generateStream, streamAreas } from './topics-stream.mts';

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
// --options '{"areaClash":0.5}': any other TopicOptions field.
const extraOptions = (() => {
  const i = process.argv.indexOf('--options');
  return i >= 0 ? (JSON.parse(process.argv[i + 1]!) as Record<string, number>) : {};
})();

const fmt = (x: number) => x.toFixed(3);
console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}; seed ${seed}; threshold ${threshold}, centroid ${centroid}, boost ${placeBoost}, clash ${placeClash}, maxdf ${maxDocFraction}, agree ${placeAgree}${Object.keys(extraOptions).length ? `, ${JSON.stringify(extraOptions)}` : ''}`);

const small = { seed, tickets, topics: Math.round(tickets / 250), maxSize: 40, days: 60, groups: 12 };
const stream = generateStream(small);
const opts = { threshold, centroidThreshold: centroid, placeBoost, placeClash, maxDocFraction, placeAgree, ...extraOptions };
// CPU time as well as wall time: on a shared machine the wall clock also counts other jobs' turns.
const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
const t0 = performance.now();
const u0 = process.cpuUsage();
const clusters = createTopicIndex({ areas: streamAreas(small) }).cluster(stream, opts);
const ms = performance.now() - t0;
const cpu = cpuMs(process.cpuUsage(u0));
const e = evaluateTopics(stream, clusters);
console.log(`stream: ${stream.length} tickets, ${e.planted} planted topics (${e.plantedReports} reports), ${e.clusters} topics found in ${cpu.toFixed(0)} ms CPU (${ms.toFixed(0)} ms wall)`);
console.log(`pairwise   precision ${fmt(e.pairwise.precision)}  recall ${fmt(e.pairwise.recall)}`);
console.log(`per topic  precision ${fmt(e.perTopic.precision)}  recall ${fmt(e.perTopic.recall)}`);

if (scale > 0) {
  const large = { seed: seed + 1000, tickets: scale, topics: Math.round(scale / 250), maxSize: 60, days: 60, groups: 40 };
  const big = generateStream(large);
  const index = createTopicIndex({ areas: streamAreas(large) });
  const c0 = performance.now();
  const cu0 = process.cpuUsage();
  const n0 = index.cluster(big, opts).length;
  const cold = performance.now() - c0;
  const coldCpu = cpuMs(process.cpuUsage(cu0));
  // The next refresh: 1% new tickets, the rest already tokenised.
  const extra = generateStream({ seed: seed + 2000, areaSeed: large.seed, tickets: scale / 100, topics: 4, maxSize: 20, days: 60, groups: 40 }).map((t, i) => ({ ...t, id: scale + 1 + i }));
  const w0 = performance.now();
  const wu0 = process.cpuUsage();
  const n1 = index.cluster([...big, ...extra], opts).length;
  const warm = performance.now() - w0;
  const warmCpu = cpuMs(process.cpuUsage(wu0));
  const s = (x: number) => `${(x / 1000).toFixed(2)} s`;
  console.log(`refresh ${scale} tickets: cold ${s(coldCpu)} CPU (${s(cold)} wall), ${n0} topics; next refresh with +1% new tickets: ${s(warmCpu)} CPU (${s(warm)} wall), ${n1} topics`);
}
