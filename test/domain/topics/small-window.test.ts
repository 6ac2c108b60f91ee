import { describe, expect, it } from 'vitest';
import { createTopicIndex } from '../../../src/domain/topics';
import { AREAS, quietWindow } from './fixtures';

const window = (extra: Array<{ text: string; area: string; category?: string }>) => quietWindow(extra);

describe('topics in a small window (a new deployment, a quiet month)', () => {
  it('keeps the name all eight reports of one problem use as evidence, though eight reports use it', () => {
    // One county's inspectors send every enterprise to one tester.
    const { docs, ids } = window(
      [
        '安监检查后被要求找鸿泰检测做评估，报价两万',
        '鸿泰检测上门说不做评估就停产，这是谁的规定',
        '又是鸿泰检测，评估报告全是模板，收了我们一万八',
        '检查的人直接给了鸿泰检测的电话，说只认他们的评估',
        '鸿泰检测的评估费太贵了，别家做的不认',
        '听说好几家都被要求找鸿泰检测评估，我们也是',
        '鸿泰检测评估完了还要每年年检收费',
        '不找鸿泰检测评估就不给复查，这合理吗',
      ].map((text) => ({ text, area: 'a' })),
    );
    const topics = createTopicIndex({ areas: AREAS }).cluster(docs);
    const found = topics.filter((t) => t.ticketIds.some((id) => ids.includes(id)));
    expect(found).toHaveLength(1);
    expect(found[0]!.ticketIds.filter((id) => ids.includes(id)).length).toBeGreaterThanOrEqual(6);
    expect(found[0]!.ticketIds.every((id) => ids.includes(id))).toBe(true);
  });

  it('does not take the particles and question words of chat for what two reports share', () => {
    // Three enterprises, three unrelated problems, all asked the same way.
    const { docs, ids } = window(
      [
        '仓库后面的围墙倒了，到底什么时候才有人来管啊',
        '园区的绿化带没人修剪了，这事到底有没有人管呢',
        '楼顶漏雨好几天了，什么时候能来看看啊，到底有没有人管',
      ].map((text, i) => ({ text, area: 'a', category: ['construction', 'environment', 'other'][i]! })),
    );
    const topics = createTopicIndex({ areas: AREAS }).cluster(docs);
    expect(topics.filter((t) => t.ticketIds.some((id) => ids.includes(id)))).toEqual([]);
  });

  it('does not take an area named in passing for what two reports share', () => {
    const { docs, ids } = window(
      [
        '我们在河口那边的仓库被水淹了',
        '河口那边的员工上下班没有公交',
        '我们河口那边的厂房产权证一直办不下来',
      ].map((text, i) => ({ text, area: 'b', category: ['utilities', 'labor', 'property'][i]! })),
    );
    const topics = createTopicIndex({ areas: AREAS }).cluster(docs);
    expect(topics.filter((t) => t.ticketIds.some((id) => ids.includes(id)))).toEqual([]);
  });

  it('joins one policy problem reported from three areas, and keeps one road problem in three areas apart', () => {
    const policy = [
      { text: '数字化改造奖补的申报只给了五个工作日，审计报告来不及出', area: 'a' },
      { text: '数字化改造奖补申报时间太短，通知转到我们这里已经晚了两天', area: 'b' },
      { text: '数字化改造奖补能不能延长申报时间，好多企业没看到通知', area: 'c' },
    ];
    const road = [
      { text: '厂门口的路挖开一个月了，围挡把大门堵了一半', area: 'a' },
      { text: '门口的路挖开了没人施工，围挡堵着大门进不了车', area: 'b' },
      { text: '路挖开以后围挡一直没撤，大门被堵了一半', area: 'd' },
    ];
    const { docs, ids } = window([...policy, ...road.map((r) => ({ ...r, category: 'construction' }))]);
    const topics = createTopicIndex({ areas: AREAS }).cluster(docs);
    const policyIds = ids.slice(0, 3);
    const roadIds = ids.slice(3);
    const found = topics.filter((t) => t.ticketIds.some((id) => policyIds.includes(id)));
    expect(found).toHaveLength(1);
    expect(found[0]!.ticketIds.sort((x, y) => x - y)).toEqual(policyIds);
    // Three roads in three areas: the same words, three problems.
    expect(topics.filter((t) => t.ticketIds.some((id) => roadIds.includes(id)))).toEqual([]);
  });
});
