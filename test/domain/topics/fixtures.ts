import type { TopicDoc } from '../../../src/domain/topics';

// What the topic tests share: four areas and a quiet month of one-off reports.
export const HOUR = 3_600_000;
export const AREAS = [
  { id: 'a', name: '长丰县' },
  { id: 'b', name: '河口区' },
  { id: 'c', name: '石桥镇' },
  { id: 'd', name: '白马乡' },
];

// One-off reports of a quiet month: every wording differs, each is its own problem.
export const ONE_OFFS = [
  '电费比去年涨了不少，能不能给个说明',
  '招聘会什么时候办，我们缺焊工',
  '园区食堂承包到期了想换一家',
  '环评批复要多久',
  '新厂房的规划许可证办下来了，施工许可还要等多久',
  '外籍员工的工作许可在哪里办',
  '想申请创业担保贷款，额度是多少',
  '员工宿舍的热水器坏了，物业说要自己修',
  '出口的货在港口压了三天，报关资料没问题',
  '厂区门口的快递柜能不能挪个位置',
  '我们想参加今年的专精特新评选，条件是什么',
  '上个月的水费单金额不对，比平时多了一倍',
];

/** The one-offs, then `extra` from enterprises x0, x1…, an hour apart; `ids` are extra's. */
export function quietWindow(extra: Array<{ text: string; area: string; category?: string }>, category = 'fees'): { docs: TopicDoc[]; ids: number[] } {
  let next = 0;
  const docs: TopicDoc[] = [];
  ONE_OFFS.forEach((text, i) => docs.push({ id: ++next, text, category: 'other', enterprise: `o${i}`, at: next * HOUR, area: AREAS[i % AREAS.length]!.id }));
  const ids: number[] = [];
  extra.forEach((e, i) => {
    docs.push({ id: ++next, text: e.text, category: e.category ?? category, enterprise: `x${i}`, at: next * HOUR, area: e.area });
    ids.push(next);
  });
  return { docs, ids };
}
