import { phonePieceSpans, removePersonalData } from './mask';

// A report made one-to-one (or on the report page) and published with consent is posted
// 隐去联系方式: the group learns the problem, not whom to call. Masking (138****5678) is for text
// the enterprise itself posted in the group; here the numbers, addresses and contact person go.

const TITLE = '(?:先生|女士|小姐|经理|主任|总|老师|师傅|会计|厂长|老板)';
/** 王建国女士是联系人 / 李经理为联系人: the name before the label, with its title (or a full name). */
const PERSON_IS_CONTACT = new RegExp(`(?:\\p{Script=Han}{1,3}${TITLE}|\\p{Script=Han}{2,3})(?:是|为|作为)(?:本次的?)?联系人`, 'gu');
/** 请联系王经理 / 找李总 / 致电张先生: a name with a title after a word of contacting. */
const CALL_SOMEONE = new RegExp(`(?:请|可)?(?:联系|致电|找|打给|咨询)\\s*\\p{Script=Han}{1,3}${TITLE}`, 'gu');
/**
 * WeChat and QQ ids are no phone numbers, but they are contact details all the same: under every
 * name people give them (V信, 威信, 加微, 扣扣, 企鹅号…), with 号/号码/id/账号 and a colon or 是 between
 * the name and the id. The Latin names must start a word (not the wx inside a word).
 */
const CHAT_ID =
  /(?:微信|威信|薇信|维信|[VvWw]信|(?<![A-Za-z])(?:vx|wx|weixin|wechat|qq)|扣扣|企鹅|加微|加[Vv](?![A-Za-z]))(?:\s*(?:号码?|id|账号|帐号))?\s*(?:[:：]|是|为)?\s*[A-Za-z0-9_-]{5,40}(?![A-Za-z0-9_-]|\s*[元万块个次])/giu;
/** The words that label a phone, an e-mail or a chat id. */
const LABEL =
  '(?:联系方式|联系电话|联系手机|电话号码|电话|手机号码|手机尾号|手机号?|座机号码|座机号?|号码|邮箱|电子邮件|e-?mail|微信号?|V信|VX号?|QQ号?|扣扣号?|tel|phone)';
/** 联系人：王女士 / 联系人张三: the label and the name after it, up to the next punctuation, a removed detail or a phone label (联系人张三电话…). */
const CONTACT_PERSON = new RegExp(`联系人\\s*[:：]?\\s*(?:(?!${LABEL})[^\\s,，。.;；、!！?？（）()\\uE000]){0,8}`, 'giu');
/**
 * A label whose value was removed (电话：，), with the name and title it belonged to (王经理手机号码：)
 * — not 电话打不通, which is part of the problem, nor 手机 5 台, which counts phones.
 */
const EMPTY_LABEL = new RegExp(`(?:\\p{Script=Han}{1,3}${TITLE}的?)?${LABEL}\\s*[:：]?\\s*(?=[,，。.;；、!！?？)）]|$|\\s+(?![\\s\\p{Nd}]))`, 'giu');

/** Where a contact detail was removed, until what belonged to it (the name before it) is gone too. */
const GONE = '\uE000';
const GONE_ALL = /\uE000/gu;

/** Phones told in pieces (手机138转0013转8000): found as group-post masking finds them, and removed. */
function withoutPhonePieces(text: string): string {
  const kept: string[] = [];
  let at = 0;
  for (const [a, b] of phonePieceSpans(text)) {
    kept.push(text.slice(at, a));
    at = b;
  }
  kept.push(text.slice(at));
  return kept.join(GONE);
}

/** The commonest surnames, single and compound: a bare name (张三) is told from a word by its first character. */
const SURNAME =
  '(?:欧阳|司马|诸葛|上官|东方|慕容|令狐|皇甫|尉迟|长孙|宇文|司徒|夏侯|端木|公孙|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝])';
/** Words of two or three characters after a surname's character that are no one's name: 周末电话…, 白天打… */
const NOT_A_NAME = new Set(['周末', '白天', '全天', '方便', '平时', '随时', '常用', '高峰', '明天', '明早', '明后天', '时间', '万一', '于是', '和我', '向我', '连同', '全部', '路口', '路边', '江边']);
/** A place's or an organisation's last character: 人民路, 江北区, 张家村 and 青山供电所 are no one's name. */
const PLACE_END = /[路街道巷弄村镇乡区县市省号楼栋厂司局所店部园场站院校馆室厅处科队组会社行桥河湖山港湾城州井坊屯庄寨台]$/u;
/**
 * The person a removed phone belonged to, just before it: 张经理 138…, 张三 电话138…, 欧阳娜娜：138…,
 * 张三（电话138…）. A bare name (no title) counts only as a segment of its own (after a punctuation
 * mark, a space or the start) that begins with a surname, so 青山精密机械有限公司 电话… keeps the company.
 */
const NAME_BEFORE_GONE = new RegExp(
  `(?:${SURNAME}\\p{Script=Han}{0,2}${TITLE}|(?<=^|[\\s,，。.;；、:：(（!！?？])(?<bare>${SURNAME}\\p{Script=Han}{1,2}))(?=\\s{0,3}[(（]?\\s{0,3}(?:${LABEL})?\\s{0,3}[:：]?\\s{0,3}${GONE})`,
  'giu',
);

/** 电话：… whose value was removed, even when the text runs on without a pause (联系人张三电话138…已经三天了). */
const LABEL_BEFORE_GONE = new RegExp(`${LABEL}\\s{0,3}[:：]?\\s{0,3}(?=${GONE})`, 'giu');

/**
 * The removed details' places closed up: words on both sides that were apart stay one space
 * apart (请打 138… 找人 → 请打 找人), else nothing is left. Split, not a regular expression,
 * so a long run of spaces costs no backtracking.
 */
function closeGaps(text: string): string {
  const parts = text.split(/\uE000+/u);
  const blank = (ch: string | undefined) => ch === ' ' || ch === '\t';
  let out = '';
  let spaced = false;
  parts.forEach((part, i) => {
    let a = 0;
    let b = part.length;
    if (i > 0) while (blank(part[a])) a++;
    if (i < parts.length - 1) while (b > a && blank(part[b - 1])) b--;
    spaced ||= a > 0;
    const piece = part.slice(a, b);
    if (piece) {
      const last = out.at(-1);
      if (spaced && last !== undefined && /\S/u.test(last) && /^[^\s,，。.;；、!！?？)）]/u.test(piece)) out += ' ';
      out += piece;
      spaced = false;
    }
    spaced ||= b < part.length;
  });
  return out;
}

export function withoutContactDetails(text: string): string {
  const marked = withoutPhonePieces(removePersonalData(text.replace(GONE_ALL, '').replace(CHAT_ID, GONE), GONE))
    .replace(NAME_BEFORE_GONE, (name: string, ...args: unknown[]) => {
      const bare = (args.at(-1) as { bare?: string }).bare;
      return bare && (NOT_A_NAME.has(bare) || PLACE_END.test(bare)) ? name : '';
    })
    .replace(PERSON_IS_CONTACT, '')
    .replace(CONTACT_PERSON, '')
    .replace(LABEL_BEFORE_GONE, '');
  return closeGaps(marked)
    .replace(CALL_SOMEONE, '')
    .replace(EMPTY_LABEL, '')
    .replace(/[(（]\s*[)）]/g, '')
    .replace(/(?<!\s)\s*([,，;；、])(?:\s*[,，;；、:：])+/g, '$1')
    .replace(/(?:[,，;；、:：]\s*)+(?=[。.!！?？]|$)/g, '')
    // 路灯坏了，（联系人张三）已经三天了: no space is left after a full-width mark where words went.
    .replace(/([，。；、：！？])[ \t]+/g, '$1')
    .replace(/^[\s,，;；、。.:：]+/, '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

/** The ticket facts that decide it: a report made one-to-one or on the report page, since published. */
export interface PublishedFacts {
  content: string;
  is_private: boolean;
  origin_chat_type: string;
  origin_platform: string;
}

/** A ticket's words as they may reach a group or a title: without contact details when it was published (/公开). */
export const publicWords = (t: PublishedFacts): string =>
  !t.is_private && (t.origin_chat_type === 'direct' || t.origin_platform === 'web') ? withoutContactDetails(t.content) : t.content;
