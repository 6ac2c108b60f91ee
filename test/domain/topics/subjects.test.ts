import { describe, expect, it } from 'vitest';
import { placeWords, subjectClass, subjectKind } from '../../../src/domain/topics/vectors';

/**
 * What subject words a text names, with their kind word and class. Pinned before the kind words
 * were written once (they had been spelled out in three places, where the alternation's order
 * decides 东区工业园区 → 东区工业园 and 物流园区 → 物流园区).
 */
const SUBJECTS: ReadonlyArray<readonly [text: string, subjects: ReadonlyArray<readonly [name: string, kind: string, cls: string]>]> = [
    ["开发区纬三路一下雨就积水", [["开发区纬三路", "路", "road"], ["纬三路", "路", "road"]]],
    ["北富大道两边的厂门口", [["北富大道", "大道", "road"]]],
    ["老街巷子里停车难", [["老街", "街", "road"]]],
    ["东区工业园区门口堵车", [["东区工业园", "工业园", "park"]]],
    ["青山工业园的物业收费", [["青山工业园", "工业园", "park"]]],
    ["南湖产业园停电", [["南湖产业园", "产业园", "park"]]],
    ["金湾物流园收货车进出费", [["金湾物流园", "物流园", "park"]]],
    ["城东科技园网速慢", [["城东科技园", "科技园", "park"]]],
    ["北山经开区纬3路积水", []],
    ["西岭开发区管委会", [["西岭开发区", "开发区", "park"]]],
    ["南湖高新区审批", [["南湖高新区", "高新区", "park"]]],
    ["老城片区拆迁", [["老城片区", "片区", "park"]]],
    ["东港镇水厂停水", [["东港镇", "镇", "settlement"]]],
    ["白沙乡自来水发黄", [["白沙乡", "乡", "settlement"]]],
    ["柳林村道路", [["柳林村", "村", "settlement"]]],
    ["幸福社区物业", [["幸福社区", "社区", "settlement"]]],
    ["阳光小区停车", [["阳光小区", "小区", "settlement"]]],
    ["国贸大厦电梯", [["国贸大厦", "大厦", "building"]]],
    ["人民广场施工", [["人民广场", "广场", "building"]]],
    ["新港码头拥堵", [["新港码头", "码头", "building"]]],
    ["长途车站附近", [["长途车站", "车站", "building"]]],
    ["跨江大桥限高", [["跨江大桥", "大桥", "road"]]],
    ["山前隧道封闭", [["山前隧道", "隧道", "road"]]],
    ["使用出口退税申报系统一直报错", [["出口退税申报系统", "系统", "online"]]],
    ["请问出口退税那个系统登不上", [["出口退税系统", "系统", "online"]]],
    ["一网通办平台打不开", [["一网通办平台", "平台", "online"]]],
    ["电子税务局闪退", [["电子税务局", "税务局", "online"]]],
    ["网上办事网厅转圈", [["网上办事网厅", "网厅", "online"]]],
    ["请供电公司查一下", []],
    ["麻烦政务服务中心协调", []],
    ["说是某某评估公司推荐的", [["某某评估公司", "公司", "organisation"]]],
    ["承建的安置房项目拖欠工程款", [["安置房项目", "项目", "project"]]],
    ["会计师事务所收费", [["会计师事务所", "事务所", "organisation"]]],
    ["材料预审显示系统异常", []],
    ["从柳林往青山园区的路", [["青山园区", "园区", "park"]]],
    ["区政府与我公司签了协议", []],
    ["绕路走很远", []],
    ["过路费太高", []],
    ["线路老化跳闸", []],
    ["这条路一直在修", []],
    ["我们园区东门那条路", []],
    ["年老旧小区改造", [["老旧小区", "小区", "settlement"]]],
    ["推荐的诚信安全评价公司", [["诚信安全评价公司", "公司", "organisation"]]],
    ["青山县工业园区纬一路", [["青山县工业园", "工业园", "park"], ["区纬一路", "路", "road"], ["纬一路", "路", "road"]]],
    ["中心城区交通", []],
    ["路面坑洼", []],
    ["街道办不管", []],
    ["税务局窗口排队", []],
    ["公积金中心系统升级", [["公积金中心", "中心", "organisation"]]],
    ["这个平台太难用", []],
    ["水务公司不接电话", [["水务公司", "公司", "organisation"]]],
    ["人民路与解放路路口", [["人民路", "路", "road"], ["解放路", "路", "road"]]],
    ["高新区科技大道", [["高新区科技大道", "大道", "road"], ["科技大道", "大道", "road"]]],
    ["园区里的集中供热", []],
    ["镇上水厂停水", []],
    ["东环路一到下雨天就淹", [["东环路", "路", "road"]]],
    ["物流园区东侧道路", [["物流园区", "园区", "park"], ["东侧道路", "路", "road"]]],
    ["产业园区污水", [["产业园区", "园区", "park"]]],
    ["开发区管委会大厦", [["开发区管委会大厦", "大厦", "building"], ["管委会大厦", "大厦", "building"]]],
    ["某某建设公司项目部", [["某某建设公司", "公司", "organisation"]]],
];

describe('topics: subject words and their kinds', () => {
  it.each(SUBJECTS)('%s', (text, subjects) => {
    const found = placeWords(text);
    expect(found).toEqual(subjects.map(([name]) => name));
    expect(found.map((w) => [subjectKind(w), subjectClass(subjectKind(w))])).toEqual(subjects.map(([, kind, cls]) => [kind, cls]));
  });

  it('reads each kind word as one class, whatever the name before it', () => {
    const classes = Object.fromEntries(['大道', '路', '街', '巷', '园区', '工业园', '产业园', '物流园', '科技园', '开发区', '高新区', '片区', '镇', '乡', '村', '社区', '小区', '大厦', '广场', '码头', '车站', '大桥', '隧道', '系统', '平台', '网厅', '税务局', '公司', '中心', '事务所', '项目'].map((k) => [k, subjectClass(subjectKind(`长丰${k}`))]));
    expect(classes).toEqual({
      大道: 'road', 路: 'road', 街: 'road', 巷: 'road', 大桥: 'road', 隧道: 'road',
      园区: 'park', 工业园: 'park', 产业园: 'park', 物流园: 'park', 科技园: 'park', 开发区: 'park', 高新区: 'park', 片区: 'park',
      镇: 'settlement', 乡: 'settlement', 村: 'settlement', 社区: 'settlement', 小区: 'settlement',
      大厦: 'building', 广场: 'building', 码头: 'building', 车站: 'building',
      系统: 'online', 平台: 'online', 网厅: 'online', 税务局: 'online',
      公司: 'organisation', 中心: 'organisation', 事务所: 'organisation',
      项目: 'project',
    });
    expect(subjectKind('长丰湖')).toBe('');
    expect(subjectClass('')).toBe('');
  });
});
