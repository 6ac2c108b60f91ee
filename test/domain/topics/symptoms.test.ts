import { describe, expect, it } from 'vitest';
import { createTopicIndex, problemKinds, type TopicDoc } from '../../../src/domain/topics';

const HOUR = 3_600_000;
const AREAS = [
  { id: 'a', name: '长丰县' },
  { id: 'b', name: '河口区' },
  { id: 'c', name: '石桥镇' },
  { id: 'd', name: '白马乡' },
  { id: 'e', name: '新塘镇' },
  { id: 'f', name: '江北区' },
];
// Everyday traffic and freight complaints in every area: a kind (通行) that is no burst anywhere.
const TRAFFIC = [
  '早高峰路口堵车太厉害，员工天天迟到',
  '货车白天禁行，我们送货只能半夜走',
  '大车通行证办了一个月还没下来',
  '厂门口的红绿灯时间太短，车辆排很长',
  '外地货车进城要预约，系统老约不上',
  '开发区里大车乱停，挡住了消防通道',
];
const OTHER = ['电费比去年涨了不少，能不能给个说明', '招聘会什么时候办，我们缺焊工', '出口退税到账太慢了', '园区食堂承包到期了想换一家', '环评批复要多久'];

describe('topics: one problem in different words', () => {
  it('groups reports of one new 限高 at a gate, which share no rare words but the symptom, where traffic complaints are everyday', () => {
    let next = 0;
    const doc = (text: string, enterprise: string, area: string): TopicDoc => ({ id: ++next, text, category: 'environment', enterprise, at: next * HOUR, area });
    const docs: TopicDoc[] = [];
    for (const { id: area } of AREAS) {
      TRAFFIC.forEach((t, i) => docs.push(doc(t, `${area}-t${i}`, area)));
      OTHER.forEach((t, i) => docs.push(doc(t, `${area}-o${i}`, area)));
    }
    const gate = [
      '北门新装的限高杆只有2米5，厢式车过不了',
      '谁批准装的限高？原料送不进厂',
      '门口那个限高架把半挂拦住了，只能绕',
      '限高设施一装，每天多花几百块倒运费',
    ].map((t, i) => doc(t, `g${i}`, 'a'));
    docs.push(...gate);
    const topics = createTopicIndex({ areas: AREAS }).cluster(docs);
    const ids = gate.map((d) => d.id);
    const found = topics.filter((t) => t.ticketIds.some((id) => ids.includes(id)));
    // One topic, of the gate's reports only (the background's repeated wordings may make topics of their own).
    expect(found).toHaveLength(1);
    expect(found[0]!.ticketIds.every((id) => ids.includes(id))).toBe(true);
    expect(found[0]!.ticketIds.length).toBeGreaterThanOrEqual(3);
  });

  it('reads symptoms in the words enterprises use', () => {
    expect(problemKinds('上午传到一半就断了')).toContain('上传失败');
    expect(problemKinds('自来水放出来有股铁锈味')).toContain('水质');
    expect(problemKinds('两个局都让我去找对方')).toContain('推诿');
    expect(problemKinds('登录一直转圈')).toContain('登录失败');
    expect(problemKinds('消防验收一直过不了')).toContain('消防');
    expect(problemKinds('早高峰路口堵车太厉害')).not.toContain('限高');
  });
});
