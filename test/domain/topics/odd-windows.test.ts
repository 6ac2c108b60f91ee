import { describe, expect, it } from 'vitest';
import { createTopicIndex, type TopicDoc } from '../../../src/domain/topics';
import { DEFAULT_TOPIC_OPTIONS } from '../../../src/domain/topics/cluster';
import { LEARNED_PAIR_MODEL } from '../../../src/domain/topics/pair-model';
import { AREAS, HOUR, quietWindow } from './fixtures';

const methods = [
  ['learned', LEARNED_PAIR_MODEL],
  ['rules', null],
] as const;

const doc = (id: number, text: string, enterprise: string, area = 'a', category = 'other'): TopicDoc => ({ id, text, category, enterprise, at: id * HOUR, area });

describe.each(methods)('topics: odd windows (%s)', (_, pairModel) => {
  const cluster = (docs: TopicDoc[]) => createTopicIndex({ areas: AREAS }).cluster(docs, { pairModel });

  it('makes nothing of empty reports, punctuation and emoji from many enterprises', () => {
    const noise = ['', ' ', '？？？', '。。。。。。', '!!!', '😀😀😀', '👍', '……', '1', '@@@', '\u0000'];
    const docs = noise.flatMap((text, k) => [0, 1, 2].map((e) => doc(k * 3 + e + 1, text, `e${k}-${e}`)));
    expect(cluster(docs)).toEqual([]);
  });

  it('does not make one enterprise posting the same problem fifty times a shared problem', () => {
    const docs = Array.from({ length: 50 }, (_, k) => doc(k + 1, '纬三路又积水了，货车进不来，下雨就淹', 'only-one'));
    expect(cluster(quietWindow([]).docs.concat(docs.map((d) => ({ ...d, id: d.id + 100 }))))).toEqual([]);
  });

  it('joins one text sent by ten enterprises into one topic of ten', () => {
    const { docs, ids } = quietWindow(Array.from({ length: 10 }, (_, k) => ({ text: '园区污水管网堵塞，企业废水排不出去，已经三天了', area: AREAS[k % 2]!.id })), 'environment');
    const topics = cluster(docs);
    expect(topics).toHaveLength(1);
    expect(topics[0]!.ticketIds).toEqual(ids);
    expect(topics[0]!.enterprises).toBe(10);
  });
});

describe('topics: the learned model’s window limit', () => {
  // A window of many distinct one-offs (each names its own road) with one shared problem in it.
  const window = (n: number): { docs: TopicDoc[]; ids: number[] } => {
    const docs: TopicDoc[] = [];
    for (let k = 0; docs.length < n - 3; k++) docs.push(doc(k + 1, `第${k}号厂房门口的路灯坏了${k % 7}盏，晚上看不见`, `o${k}`, AREAS[k % AREAS.length]!.id));
    const ids = [n - 2, n - 1, n];
    ['泽兴线限高杆太低，货车过不去要绕二十公里', '泽兴线新装的限高杆，我们的货车过不去', '泽兴线那个限高架能不能调高一点，车过不了'].forEach((text, k) => docs.push({ ...doc(ids[k]!, text, `z${k}`, 'a'), at: (n - 3 + k) * 60_000 }));
    return { docs, ids };
  };

  it.each([DEFAULT_TOPIC_OPTIONS.smallWindow, DEFAULT_TOPIC_OPTIONS.smallWindow + 1])('clusters a window of %i reports without error and finds the shared problem in it', (n) => {
    const { docs, ids } = window(n);
    expect(docs).toHaveLength(n);
    const topics = createTopicIndex({ areas: AREAS }).cluster(docs, { pairModel: LEARNED_PAIR_MODEL });
    const found = topics.filter((t) => t.ticketIds.some((id) => ids.includes(id)));
    expect(found).toHaveLength(1);
    expect(found[0]!.ticketIds).toEqual(ids);
  }, 60_000);
});
