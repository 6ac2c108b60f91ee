// npm run eval:topics [-- --half dev|test] [-- --file PATH --groups h01=名,h02=名<上级,…] [-- --method rules|learned] — topic
// precision/recall on a hand-written set: corpus/topics/blind-2026-12.tsv (or PATH). Which sets are
// development (training) sets and which were spent is in corpus/topics/sets.json; only a set nobody
// has tuned, trained or decided on measures the clustering. --groups names each chat group's
// area; `id=name<parent` puts a town, street or park section under its county, district or park
// the way the deployment's region tree does (parent: another group's name or id, or a name of its
// own), e.g. --groups h04=云溪区,h05=东岚街道<云溪区. The old form id=name (each group an area of
// its own) still works.
import { createTopicIndex } from '../src/domain/topics/cluster';
import { LEARNED_PAIR_MODEL } from '../src/domain/topics/pair-model';
import { evaluateTopics, loadTopicSet } from '../bench/topics-eval.mts';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
// --file PATH: another set in the same TSV format (a fresh blind set for a final check), scored
// whole: its halves were never tuned on separately, so there is nothing to split.
const given = arg('file');
const file = given ?? new URL('../corpus/topics/blind-2026-12.tsv', import.meta.url).pathname;
/**
 * The set splits in two halves by planted topic (odd T01, T03… and their singles by odd id: dev;
 * even: test). Any change to the clustering may be tried on dev; the figures reported are test's.
 */
const half = arg('half') ?? 'all';
if (!['all', 'dev', 'test'].includes(half)) throw new Error(`--half ${half}: dev, test or all`);
if (given && half !== 'all') throw new Error('--file is scored whole: leave out --half');
const inHalf = (id: number, topic: string | null) => {
  if (half === 'all') return true;
  const n = topic ? Number(topic.replace(/\D/g, '')) : id;
  return (n % 2 === 1) === (half === 'dev');
};
const options = JSON.parse(arg('options') ?? '{}') as Record<string, number>;
// Each chat group is an area of its own (the names are the set README's); --groups g01=青山县,…
// for a set with other groups, and g05=东港镇<青山县 for a group inside another's area (below).
const GROUPS = 'g01=青山县,g02=北山经开区,g03=河西区,g04=南湖高新区,g05=东港镇,g06=柳林县,g07=城南工业园,g08=新桥街道,g09=白沙县,g10=西岭开发区,g11=临江区,g12=金湾物流园';
// Another set (--file) has its own groups: unnamed unless --groups names them, so a text naming
// 青山 is not read as this set's g01.
const groupNames = arg('groups') ?? (given ? '' : GROUPS);
console.log(
  groupNames
    ? `areas: one per group, named ${arg('groups') ? 'by --groups' : 'as in corpus/topics/README.md (g01=青山县 … g12=金湾物流园)'}`
    : 'areas: one per group, unnamed (--groups g01=青山县,… names them, so reports naming an area count in it)',
);
const { docs: all, labels: allLabels, areas, places } = loadTopicSet(file, groupNames);
const kept = new Set(allLabels.filter((l) => inHalf(l.id, l.topic as string | null)).map((l) => l.id));
const docs = all.filter((d) => kept.has(d.id));
const labels = allLabels.filter((l) => kept.has(l.id));
// --method rules|learned: as topics.method in the configuration (learned by default).
const method = arg('method') ?? 'learned';
if (method !== 'rules' && method !== 'learned') throw new Error(`--method ${method}: rules or learned`);
console.log(`method: ${method}`);
const clusters = createTopicIndex({ areas, places }).cluster(docs, { ...options, pairModel: method === 'learned' ? LEARNED_PAIR_MODEL : null });
const e = evaluateTopics(labels, clusters);
const fmt = (x: number) => x.toFixed(3);
console.log(`blind set (${half}): ${docs.length} tickets, ${e.planted} planted topics (${e.plantedReports} reports); ${e.clusters} topics found`);
console.log(`pairwise   precision ${fmt(e.pairwise.precision)}  recall ${fmt(e.pairwise.recall)}`);
console.log(`per topic  precision ${fmt(e.perTopic.precision)}  recall ${fmt(e.perTopic.recall)}`);
if (e.missed.length) console.log(`missed: ${e.missed.join(' ')}`);
const byId = new Map(docs.map((d) => [d.id, d]));
const label = new Map(labels.map((l) => [l.id, l.topic]));
for (const c of clusters) {
  const tags = c.ticketIds.map((id) => label.get(id) ?? '-');
  if (new Set(tags).size > 1 || tags[0] === '-') console.log(`mixed/unplanted topic: ${c.ticketIds.map((id) => `${id}:${label.get(id) ?? '-'}`).join(' ')} — ${byId.get(c.representativeId)?.text}`);
}
