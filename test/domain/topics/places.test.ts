import { describe, expect, it } from 'vitest';
import { createTopicIndex, type TopicDoc } from '../../../src/domain/topics';

const HOUR = 3_600_000;
// One county (长丰县) with three towns, and a second county.
const AREAS = [
  { id: 'cf', name: '长丰县' },
  { id: 'cf', name: '石桥镇' },
  { id: 'cf', name: '新塘镇' },
  { id: 'cf', name: '白马镇' },
  { id: 'hk', name: '河口区' },
];
const PLACES = [
  { id: 'sq', name: '石桥镇' },
  { id: 'xt', name: '新塘镇' },
  { id: 'bm', name: '白马镇' },
];
// Everyday broadband trouble all over the county, one report here and there.
const EVERYDAY = [
  { text: '办公室的网络时好时坏，运营商说是路由器的问题', place: 'xt' },
  { text: '新装的宽带一个月了还没开通', place: 'bm' },
  { text: '我们想换一家运营商的专线，流程怎么走', place: null },
  { text: '车间里手机信号不好，能不能加个基站', place: 'xt' },
  { text: '宽带费用比隔壁县贵，能不能降一点', place: 'bm' },
  { text: '厂里网线被老鼠咬断了，谁来修', place: null },
];
const OTHER = ['电费比去年涨了不少，能不能给个说明', '招聘会什么时候办，我们缺焊工', '出口退税到账太慢了', '园区食堂承包到期了想换一家', '环评批复要多久', '厂房租金能不能按季度交'];
// One town's outage, in each enterprise's own words: they share the symptom, not a rare word.
const OUTAGE = ['这几天光纤断了三回，订单系统全掉线', '宽带又断了，直播间一下午开不了', '光纤一天断好几次，视频会开不成', '宽带断网好几次，报修也没人来'];

function window(withPlaces: boolean): { docs: TopicDoc[]; outage: number[] } {
  let next = 0;
  const docs: TopicDoc[] = [];
  const add = (text: string, area: string, place: string | null) => docs.push({ id: ++next, text, category: 'utilities', enterprise: `e${next}`, at: next * HOUR, area, place: withPlaces ? place : null });
  for (const e of EVERYDAY) add(e.text, 'cf', e.place);
  // Unrelated reports fill the window, so broadband trouble is a small share of it (their repeats
  // may make topics of their own; those are not what is checked).
  for (let round = 0; round < 8; round++) for (const t of OTHER) add(`${t}（${round + 1}号厂）`, round % 4 === 0 ? 'hk' : 'cf', round === 1 ? 'sq' : round % 2 === 0 ? 'xt' : 'bm');
  const outage: number[] = [];
  for (const t of OUTAGE) add(t, 'cf', 'sq'), outage.push(next);
  return { docs, outage };
}

describe('topics: a town inside its county', () => {
  it('would not read that burst from the county alone (the test is of the place)', () => {
    const { docs, outage } = window(false);
    const topics = createTopicIndex({ areas: AREAS }).cluster(docs);
    expect(topics.filter((t) => t.ticketIds.filter((id) => outage.includes(id)).length >= 3)).toEqual([]);
  });

  it('reads a burst of one kind of problem in one town, where the county as a whole has it every week', () => {
    const { docs, outage } = window(true);
    const topics = createTopicIndex({ areas: AREAS, places: PLACES }).cluster(docs);
    const found = topics.filter((t) => t.ticketIds.some((id) => outage.includes(id)));
    expect(found).toHaveLength(1);
    expect(found[0]!.ticketIds.filter((id) => outage.includes(id)).length).toBeGreaterThanOrEqual(3);
    expect(found[0]!.ticketIds.every((id) => outage.includes(id))).toBe(true);
  });

  it('does not make one problem of the everyday reports of that kind across the county', () => {
    const { docs, outage } = window(true);
    const topics = createTopicIndex({ areas: AREAS, places: PLACES }).cluster(docs);
    for (const t of topics) expect(t.ticketIds.every((id) => outage.includes(id)) || !t.ticketIds.some((id) => outage.includes(id))).toBe(true);
  });
});
