import { describe, expect, it } from 'vitest';
import { clusterTopics, createAreaMatcher, createTopicIndex, placeWords, problemKinds, reconcileTopics, type TopicCluster, type TopicDoc } from '../../src/domain/topics';

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

  it('two problems joined by reports naming both stay two topics: neither is lost to the other', () => {
    const power = [
      '青山工业园东区这周又停电了，供电线路老化，生产线停了，请供电公司尽快检修线路',
      '青山工业园东区频繁停电，供电线路老化，一周停了三次，请供电公司检修线路',
      '青山工业园东区停电太多，供电线路老化跳闸，设备受损，请供电公司检修',
      '我们在青山工业园东区，经常停电，供电线路老化，请供电公司尽快检修线路',
    ];
    const both = ['纬三路一下雨就积水，排水管堵了；青山工业园东区又停电了，供电线路老化', '纬三路积水好几天不退，青山工业园东区供电线路老化停电，两件事都请尽快处理'];
    const flood = FLOOD.map((t, i) => doc(t, `f${i}`));
    const docs = [...flood, ...power.map((t, i) => doc(t, `p${i}`)), ...both.map((t, i) => doc(t, `x${i}`))];
    const topics = clusterTopics(docs);
    expect(topics).toHaveLength(2);
    expect(topics.find((t) => t.ticketIds.includes(flood[0]!.id))!.ticketIds).toEqual(flood.map((d) => d.id));
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

const AREAS = [
  { id: 'dg', name: '东港镇' },
  { id: 'qs', name: '青山县' },
  { id: 'hx', name: '河西区' },
  { id: 'bs', name: '白沙县' },
  { id: 'll', name: '柳林县' },
];
// Everyday reports of every kind, each once, spread over the areas: the background a burst stands out from.
const BACKGROUND = [
  '园区路灯坏了一个月没人修', '申请的高新技术企业认定一直没有结果', '社保补贴什么时候发放', '食堂的油烟被投诉了怎么办', '厂房租金补贴还没兑现',
  '招工难，技术工人招不到', '银行贷款续贷要求太多', '消防验收排队要两个月', '发票领用数量不够用', '出口退税到账太慢', '环评批复要等多久',
  '门口的路灯晚上不亮', '快递车进不了园区', '员工宿舍不够住', '政府采购款拖了半年', '税务稽查通知来得太突然', '施工许可证办了三个月',
  '用电增容报装进度慢', '天然气价格上涨太快', '工商年报填错了怎么改', '排污许可证延续要什么材料', '医保定点申请卡住了', '公积金缴存基数怎么调',
  '人才公寓申请条件是什么', '企业搬迁补偿标准不清楚', '商标被人抢注了', '海关查验时间太长', '危废处置价格太高', '叉车年检要去哪里',
  '充电桩安装审批难', '夜间施工噪音影响员工休息', '供暖费收得太高', '厂区门口积水一下雨就淹', '东环路上货车乱停', '土地证换不动产证要多久',
  '有人冒用我们公司名义招标', '劳动仲裁排期太久', '停车场收费不合理', '园区网络经常断', '残保金怎么申报减免',
];
// One problem in 东港镇's water supply, in each writer's own words: few words in common.
const WATER = [
  '东港这边的自来水这几天发黄，做豆制品的根本没法用',
  '厂里接的自来水浑浊，放一会儿底下全是沉淀',
  '这两天水质很差，水发黄还有铁锈味，锅炉都不敢用了',
  '水务公司说管网老化，水质一直不行，生产线停了',
  '镇上供水是不是出问题了，自来水黄得像茶',
];

describe('topics: the same kind of problem in the same area', () => {
  const background = () => BACKGROUND.map((t, i) => doc(t, `b${i}`, { area: AREAS[i % AREAS.length]!.id }));

  it('groups one area’s reports of one kind of problem worded differently, but not the same words from five areas', () => {
    const inDonggang = WATER.map((t, i) => doc(t, `w${i}`, { area: 'dg' }));
    const found = createTopicIndex({ areas: AREAS }).cluster([...background(), ...inDonggang]);
    expect(found).toHaveLength(1);
    expect(found[0]!.enterprises).toBeGreaterThanOrEqual(3);
    expect(inDonggang.map((d) => d.id)).toEqual(expect.arrayContaining(found[0]!.ticketIds));

    const spread = WATER.map((t, i) => doc(t, `s${i}`, { area: AREAS[i]!.id }));
    expect(createTopicIndex({ areas: AREAS }).cluster([...background(), ...spread])).toHaveLength(0);
  });

  it('keeps two roads in one park apart', () => {
    const park = [
      ['青山工业园纬三路一下雨就积水，货车进不来', '青山工业园纬三路积水好几天不退，仓库进水了', '青山工业园纬三路排水管堵了，一下雨就积水'],
      ['青山工业园经五路一下雨就积水，货车进不来', '青山工业园经五路积水好几天不退，仓库进水了', '青山工业园经五路排水管堵了，一下雨就积水'],
    ].map((texts, road) => texts.map((t, i) => doc(t, `r${road}-${i}`, { area: 'qs' })));
    const topics = createTopicIndex({ areas: AREAS }).cluster(park.flat());
    expect(topics.map((t) => t.ticketIds).sort((a, b) => a[0]! - b[0]!)).toEqual(park.map((road) => road.map((d) => d.id)));
  });

  it('one online system is one problem whichever areas its users report from', () => {
    const sys = [
      '一网通办平台做股东变更，电子签名那一步一直失败',
      '通过一网通办平台办住所变更，全体股东签名完成后还是提示签名未完成',
      '一网通办平台电子营业执照签名老是失败，换法人卡在最后一步',
      '一网通办平台的电子签名是不是出故障了，变更登记提交不了',
    ].map((t, i) => doc(t, `u${i}`, { area: AREAS[i]!.id, category: 'approval' }));
    const topics = createTopicIndex({ areas: AREAS }).cluster(sys);
    expect(topics.map((t) => t.ticketIds)).toEqual([sys.map((d) => d.id)]);
  });

  it('reads the area a report names and the kind of problem it describes', () => {
    const areas = createAreaMatcher(AREAS);
    expect(areas.find('我们东港的工厂水质化验不合格')).toEqual(['dg']);
    expect(areas.find('青山县工业园区北入口')).toEqual(['qs']);
    expect(areas.lead('青山县工业园')).toEqual({ area: 'qs', rest: '工业园' });
    expect(problemKinds('园区东门那条路一下雨就淹')).toContain('积水');
    expect(problemKinds('镇上水厂是不是出问题了')).toContain('供水');
    expect(problemKinds('电子税务局一直报错提交不了')).toContain('系统故障');
  });

  it('does not take the handler asked to act, a bare kind word or a verb’s object for a subject', () => {
    expect(placeWords('停电了，请供电公司尽快检修线路')).toEqual([]);
    expect(placeWords('说是园区整体没验收')).toEqual([]);
    expect(placeWords('限高架子挡住了，绕路多走二十公里')).toEqual([]);
    expect(placeWords('我们从柳林往青山园区送货')).toEqual(['青山园区']);
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
