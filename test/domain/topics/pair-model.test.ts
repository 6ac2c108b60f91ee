import { describe, expect, it } from 'vitest';
import { createTopicIndex, type TopicDoc } from '../../../src/domain/topics';
import { AREAS, HOUR, quietWindow } from './fixtures';
import { checkPairModel, LEARNED_PAIR_MODEL, neighbourSupport, PAIR_FEATURES, type PairModel } from '../../../src/domain/topics/pair-model';

const window = (extra: Array<{ text: string; area: string }>) => quietWindow(extra, 'tax');

describe('topics: the learned pair model (topics.method: learned)', () => {
  const model = LEARNED_PAIR_MODEL!;

  it('is trained for the features the clustering computes, and a model for others is refused with the command that retrains it', () => {
    expect(model.features).toEqual([...PAIR_FEATURES]);
    const stale: PairModel = { ...model, features: [...PAIR_FEATURES.slice(1), 'somethingElse'] };
    expect(() => checkPairModel(stale)).toThrow(/npm run train:topics/);
    // The same features and as many weights, but other products of them: the weights mean something else.
    const shuffled: PairModel = { ...model, interactions: [...model.interactions].reverse() };
    expect(() => checkPairModel(shuffled)).toThrow(/feature products.*npm run train:topics/s);
  });

  it('gives a pair the support of the reports both are near, the weaker link of each', () => {
    // 0–1, 0–2, 1–2 form a triangle; 3 is near 0 only, and 0–4 is under the floor.
    const a = [0, 0, 1, 0, 0];
    const b = [1, 2, 2, 3, 4];
    const p = [0.9, 0.6, 0.7, 0.8, 0.2];
    const { support, common } = neighbourSupport(a, b, p, 0.5);
    expect(support[0]).toBeCloseTo(0.6); // via 2: min(0.6, 0.7)
    expect(common[0]).toBe(1);
    expect(support[3]).toBe(0); // 0 and 3 share no neighbour
    expect(common[4]).toBe(0);
  });

  it('finds one problem told in different words from four areas that the rules leave as four reports', () => {
    const quota = [
      { text: '数电票的开票额度又不够了，月底开不出票，客户等着', area: 'a' },
      { text: '开票额度太低了，每个月都要申请调额，一等好几天', area: 'b' },
      { text: '发票额度用完了客户催票，调额说要去大厅现场办', area: 'c' },
      { text: '全电发票额度能不能提高点，我们每个月都超', area: 'd' },
    ];
    const { docs, ids } = window(quota);
    const learned = createTopicIndex({ areas: AREAS }).cluster(docs, { pairModel: model });
    const found = learned.filter((t) => t.ticketIds.some((id) => ids.includes(id)));
    expect(found).toHaveLength(1);
    expect(found[0]!.ticketIds.filter((id) => ids.includes(id)).length).toBeGreaterThanOrEqual(3);
    // The loan's 额度 one-off is another problem.
    expect(found[0]!.ticketIds).not.toContain(docs.find((d) => d.text.includes('担保贷款'))!.id);
    const rules = createTopicIndex({ areas: AREAS }).cluster(docs, { pairModel: null });
    expect(rules.filter((t) => t.ticketIds.some((id) => ids.includes(id)))).toEqual([]);
  });

  it('is used only in windows of at most smallWindow reports: above that the rules decide alone', () => {
    const quota = ['数电票的开票额度又不够了，月底开不出票，客户等着', '开票额度太低了，每个月都要申请调额，一等好几天', '发票额度用完了客户催票，调额说要去大厅现场办', '全电发票额度能不能提高点，我们每个月都超'];
    const { docs, ids } = window(quota.map((text, i) => ({ text, area: AREAS[i]!.id })));
    const withModel = (smallWindow: number) => createTopicIndex({ areas: AREAS }).cluster(docs, { pairModel: model, smallWindow }).filter((t) => t.ticketIds.some((id) => ids.includes(id)));
    expect(withModel(docs.length)).toHaveLength(1);
    expect(withModel(docs.length - 1)).toEqual([]);
  });

  it('still keeps two roads in one park apart, and one kind of trouble at places in different areas', () => {
    const park = [
      ['青山工业园纬三路一下雨就积水，货车进不来', '青山工业园纬三路积水好几天不退，仓库进水了', '青山工业园纬三路排水管堵了，一下雨就积水'],
      ['青山工业园经五路一下雨就积水，货车进不来', '青山工业园经五路积水好几天不退，仓库进水了', '青山工业园经五路排水管堵了，一下雨就积水'],
    ].map((texts, road) => texts.map((text, i): TopicDoc => ({ id: road * 10 + i + 1, text, category: 'utilities', enterprise: `r${road}-${i}`, at: (road * 10 + i) * HOUR, area: 'a' })));
    const topics = createTopicIndex({ areas: AREAS }).cluster(park.flat(), { pairModel: model });
    expect(topics.map((t) => t.ticketIds).sort((x, y) => x[0]! - y[0]!)).toEqual(park.map((road) => road.map((d) => d.id)));

    const road = ['厂门口的路挖开一个月了，围挡把大门堵了一半', '门口的路挖开了没人施工，围挡堵着大门进不了车', '路挖开以后围挡一直没撤，大门被堵了一半'];
    const { docs, ids } = window(road.map((text, i) => ({ text, area: ['a', 'b', 'd'][i]! })));
    const spread = createTopicIndex({ areas: AREAS }).cluster(docs, { pairModel: model });
    expect(spread.filter((t) => t.ticketIds.some((id) => ids.includes(id)))).toEqual([]);
  });
});
