import { describe, expect, it } from 'vitest';
import { createTopicIndex, type TopicDoc } from '../../../src/domain/topics';
import { LEARNED_PAIR_MODEL } from '../../../src/domain/topics/pair-model';
import { AREAS, HOUR, quietWindow } from './fixtures';

// A chat message may be 20,000 characters (inboundMessageSchema): a long letter pasted into the group.
const LIMIT = 20_000;

const SENTENCES = [
  '我公司位于工业园区，主要从事精密零部件加工，现有员工一百二十人',
  '去年以来订单增长较快，需要扩建厂房并新增两条生产线',
  '在办理相关手续过程中遇到了一些困难，多次跑窗口仍未解决',
  '希望有关部门能够协调处理，给企业一个明确的答复和办理时限',
  '另外园区道路照明不足，夜间货车进出存在安全隐患',
  '员工通勤班车线路调整后，部分员工上下班很不方便',
  '企业用工方面，技术工人招聘困难，希望人社部门组织专场招聘',
  '近期原材料价格上涨，资金周转紧张，想了解有没有贴息贷款政策',
];

/** A letter of `length` characters, different for each `seed`: sentences in a rotating order with the seed's own numbers. */
function letter(seed: number, length = LIMIT): string {
  let text = '';
  for (let k = 0; text.length < length; k++) text += `${SENTENCES[(seed * 3 + k) % SENTENCES.length]}（第${seed}-${k}项）。`;
  return text.slice(0, length);
}

describe('topics: windows of long reports', () => {
  it('clusters a window of letters at the 20,000-character limit in seconds, and still finds the short reports’ problem in it', () => {
    const water = [
      { text: '纬三路又积水了，货车进不来，下雨就淹', area: 'a' },
      { text: '纬三路积水一直没人管，厂门口全是水', area: 'a' },
      { text: '一下雨纬三路就积水，员工上班蹚水', area: 'a' },
    ];
    const { docs, ids } = quietWindow(water, 'infrastructure');
    // Thirty enterprises each paste a long letter about their own affairs (it took minutes: the
    // longest shared run was compared character by character over whole texts).
    const long: TopicDoc[] = Array.from({ length: 30 }, (_, k) => ({ id: 1000 + k, text: letter(k), category: 'other', enterprise: `l${k}`, at: (100 + k) * HOUR, area: AREAS[k % AREAS.length]!.id }));
    const topics = createTopicIndex({ areas: AREAS }).cluster([...docs, ...long], { pairModel: LEARNED_PAIR_MODEL });
    const found = topics.filter((t) => t.ticketIds.some((id) => ids.includes(id)));
    expect(found).toHaveLength(1);
    expect(found[0]!.ticketIds.filter((id) => ids.includes(id))).toEqual(ids);
  }, 30_000);
});
