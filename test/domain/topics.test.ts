import { describe, expect, it } from 'vitest';
import { clusterTopics, createTopicIndex, placeWords, reconcileTopics, type TopicCluster, type TopicDoc } from '../../src/domain/topics';

const HOUR = 3_600_000;
let next = 0;
const doc = (text: string, enterprise: string, extra: Partial<TopicDoc> = {}): TopicDoc => ({ id: ++next, text, category: 'utilities', enterprise, at: next * HOUR, ...extra });

const FLOOD = [
  '开发区纬三路一下雨就积水，排水管堵了，货车进不来，请尽快疏通排水',
  '纬三路这段一下雨就积水，好几天都不退，排水管排不出去，我们仓库进水货物泡了',
  '我们在纬三路，雨后路面积水没过脚踝，排水不畅，员工上下班蹚水',
  '纬三路附近排水管网堵塞，一下雨厂门口就积水，物流车开不进来，麻烦市政看看',
];

describe('topics: grouping reports of one shared problem', () => {
  it('groups paraphrased reports of one road’s flooding from different enterprises, and names the road', () => {
    const docs = [...FLOOD.map((t, i) => doc(t, `e${i}`)), doc('园区里的集中供热明年能不能接到我们厂', 'x1'), doc('天然气价格说涨就涨，也没有通知', 'x2')];
    const [topic, ...rest] = clusterTopics(docs);
    expect(rest).toHaveLength(0);
    expect(topic!.ticketIds).toEqual(docs.slice(0, 4).map((d) => d.id));
    expect(topic!.enterprises).toBe(4);
    expect(topic!.terms[0]).toBe('纬三路');
  });

  it('needs the configured number of distinct enterprises, not tickets', () => {
    const docs = FLOOD.map((t, i) => doc(t, i < 2 ? 'same' : `e${i}`));
    expect(clusterTopics(docs)).toHaveLength(1); // 3 enterprises
    expect(clusterTopics(docs, { minEnterprises: 4 })).toHaveLength(0);
  });

  it('keeps the same problem at another place apart, and joins reports of one problem filed under another category', () => {
    const other = [
      '东环路一到下雨天就淹，车进不了厂',
      '东环路的雨水井堵死了，水漫到我们仓库门口',
      '东环路这边排水沟不通，下大雨积水半米深',
      '东环路积水问题反映多次了，希望把排水沟清一清',
    ].map((t, i) => doc(t, `o${i}`));
    const flood = FLOOD.map((t, i) => doc(t, `e${i}`));
    // A clerk filed the same flooding under construction: still one problem.
    const filedElsewhere = FLOOD.slice(0, 2).map((t, i) => doc(t.replace('货车', '车'), `c${i}`, { category: 'construction' }));
    const docs = [...flood, ...other, ...filedElsewhere];
    const topics = clusterTopics(docs);
    expect(topics.map((t) => t.terms[0]).sort()).toEqual(['东环路', '纬三路']);
    const wei = topics.find((t) => t.terms[0] === '纬三路')!;
    expect(wei.ticketIds).toEqual(expect.arrayContaining(filedElsewhere.map((d) => d.id)));
    expect(wei.category).toBe('utilities');
    const dong = topics.find((t) => t.terms[0] === '东环路')!;
    expect(dong.ticketIds).toEqual(other.map((d) => d.id));
  });

  it('strips leading verbs, demonstratives and 的-phrases from subjects', () => {
    expect(placeWords('使用出口退税申报系统报错')).toEqual(['出口退税申报系统']);
    expect(placeWords('请问出口退税那个系统')).toEqual(['出口退税系统']);
    expect(placeWords('说是局里推荐的诚信安全评价公司')).toEqual(['诚信安全评价公司']);
  });

  it('does not link reports further apart than the link window', () => {
    const docs = FLOOD.map((t, i) => doc(t, `e${i}`, { at: i * 40 * 24 * HOUR }));
    expect(clusterTopics(docs, { linkWithinDays: 30 })).toHaveLength(0);
    expect(clusterTopics(docs, { linkWithinDays: 60 })).toHaveLength(1);
  });

  it('reads place words through filler and area prefixes', () => {
    expect(placeWords('开发区纬三路积水')).toEqual(expect.arrayContaining(['开发区纬三路', '纬三路']));
    expect(placeWords('我们在纬三路，积水')).toEqual(['纬三路']);
    expect(placeWords('路面积水，道路不通')).toEqual([]);
    expect(placeWords('电子税务局申报不了')).toEqual(['电子税务局']);
  });

  it('ignores numbers and personal data: a phone number does not make two reports alike', () => {
    const docs = ['报装用电一个月了', '咨询税务优惠政策', '投诉夜间施工噪音'].map((t, i) => doc(`${t} 13812345678 330102199001011234`, `p${i}`));
    expect(clusterTopics(docs)).toHaveLength(0);
  });

  it('an index tokenises only new tickets and gives the same answer as a fresh run', () => {
    const index = createTopicIndex();
    const docs = FLOOD.map((t, i) => doc(t, `e${i}`));
    const first = index.cluster(docs.slice(0, 3));
    expect(first).toHaveLength(1);
    expect(index.cluster(docs)).toEqual(clusterTopics(docs));
    expect(index.size()).toBe(4);
  });
});

const cluster = (ticketIds: number[]): TopicCluster => ({ ticketIds, category: 'utilities', enterprises: ticketIds.length, representativeId: ticketIds[0]!, terms: [], firstAt: 0, lastAt: 0 });

describe('topics: a refresh over stored topics', () => {
  it('keeps a candidate’s id as it grows, creates new ones and drops candidates nobody supports', () => {
    const plan = reconcileTopics(
      [
        { id: 1, status: 'candidate', ticketIds: [1, 2, 3], pinned: [] },
        { id: 2, status: 'candidate', ticketIds: [7, 8, 9], pinned: [] },
      ],
      [cluster([1, 2, 3, 4]), cluster([20, 21, 22])],
    );
    expect(plan.update).toEqual([expect.objectContaining({ id: 1, ticketIds: [1, 2, 3, 4] })]);
    expect(plan.create.map((c) => c.ticketIds)).toEqual([[20, 21, 22]]);
    expect(plan.remove).toEqual([2]);
  });

  it('never takes tickets from a dispatcher’s decision: confirmed and dismissed topics only gain', () => {
    const plan = reconcileTopics(
      [
        { id: 1, status: 'confirmed', ticketIds: [1, 2, 3], pinned: [1, 2, 3] },
        { id: 2, status: 'dismissed', ticketIds: [10, 11, 12], pinned: [] },
      ],
      // The job now sees 1–2 with a new ticket, 3 elsewhere, and the dismissed problem again with one more report.
      [cluster([1, 2, 5]), cluster([3, 30, 31]), cluster([10, 11, 12, 13])],
    );
    expect(plan.update.find((u) => u.id === 1)!.ticketIds).toEqual([1, 2, 3, 5]);
    expect(plan.update.find((u) => u.id === 2)!.ticketIds).toEqual([10, 11, 12, 13]);
    expect(plan.remove).toEqual([]);
    // 30–31 are mostly not topic 1's: a new candidate, without ticket 3, which stays confirmed where it was.
    expect(plan.create.map((c) => c.ticketIds)).toEqual([[30, 31]]);
  });
});
