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

export const KIND_NAMES: readonly string[] = KINDS.map(([k]) => k);
/** The kind whose subject (an online system) serves every area alike. */
export const ONLINE_KIND = '系统故障';

/** The kinds of problem a (normalised, Simplified) report text names. */
export function problemKinds(text: string): string[] {
  const out: string[] = [];
  for (const [kind, words] of KINDS) if (words.test(text)) out.push(kind);
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
