/**
 * What kind of problem a report describes, whatever words it uses: 一下雨就淹, 排水口堵死了, 积水半个
 * 轮子深 are all 积水; 镇上水厂, 东港自来水, 供水管网 are one utility. Two reports of one kind in one
 * area are what a person reads as "the same thing again" when the reports share no rare word. The
 * classes are coarse on purpose and cut across the taxonomy's categories (a clerk files flooding
 * under utilities, construction or environment).
 */
const KINDS: ReadonlyArray<readonly [kind: string, words: RegExp]> = [
  ['积水', /积水|内涝|淹|倒灌|成河|排水|雨水|下水道|泡水|蹚水|汪洋|排不出/u],
  ['停电', /停电|断电|跳闸|电压|供电|限电|拉闸|没电|来电|停了.{0,3}电/u],
  ['供水', /停水|自来水|水厂|供水|水压|水质|水管|爆管|浑浊|发黄|铁锈|水务|用水|没水/u],
  ['燃气供热', /燃气|天然气|停气|供暖|暖气|供热|供汽|蒸汽/u],
  ['通信', /信号|宽带|断网|光纤|基站|网速/u],
  ['系统故障', /系统|平台|网厅|网上|线上|页面|报错|闪退|登录|登陆|上传|掉线|卡住|卡在|转圈|超时|打不开|提交不了|签章|电子签|扫码|故障/u],
  ['收费', /收费|收取|乱收|多收|交钱|赞助|会费|报价|费用|收.{0,4}费/u],
  ['欠款', /拖欠|欠款|欠了|尾款|工程款|进度款|货款|账款|付款|不付|结算|清欠|回款/u],
  ['施工', /施工|围挡|开挖|修路|工地|渣土|扬尘|挖断/u],
  ['污染', /气味|异味|臭|排污|污水|粉尘|废气|偷排|黑烟|烟尘|噪音|噪声|垃圾/u],
  ['推诿', /推诿|踢皮球|推来推去|互相推|推给|不归|不属于|不是.{0,4}管|没人管|谁管/u],
  ['审批', /审批|审核|受理|许可|办证|备案|待审|审查|审图|不通过|退回|驳回|材料|窗口|跑了.{0,3}趟/u],
  ['通勤', /公交|班车|通勤|上下班|打车|停运/u],
  ['入学', /入学|上学|学校|学位|子女|小学|孩子/u],
  ['通行', /限高|货车|大车|通行|绕路|绕行|进不去|出不去|进不来|禁行|限行|堵车|拥堵|路口|车辆/u],
  ['产权', /产权|不动产|房产证|土地证|确权|验收|过户/u],
  ['招投标', /招标|投标|中标|标书|资格|排斥|本地注册|量身定做|围标|采购/u],
  ['补贴', /补贴|补助|奖补|奖励|兑现|扶持|名额|额度/u],
  ['检查', /检查|执法|整改|罚款|处罚|查封|督察|抽查|安检|检测/u],
  ['物业', /物业|管委会|园区管理/u],
  ['协会', /协会|商会|入会/u],
  ['用工', /招工|用工|社保|工资|人才|员工宿舍|缺工/u],
  ['融资', /贷款|融资|银行|授信|担保|抵押|利率|续贷/u],
  ['税务', /税|发票|退税|留抵|申报/u],
];

/**
 * Symptoms: the finer problem one kind covers, in the words enterprises use for it (a 限高杆 / 限高架
 * / 2.8米限高 at a gate; 传不上 / 上传失败 / 传到一半就断; 发黄 / 浑浊 / 铁锈味). Within one kind the
 * background is large (traffic, water and online-system complaints are everyday), so a kind in an
 * area is seldom a burst; one symptom in an area more often is. They are read like kinds (a
 * symptom, and a symptom in each area of the report) and weigh like them: once per pair.
 */
const SYMPTOMS: ReadonlyArray<readonly [kind: string, words: RegExp]> = [
  ['限高', /限高|限宽/u],
  ['路面破损', /坑洼|破损|塌陷|坑坑洼洼|路面.{0,3}(?:坏|烂|裂)|路灯/u],
  ['停车', /停车|车位|乱停/u],
  ['水质', /浑浊|发黄|黄水|铁锈|锈水|水质|沉淀|水.{0,3}(?:有味|变色|发臭)/u],
  ['停水', /停水|断水|没水|水压(?:低|小|不足|不够)/u],
  ['上传失败', /上传|传不上|传不了|传不进|传到一半|传一半/u],
  ['登录失败', /登不上|登不进|登录不了|登陆不了|登录失败|登陆失败|进不去系统|打不开|转圈|白屏|崩了|卡死|闪退/u],
  ['签名失败', /签名|签章|签字|签署|电子签|人脸|刷脸/u],
  ['名额', /名额|额度|先到先得|抢不到|秒光|(?:已|就)满|满了/u],
  ['公交', /公交|班车|通勤车|停运/u],
  ['推诿', /推诿|推来推去|一个推一个|互相推|相互推|踢皮球|找对方|不归.{0,4}管|归.{0,6}管|说不清|不知道.{0,4}找(?:哪|谁)/u],
  ['指定中介', /指定|只能找|必须找|只认|不认可|别家不认|推荐的.{0,8}(?:公司|机构)|中介/u],
  ['重复检查', /频繁|三天两头|又来了|来了.{0,2}次|来.{0,2}次|反复检查|重复检查|多头检查|标准不一|说法.{0,3}不一/u],
  ['产权证', /产权证|不动产证|不动产权|房产证|土地证|办不了证|证.{0,3}办不/u],
  ['退税', /退税|留抵/u],
  ['发票', /发票|开票|数电票|税控/u],
  ['社保', /社保|公积金|医保/u],
  ['欠薪', /欠薪|工资.{0,3}(?:拖|欠|没发|发不)/u],
  ['排队', /排队|叫号|取号|预约不上|约不上/u],
  ['断网', /断网|网速|宽带|光纤|信号/u],
  ['跳闸', /跳闸|电压不稳|电压低|闪断|晃电/u],
  ['封路', /封路|断路|道路封闭|围挡|改道/u],
  ['扬尘', /扬尘|渣土|灰尘|粉尘/u],
  ['审批超时', /迟迟|一直没批|超期|超时限|拖了.{0,4}(?:月|天)|等了.{0,4}(?:月|天|周)/u],
  ['材料反复', /补正|补材料|反复要|又要补|退回|来回跑|跑了.{0,3}趟/u],
  ['罚款', /罚款|罚了|处罚|开罚单/u],
  ['招工难', /招工|招不到|缺工|用工荒/u],
  ['贷款难', /续贷|抽贷|断贷|贷款.{0,4}(?:难|不批|批不下)/u],
  ['补贴未到', /兑现|没到账|未到账|迟迟未发|补贴.{0,4}(?:没|未)/u],
  ['禁行', /禁行|限行|通行证|不让(?:货车|大车)/u],
  ['占道', /占道|占用道路|乱摆|堵门/u],
  ['垃圾清运', /清运|垃圾.{0,4}(?:没人|不清|堆|满)/u],
  ['污水外溢', /化粪池|冒水|污水.{0,4}(?:溢|漫|冒|横流)/u],
  ['窗口态度', /态度差|态度不好|爱答不理|不耐烦|甩脸/u],
  ['一次性告知', /一次性告知|每次.{0,4}(?:不一样|不同)|说的不一样/u],
  ['电梯', /电梯/u],
  ['消防', /消防/u],
  ['环评', /环评|排污许可/u],
  ['用地', /用地|供地|土地指标|征地|拆迁/u],
  ['噪音', /噪音|噪声|吵/u],
  ['异味', /气味|异味|臭|刺鼻/u],
];

// Each symptom's words are one capturing group (their own groups are all non-capturing).
const SYMPTOM_WORDS = new RegExp(SYMPTOMS.map(([, words]) => `(${words.source})`).join('|'), 'gu');
const seen = new Uint8Array(SYMPTOMS.length);

export const KIND_NAMES: readonly string[] = KINDS.map(([k]) => k);
export const SYMPTOM_NAMES: readonly string[] = SYMPTOMS.map(([k]) => k);
/**
 * Kinds (and symptoms) of problem that happen at a place: flooding, an outage, a dug-up road are
 * one problem only where the reports are. The rest (a policy, a tax system, an intermediary, a
 * bank's practice, a debtor) are one problem wherever the enterprises that suffer it are.
 */
export const PLACE_BOUND_KINDS: readonly string[] = [
  '积水', '停电', '供水', '燃气供热', '通信', '施工', '污染', '通勤', '通行', '物业',
  '限高', '路面破损', '停车', '水质', '停水', '公交', '断网', '跳闸', '封路', '扬尘', '禁行', '占道', '垃圾清运', '污水外溢', '噪音', '异味',
];
/** The kind whose subject (an online system) serves every area alike. */
export const ONLINE_KIND = '系统故障';

/** The kinds of problem a (normalised, Simplified) report text names. */
export function problemKinds(text: string): string[] {
  const out: string[] = [];
  for (const [kind, words] of KINDS) if (words.test(text)) out.push(kind);
  // The symptoms in one pass of one expression (a test each would cost as much again as the kinds'),
  // stepping one character past each match so a symptom whose words start inside another's is
  // still read.
  SYMPTOM_WORDS.lastIndex = 0;
  seen.fill(0);
  for (let m = SYMPTOM_WORDS.exec(text); m; m = SYMPTOM_WORDS.exec(text)) {
    for (let g = 1; g < m.length; g++) if (m[g] !== undefined) seen[g - 1] = 1;
    SYMPTOM_WORDS.lastIndex = m.index + 1;
  }
  for (let g = 0; g < SYMPTOMS.length; g++) if (seen[g] === 1) out.push(SYMPTOMS[g]![0]);
  return out;
}

/** What an area's name is called in passing: 青山县 → 青山, 北山经开区 → 北山, 新桥街道 → 新桥. */
const AREA_SUFFIX = /(?:经济技术开发区|经济开发区|高新技术产业开发区|高新区|经开区|开发区|新区|工业园区|工业园|产业园|物流园|科技园|园区|街道|县|区|市|镇|乡|旗)$/u;

export function areaStem(name: string): string {
  const stem = name.replace(AREA_SUFFIX, '');
  return stem.length >= 2 ? stem : name;
}

export interface AreaName {
  /** The area (a region id, a group id in the evaluation). */
  id: string;
  name: string;
}

export interface AreaMatcher {
  /** The areas a text names, by full name or stem (我们在河西也有车间 → 河西区). */
  find(text: string): string[];
  /** A subject's name without the area it starts with: 青山县工业园 → 青山县 + 工业园, 北山经开区纬三路 → 北山经开区 + 纬三路. */
  lead(name: string): { area: string | null; rest: string };
}

/**
 * Longer names first, so 青山县 and 青山镇 are not both read from 青山镇; a stem two areas share
 * (青山县, 青山镇 in different counties) names neither for sure, so only the full names count.
 */
export function createAreaMatcher(areas: readonly AreaName[]): AreaMatcher {
  const forms: Array<[string, string]> = [];
  for (const a of areas) {
    forms.push([a.name, a.id]);
    const stem = areaStem(a.name);
    if (stem !== a.name) forms.push([stem, a.id]);
  }
  forms.sort((x, y) => y[0].length - x[0].length);
  const owners = new Map<string, Set<string>>();
  for (const [f, id] of forms) (owners.get(f) ?? owners.set(f, new Set()).get(f)!).add(id);
  const usable = forms.filter(([f]) => owners.get(f)!.size === 1);
  return {
    find(text) {
      const found = new Set<string>();
      let rest = text;
      for (const [f, id] of usable) {
        if (!rest.includes(f)) continue;
        found.add(id);
        rest = rest.split(f).join(' ');
      }
      return [...found];
    },
    lead(name) {
      for (const [f, id] of usable) if (name.startsWith(f)) return { area: id, rest: name.slice(f.length).replace(/^[县区市镇乡]/u, '') };
      return { area: null, rest: name };
    },
  };
}
