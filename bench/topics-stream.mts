// A generated stream of tickets with planted shared problems (面上问题) among distractors, for
// bench/topics.mts. Planted reports are paraphrased: each is assembled from interchangeable
// fragments (place forms, problem wordings, impacts, asks, fillers from the classifier corpus),
// in varying order; distractors are the corpus's real-world-style issues and one-off reports of
// the same kinds of problem at other places (the hard negatives: 纬三路积水 is not 东环路积水).
import { readFileSync } from 'node:fs';
import type { TopicDoc } from '../src/domain/topics/cluster';

export interface StreamTicket extends TopicDoc {
  group: string;
  /** The planted topic, or null for a distractor. */
  topic: number | null;
}

/** The stream's areas (counties, parks), each with a name reports may use; groups belong to areas. */
export interface StreamArea {
  id: string;
  name: string;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Frame {
  category: string;
  /** What is wrong, worded several ways. */
  cores: string[];
  impacts: string[];
  asks: string[];
  /** Builds the specific thing a topic is about: a place, a system, a project, an agency. */
  subject: (r: () => number) => Subject;
}

const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const HAN = '东西南北中新青山河湖桥港纬经兴华安康平和金银石林泉松柏梅兰竹云龙凤鹤鹿阳光明春秋永乐富民昌盛吉祥天宝德顺长江丰泰瑞';
const name2 = (r: () => number) => pick(r, [...HAN]) + pick(r, [...HAN]);
const NUMS = ['一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** How reports name a subject, and what makes it that subject (a road's name, a system). */
interface Subject {
  forms: string[];
  key: string;
}

const road = (r: () => number): Subject => {
  const n = r() < 0.5 ? `${pick(r, ['纬', '经'])}${pick(r, NUMS)}路` : `${name2(r)}${pick(r, ['路', '大道', '街'])}`;
  const area = pick(r, ['开发区', '工业园', '高新区', '老城区', '东区', '西区']);
  return { forms: [n, `${area}${n}`, `${n}一带`, `${n}这段`, `${n}附近`], key: n.replace(/(?:路|大道|街)$/u, '') };
};
const park = (r: () => number): Subject => {
  const root = name2(r);
  const n = `${root}${pick(r, ['工业园', '产业园', '物流园', '科技园'])}`;
  return { forms: [n, `${n}里`, `${n}这边`, `我们${n}`], key: root };
};
const SYSTEMS = [
  '电子税务局', '出口退税申报系统', '增值税发票平台', '社保缴费系统', '公积金网厅', '一网通办平台', '工程建设审批系统', '不动产登记系统', '医保结算系统', '政府采购平台',
  '公共资源交易平台', '企业开办平台', '排污许可管理平台', '国际贸易单一窗口', '用电报装系统', '惠企政策申报平台', '人才认定系统', '施工许可审批系统', '水电气报装平台', '电子招投标系统',
  '安全生产信息平台', '食品经营许可系统', '特种设备登记系统', '劳动用工备案系统',
];
const system = (r: () => number): Subject => {
  const s = pick(r, SYSTEMS);
  const part = pick(r, ['登录页面', '申报模块', '上传附件环节', '扫码认证', '缴款环节', '提交按钮', '电子签章', '材料预审']);
  return { forms: [`${s}${part}`, `${s}的${part}`, `${s}上${part}`], key: s };
};
const agency = (r: () => number): Subject => {
  const root = name2(r);
  const n = `${root}${pick(r, ['评估', '检测', '咨询', '代办', '测绘'])}${pick(r, ['公司', '中心', '事务所'])}`;
  return { forms: [n, `一家叫${n}的机构`, `${n}这家中介`], key: root };
};
const project = (r: () => number): Subject => {
  const root = name2(r);
  const n = `${root}${pick(r, ['安置房', '道路改造', '污水管网', '学校', '产业园'])}项目`;
  return { forms: [n, `${n}的工程`, `政府投资的${n}`], key: root };
};

const FRAMES: Frame[] = [
  {
    category: 'utilities',
    cores: ['一下雨就积水', '雨后路面积水很深', '排水不畅积水没过脚踝', '下水道堵了雨水排不出去', '积水好几天都不退', '路上一片汪洋车开不进来'],
    impacts: ['货车进不来', '员工上下班蹚水', '仓库进水货物泡了', '物流停了两天'],
    asks: ['请尽快疏通排水', '希望市政来看看', '能不能把排水管改造一下', '麻烦相关部门处理'],
    subject: road,
  },
  {
    category: 'utilities',
    cores: ['频繁停电', '这周停了好几次电', '供电不稳老是跳闸', '突然断电也不通知', '电压忽高忽低'],
    impacts: ['生产线停了', '设备烧坏了一台', '订单交不了货', '冷库的货要坏'],
    asks: ['请供电公司查一下线路', '希望给个说法', '能否提前通知停电', '麻烦尽快恢复'],
    subject: park,
  },
  {
    category: 'tax',
    cores: ['一直报错提交不了', '显示系统异常无法申报', '卡住不动转圈', '提示网络超时办不下去', '老是闪退'],
    impacts: ['申报期快截止了', '退税款拿不到', '发票开不出来', '影响月底结账'],
    asks: ['请税务局尽快修复', '有没有其他办理渠道', '希望延长申报期限', '麻烦技术人员看看'],
    subject: system,
  },
  {
    category: 'approval',
    cores: ['材料传不上去', '提交后一直显示待受理', '页面打不开', '签章失败办不了', '预审一直不通过也不说原因'],
    impacts: ['项目开工耽误了', '已经跑了三趟大厅', '证照下不来', '招投标资格受影响'],
    asks: ['请政务服务中心协调', '希望尽快修好', '能不能线下先受理', '麻烦给个解决办法'],
    subject: system,
  },
  {
    category: 'fees',
    cores: ['强制收取评估费', '说不交钱就不给出报告', '收费标准比别处高好几倍', '要求必须找他们办', '额外收什么加急费'],
    impacts: ['企业负担太重', '小企业根本承受不起', '审批卡在这一步', '不交就拖着'],
    asks: ['请查处乱收费', '希望规范中介收费', '这种收费合理吗', '请有关部门管一管'],
    subject: agency,
  },
  {
    category: 'payment',
    cores: ['工程款拖欠一年多', '款项迟迟不付', '结算审计完了也不付钱', '尾款一直拖着', '进度款只付了三成'],
    impacts: ['农民工工资发不出', '公司资金链紧张', '材料商天天上门要账', '银行贷款还不上'],
    asks: ['请帮忙协调付款', '希望政府督促', '能否给个付款时间', '请清欠办介入'],
    subject: project,
  },
  {
    category: 'construction',
    cores: ['施工围挡把厂门挡住了', '修路半年还没完工', '道路开挖后没人管', '施工扬尘特别大', '夜里施工噪音扰民'],
    impacts: ['客户进不来', '员工意见很大', '车辆只能绕行', '厂区全是灰'],
    asks: ['请加快施工进度', '希望留出通道', '麻烦管一下施工单位', '请住建部门协调'],
    subject: road,
  },
  {
    category: 'environment',
    cores: ['晚上有刺鼻的气味', '河道发黑发臭', '有企业偷排污水', '粉尘污染严重', '异味越来越重'],
    impacts: ['员工头晕恶心', '产品质量受影响', '客户参观印象很差', '附近居民也在投诉'],
    asks: ['请环保部门查一查', '希望尽快整治', '麻烦派人来检测', '请依法处理'],
    subject: park,
  },
];

const OPENERS = ['', '', '你好，', '@共治助手 ', '请问一下，', '反映个问题：', '各位领导好，', '又来了，'];
const TAILS = ['', '', '', '谢谢！', '急！', '盼回复', '已经反映过了', '辛苦了'];

/** Corpus issues by category: the distractors, and clause fragments mixed into planted reports. */
function loadCorpus(): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const f of ['real-issues-a.tsv', 'real-issues-b.tsv', 'issues-1.tsv', 'issues-2.tsv', 'issues-3.tsv', 'issues-4.tsv', 'issues-5.tsv']) {
    const text = readFileSync(new URL(`../corpus/classifier/${f}`, import.meta.url), 'utf8');
    for (const line of text.split('\n')) {
      if (!line.trim() || line.startsWith('#')) continue;
      const cols = line.split('\t');
      if (cols.length < 4) continue;
      const [category, , , ...rest] = cols;
      const list = by.get(category!) ?? [];
      list.push(rest.join(' '));
      by.set(category!, list);
    }
  }
  return by;
}

/**
 * A clause of a corpus sentence, each used once: two unrelated reports do not share a verbatim
 * clause, and the stream must not pretend they do. Fragments come from the half of the corpus
 * that is not used whole.
 */
let fragments = new Map<string, string[]>();
function fragment(r: () => number, corpus: string[]): string {
  const key = corpus[0] ?? '';
  let list = fragments.get(key);
  if (!list) {
    list = corpus.filter((_, i) => i % 2 === 1).flatMap((s) => s.split(/[，,。；;！!？? ]/u).filter((p) => p.length >= 4)).sort(() => r() - 0.5);
    fragments.set(key, list);
  }
  return list.pop() ?? '';
}

function plantedReport(r: () => number, frame: Frame, subject: Subject, cores: string[], corpus: string[]): { text: string; place: string } {
  const place = pick(r, subject.forms);
  const core = pick(r, cores);
  const clauses = [`${place}${core}`];
  if (r() < 0.7) clauses.push(pick(r, frame.impacts));
  if (r() < 0.6) clauses.push(pick(r, frame.asks));
  if (r() < 0.35) clauses.push(fragment(r, corpus));
  // Word order differs between writers: sometimes the impact comes first.
  if (r() < 0.3 && clauses.length > 1) clauses.reverse();
  return { text: `${pick(r, OPENERS)}${clauses.filter(Boolean).join(pick(r, ['，', '，', '。', ' ', '；']))}${pick(r, TAILS)}`, place };
}

export interface StreamOptions {
  seed: number;
  tickets: number;
  /** Planted topics; their sizes are drawn from 3..maxSize enterprises. */
  topics: number;
  maxSize: number;
  days: number;
  groups: number;
  /** The seed of the areas' names (default: seed), so a later batch can share a stream's areas. */
  areaSeed?: number;
}

/** Two groups per area (a county's or a park's co-governance groups). */
export const areaCount = (groups: number) => Math.max(2, Math.round(groups / 2));

/** The areas of a stream of `groups` groups; group gK belongs to area a(K mod areas). */
export function streamAreas(opts: Pick<StreamOptions, 'seed' | 'groups' | 'areaSeed'>): StreamArea[] {
  const r = rng((opts.areaSeed ?? opts.seed) * 7919 + 17);
  const names = new Set<string>();
  while (names.size < areaCount(opts.groups)) names.add(`${name2(r)}${pick(r, ['县', '区', '开发区', '高新区', '镇', '工业园'])}`);
  return [...names].map((name, k) => ({ id: `a${k}`, name }));
}
const stemOf = (name: string) => name.replace(/(?:开发区|高新区|工业园|县|区|镇)$/u, '');

/**
 * The stream, oldest first, spread over `days`. Planted topics span 1–20 days and 2–6 groups;
 * 8% of their reports carry another category (the classifier's mistakes), 10% come from an
 * enterprise that already reported it.
 */
export function generateStream(opts: StreamOptions): StreamTicket[] {
  const r = rng(opts.seed);
  const corpus = loadCorpus();
  fragments = new Map();
  const cats = [...corpus.keys()];
  const out: StreamTicket[] = [];
  const dayMs = 86_400_000;
  const start = Date.UTC(2026, 8, 1);
  let enterprise = 0;
  let id = 0;
  const areas = streamAreas(opts);
  const areaOf = (g: number) => areas[g % areas.length]!;
  const gi = () => Math.floor(r() * opts.groups);
  /** A group of the area (groups k, k + areas, k + 2·areas… belong to area k). */
  const groupIn = (a: number) => {
    const choices = Array.from({ length: Math.ceil((opts.groups - a) / areas.length) }, (_, k) => a + k * areas.length);
    return pick(r, choices);
  };
  /**
   * Where a report names its area: some writers say where they are (青山县纬三路…), and a company
   * reporting from another area's group nearly always does (我们在青山也有厂…), or nobody would know.
   */
  const located = (text: string, place: string, home: StreamArea, away: boolean) => {
    if (!(away ? r() < 0.7 : r() < 0.15)) return text;
    const where = pick(r, [home.name, stemOf(home.name)]);
    return r() < 0.5 ? text.replace(place, `${where}${place}`) : `${pick(r, ['我们在', '', '我们是'])}${where}的，${text}`;
  };
  // A place or system reported by several enterprises IS a shared problem: distractors never reuse one.
  const used = new Set<string>();
  // Nor do two planted topics share a name or a system (北富路 and 北富工业园, or two faults of one
  // system at once, are one problem to anyone reading them), and no one-off names a planted topic's
  // subject with the same kind of problem (北富科技园停电 beside planted 北富工业园停电).
  const planted = new Set<string>();
  const plantedIn = new Set<string>();
  const freshSubject = (frame: Frame, topic: boolean) => {
    for (let tries = 0; tries < 40; tries++) {
      const s = frame.subject(r);
      if (used.has(s.forms[0]!) || plantedIn.has(`${FRAMES.indexOf(frame)}|${s.key}`) || (topic && planted.has(s.key))) continue;
      used.add(s.forms[0]!);
      if (topic) planted.add(s.key), plantedIn.add(`${FRAMES.indexOf(frame)}|${s.key}`);
      return s;
    }
    return null;
  };
  for (let t = 0; t < opts.topics; t++) {
    const frame = FRAMES[t % FRAMES.length]!;
    const subject = freshSubject(frame, true) ?? frame.subject(r);
    // Each topic's writers draw on 3 of the frame's wordings: paraphrases, not one sentence.
    const cores = [...frame.cores].sort(() => r() - 0.5).slice(0, 3);
    const size = 3 + Math.floor(Math.pow(r(), 2) * (opts.maxSize - 2));
    const begin = start + Math.floor(r() * (opts.days - 20)) * dayMs;
    const span = (1 + Math.floor(r() * 20)) * dayMs;
    // An online system serves the whole city: its users are in any group. A place (a road, a
    // park, a project) is in one area: most reports come from that area's groups, a few from
    // companies elsewhere (a second site, a supplier), which then say where.
    const cityWide = frame.subject === system;
    const home = Math.floor(r() * areas.length);
    const groups = Array.from({ length: 2 + Math.floor(r() * 5) }, gi);
    const reporters: string[] = [];
    for (let k = 0; k < size; k++) {
      const again = reporters.length >= 3 && r() < 0.1;
      const ent = again ? pick(r, reporters) : `e${++enterprise}`;
      reporters.push(ent);
      const g = cityWide ? pick(r, groups) : r() < 0.85 ? groupIn(home) : gi();
      const report = plantedReport(r, frame, subject, cores, corpus.get(frame.category) ?? []);
      out.push({
        id: ++id,
        text: cityWide ? report.text : located(report.text, report.place, areas[home]!, areaOf(g) !== areas[home]),
        category: r() < 0.08 ? pick(r, cats) : frame.category,
        enterprise: ent,
        at: begin + Math.floor(r() * span),
        group: `g${g}`,
        area: areaOf(g).id,
        topic: t,
      });
    }
  }
  // Distractors: the corpus's issues, with a writer's own opener and tail, and one-off reports
  // of the frames' problems at places nobody else mentions.
  // Each corpus issue is used once (the same sentence from three enterprises would be a topic).
  const pool = cats.flatMap((c) => (corpus.get(c) ?? []).filter((_, i) => i % 2 === 0).map((text) => ({ c, text }))).sort(() => r() - 0.5);
  while (out.length < opts.tickets) {
    const at = start + Math.floor(r() * opts.days * dayMs);
    let text: string;
    let category: string;
    const g = gi();
    // Systems are few: a one-off report about one would soon be a shared problem, so one-offs name places.
    const frame = pick(r, FRAMES.filter((f) => f.subject !== system));
    const subject = r() < 0.5 || pool.length === 0 ? freshSubject(frame, false) : null;
    if (subject) {
      const report = plantedReport(r, frame, subject, frame.cores, corpus.get(frame.category) ?? []);
      text = located(report.text, report.place, areaOf(g), false);
      category = frame.category;
    } else if (pool.length) {
      const p = pool.pop()!;
      text = `${pick(r, OPENERS)}${p.text}${pick(r, TAILS)}`;
      category = p.c;
    } else {
      // Past the corpus and the unique places (the 100,000-ticket timing run): generated filler.
      text = `${pick(r, OPENERS)}${Array.from({ length: 6 + Math.floor(r() * 10) }, () => name2(r)).join('')}`;
      category = frame.category;
    }
    out.push({ id: ++id, text, category, enterprise: `e${++enterprise}`, at, group: `g${g}`, area: areaOf(g).id, topic: null });
  }
  return out.sort((a, b) => a.at - b.at);
}
