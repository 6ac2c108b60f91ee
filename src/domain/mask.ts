// Public group posts must not leak personal data; the ticket keeps the full text.

/**
 * A number as people type it: ASCII, full-width, circled or Chinese-numeral digits (一三八…,
 * 壹叁捌…, as some people write a phone to get it past filters, even mixed: 1三8零…), grouped by
 * spaces (also no-break and tabs), dashes, dots, slashes, underscores, brackets, Chinese commas
 * and 、, tildes or invisible zero-width characters (138 0013 8000, +86-138…, (0571)88886666,
 * 110105 19491001 002X), and any single punctuation mark people put between digit groups
 * (138,0013,8000 138。0013。8000 138:0013:8000 138|0013|8000). Every space character and every
 * invisible format character (soft hyphen, bidi marks and overrides, zero-width) separates too:
 * they are how a number is smuggled past a filter. Separators never match a digit, so the
 * expression cannot backtrack over a run; the whole scan is linear.
 */
/** Every decimal digit Unicode knows (ASCII, full-width, 𝟏𝟑𝟖, ١٣٨, १३८…) and the super- and subscript ones (¹³⁸): a phone in any script is a phone. */
const D = '\\p{Nd}\\u00b2\\u00b3\\u00b9\\u2070\\u2074-\\u2079\\u2080-\\u2089';
/** Chinese numerals, and the radio-operator readings 幺 两 拐 勾 洞 (1 2 7 9 0) people dictate phones in. */
const CD = '零〇一二三四五六七八九幺两拐勾洞壹贰叁肆伍陆柒捌玖①-⑨⓪';
const SEP = '\\p{Zs}\\p{Cf}\\t\\n\\r\\-－–—.．。()（）_＿/／,，、:：;；|｜*＊·・•~～\'’"';
/** A run of `digits` joined by separators, with an ID card's check letter at its end. */
const runOf = (digits: string) => new RegExp(`[+＋]?[${digits}](?:[${SEP}]{0,4}[${digits}])*(?:[ \\u3000\\-－.]{0,2}[XxＸｘ](?![A-Za-z]))?`, 'gu');
const NUMBER_RUN = runOf(D + CD);
/** ASCII and full-width digits alone: what is left of a mixed run that is not one number (张三 13800138000). */
const DIGIT_RUN = runOf(D);
const HAS_CHINESE_DIGIT = new RegExp(`[${CD}]`, 'u');
const HAS_PLAIN_DIGIT = new RegExp(`[${D}]`, 'u');
const ONE_DIGIT = new RegExp(`^[${D}]$`, 'u');
/** Starts only where a local part starts (the lookbehind), so a long run is scanned once. */
const EMAIL = /(?<![A-Za-z0-9._%+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*([@＠][A-Za-z0-9-]+(?:[.．。｡][A-Za-z0-9-]+)*[.．。｡][A-Za-z]{2,})(?![A-Za-z0-9-])/g;
/**
 * zhangsan at 163 dot com, zhang(at)163.com, zhang艾特163。com: an address spelled out to get past
 * a filter. The at must be a word (spaces around it) or bracketed, and the address must end in
 * letters (a top-level domain), so "arrive at 10.30" is no address.
 */
const EMAIL_SPELLED =
  /(?<![A-Za-z0-9._%+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*((?:\s+at\s+|\s*(?:[(（\[【{]\s*at\s*[)）\]】}]|艾特|圈a)\s*)[A-Za-z0-9-]+(?:(?:\s+dot\s+|\s*(?:[(（\[【{]\s*dot\s*[)）\]】}]|[.．。｡])\s*)[A-Za-z0-9-]+)*(?:\s+dot\s+|\s*(?:[(（\[【{]\s*dot\s*[)）\]】}]|[.．。｡])\s*)[A-Za-z]{2,})(?![A-Za-z0-9-])/giu;

const CHINESE_DIGITS: Record<string, string> = {
  ...Object.fromEntries([...'零一二三四五六七八九'].map((c, i) => [c, String(i)])),
  ...Object.fromEntries([...'零壹贰叁肆伍陆柒捌玖'].map((c, i) => [c, String(i)])),
  ...Object.fromEntries([...'⓪①②③④⑤⑥⑦⑧⑨'].map((c, i) => [c, String(i)])),
  〇: '0',
  幺: '1',
  两: '2',
  拐: '7',
  勾: '9',
  洞: '0',
};
const isDigit = (ch: string) => ONE_DIGIT.test(ch) || ch in CHINESE_DIGITS;
/** A digit's value: Unicode lays each script's digits out as 0…9 in a row, so count back to its zero. */
function asciiDigit(ch: string): string {
  const mapped = CHINESE_DIGITS[ch];
  if (mapped) return mapped;
  const nfkc = ch.normalize('NFKC');
  if (nfkc >= '0' && nfkc <= '9') return nfkc;
  let cp = ch.codePointAt(0)!;
  let below = 0;
  while (below < 9 && ONE_DIGIT.test(String.fromCodePoint(cp - 1))) {
    cp--;
    below++;
  }
  return String(below % 10);
}

/**
 * A phone word just before a short number: 电话 8888 6666 is a landline without its area code, and
 * so is 打8888-6666找我 (but 打款 / 打钱 / 打折 are about money, and 打印 about paper).
 */
const PHONE_CUE = /(?:电话|座机|手机|联系|致电|拨打|热线|打(?![款钱折卡印])|加我|tel|phone|call)[^0-9０-９]{0,6}$/i;
/** 打 88886666 元 / 电话通知了 1200000 户: a number followed by a unit is an amount or a count, never a landline. */
const UNIT_AFTER = /^\s*(?:[元万亿千百块个次天年月日号时分秒点米吨户人家台件辆部套张平亩度岁楼栋层室期批周角斤公升]|%|％)/u;
/** A bank word just before a long number: 卡号 六二二二… is a card even in Chinese numerals. */
const BANK_CUE = /(?:卡号|账号|帐号|银行卡|账户|帐户|card|account)[^0-9０-９]{0,6}$/i;
/** 2026-11-30 (or 2026/11/30, 2026.11.30) at the start of a run: a date, whatever digits follow it. */
const LEADING_DATE = /^(?:19|20)\d{2}([-/.．／])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])(?![0-9])/;

/** Which digits (by index among the run's digits) stay visible; null: not personal data. */
function visibleDigits(run: string, digits: string, cued: boolean, bankCued: boolean): { head: number; tail: number } | null {
  const n = digits.length;
  // In Chinese numerals only the unmistakable shapes count: 一二三四五六七八九 alone is not a number.
  const chinese = HAS_CHINESE_DIGIT.test(run);
  const prefixed = /^(?:0086|86)1[3-9]\d{9}$/.exec(digits);
  if (prefixed) return { head: n - 11 + 3, tail: 4 };
  if (n === 11 && /^1[3-9]/.test(digits)) return { head: 3, tail: 4 };
  const idCheck = /[XxＸｘ]$/.test(run);
  if (/^[1-9]/.test(digits) && (n === 18 || (n === 17 && idCheck) || n === 15)) return { head: 6, tail: idCheck ? 0 : 1 };
  if (chinese && bankCued && n >= 16 && n <= 19) return { head: 4, tail: 4 };
  if (chinese && !/^0[1-9]\d{8,10}$/.test(digits)) return null;
  if (/^0[1-9]\d{8,10}$/.test(digits)) {
    // The area code is what the writer set apart ((0571), 0571-), else what its length must be.
    const written = /^[+＋]?([0-9０-９]{3,4})[^0-9０-９]/.exec(run);
    return { head: written ? written[1]!.length : /^0(?:10|2\d)/.test(digits) ? 3 : 4, tail: 4 };
  }
  if (n >= 16 && n <= 19) return { head: 4, tail: 4 };
  if (chinese) return null;
  // Any other long number (two numbers run together, an account): only its last four stay.
  if (n >= 9) return { head: 0, tail: 4 };
  if (cued && (n === 7 || n === 8) && /^[2-9]/.test(digits)) return { head: 0, tail: 4 };
  return null;
}

/** GZ-20261123-0007: our own ticket numbers are quoted in posts and are nobody's data. */
const isTicketNumber = (run: string, offset: number, text: string) => /^\d{8}-\d{4,}$/.test(run) && /[A-Za-z]-$/.test(text.slice(Math.max(0, offset - 2), offset));

/** 95598-2-1, 12345 0 8: a hotline and the menu keys after it, written as one run. */
function isHotlineWithMenu(run: string): boolean {
  const groups = run.normalize('NFKC').split(/[^0-9]+/u).filter(Boolean);
  return groups.length > 1 && SERVICE_NUMBER.test(groups[0]!) && groups.slice(1).every((g) => g.length <= MENU_DIGITS);
}

function maskRun(run: string, offset: number, text: string, split = true): string {
  if (isTicketNumber(run, offset, text) || isHotlineWithMenu(run)) return run;
  const date = LEADING_DATE.exec(run.normalize('NFKC'));
  // 电话 2026-11-30: a date as a whole run is a date, even after a phone word.
  if (date && date[0].length === run.length) return run;
  if (date && date[0].length < run.length) {
    // "2026-11-30 10 点" is a date and an hour; only what follows the date can be someone's number.
    const cut = date[0].length;
    return run.slice(0, cut) + maskRun(run.slice(cut), offset + cut, text, split);
  }
  const digits = Array.from(run).filter(isDigit).map(asciiDigit).join('');
  const cued = PHONE_CUE.test(text.slice(Math.max(0, offset - 12), offset)) && !UNIT_AFTER.test(text.slice(offset + run.length, offset + run.length + 4));
  const bankCued = BANK_CUE.test(text.slice(Math.max(0, offset - 12), offset));
  const keep = visibleDigits(run, digits, cued, bankCued);
  if (!keep) {
    if (HAS_CHINESE_DIGIT.test(run)) {
      // 张三 13800138000: the name's 三 ran into the phone; the other digits are masked on their own.
      if (HAS_PLAIN_DIGIT.test(run)) return run.replace(DIGIT_RUN, (r: string, at: number) => maskRun(r, offset + at, text));
      // 一三八…五六七八，五天了 / two phones in a row: the run took in more than one number.
      return split ? maskParts(run, offset, text) : run;
    }
    return run;
  }
  let i = 0;
  let out = '';
  for (const ch of run) {
    if (!isDigit(ch)) {
      out += ch;
      continue;
    }
    out += i < keep.head || i >= digits.length - keep.tail ? ch : '*';
    i++;
  }
  return out;
}

/** A number is at most this many digits (0086 + an 18-digit ID is not one). */
const MAX_DIGITS = 22;

/**
 * A Chinese-numeral run that is no number as a whole, split at its separators: from each part on,
 * the longest span of parts that is a number is masked. Spans stop at MAX_DIGITS, so the work
 * stays linear in the run.
 */
function maskParts(run: string, offset: number, text: string, remove: string | null = null): string {
  const parts: Array<{ at: number; end: number }> = [];
  const sep = new RegExp(`[${SEP}]+`, 'gu');
  let last = 0;
  for (const m of run.matchAll(sep)) {
    if (m.index! > last) parts.push({ at: last, end: m.index! });
    last = m.index! + m[0].length;
  }
  if (last < run.length) parts.push({ at: last, end: run.length });
  if (parts.length < 2) return run;
  const counts = parts.map((p) => Array.from(run.slice(p.at, p.end)).filter(isDigit).length);
  let out = '';
  let done = 0;
  for (let i = 0; i < parts.length; i++) {
    // Chinese numerals count only in the shapes of a phone, landline, ID or card (10+ digits), and
    // people group them in threes and fours: a lone 一 starts no number.
    if (counts[i]! < 3) continue;
    let best: { j: number; masked: string } | null = null;
    let n = 0;
    for (let j = i; j < parts.length; j++) {
      n += counts[j]!;
      if (n > MAX_DIGITS) break;
      if (n < 10) continue;
      const span = run.slice(parts[i]!.at, parts[j]!.end);
      const masked = maskRun(span, offset + parts[i]!.at, text, false);
      if (masked !== span) best = { j, masked };
    }
    if (best) {
      out += run.slice(done, parts[i]!.at) + (remove ?? best.masked);
      done = parts[best.j]!.end;
      i = best.j;
    }
  }
  return out + run.slice(done);
}

/**
 * A phone told in pieces after a phone word: 手机138转0013转8000, 138（空格）0013 8888, 手机尾号8888，
 * 前面是138 0013. Each piece is no number on its own, so the pieces within a few characters of the
 * word and of each other, up to a phone's 11 digits, are read as one: two pieces or more of 7 digits
 * or more are a phone. A single piece is a whole number, judged as such (电表号码 1234567 stays).
 * A piece followed by a unit (3 天, 128 号, 150 万元), a date, an amount with thousands separators
 * or our own ticket number (GZ-…) ends the chain and stays.
 */
const PHONE_WORD = /(?:电话|手机|座机|号码|联系方式|tel|phone|拨打?|致电|打(?![款钱折卡印]))/giu;
const PIECE = /[0-9０-９](?:[0-9０-９]|[ \u3000\-－](?=[0-9０-９]))*/gu;
/** At most this many characters between the phone word and a piece, or between two pieces (，前面是 / （空格）). */
const GAP = 5;
const SENTENCE_END = /[。!！?？;；\n]/u;
/** 邮编 310012, 工单 0013, 门牌 …: a word that names another kind of number ends the chain. */
const OTHER_NUMBER = /邮编|编号|单号|工单|户号|门牌|批次|型号|车牌|证号|卡号|账号|帐号/u;
const countDigits = (s: string) => s.replace(/[^0-9０-９]/gu, '').length;
/** A chain is read within this many characters after its phone word, so a long text is scanned in linear time. */
const WINDOW = 120;
/**
 * Public service numbers (110, 119, 120, 122; 12345, 12366, 12315…; 95598, 95588…; 96xxx local
 * lines; 10086, 10000…): nobody's phone, and no mobile or landline starts so. The digits dialled
 * after one (12345转0转8, 12345按2) are menu choices, not the rest of a number.
 */
const SERVICE_NUMBER = /^(?:1(?:1\d|2[0-2])|12\d{3}|9[56]\d{3}|100\d{2})$/u;
const isServiceNumber = (piece: string) => SERVICE_NUMBER.test(piece.replace(/[^0-9０-９]/gu, '').normalize('NFKC'));
/** A menu choice is a key or two (转0, 按12); a longer piece after a service number starts a number of its own. */
const MENU_DIGITS = 2;

/** Where phones told in pieces lie in `text`: [start, end) from the first digit of a chain to the end of its last. */
export function phonePieceSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const word of text.matchAll(PHONE_WORD)) {
    const base = word.index! + word[0].length;
    if (spans.length && base < spans[spans.length - 1]![1]) continue;
    const window = text.slice(base, base + WINDOW);
    let from = 0;
    let start = -1;
    let end = -1;
    let digits = 0;
    let pieces = 0;
    let menu = false;
    for (const m of window.matchAll(PIECE)) {
      const gap = window.slice(from, m.index);
      // A star in the gap is a number masked already (电话138****5678, masked text masked again): it is whole.
      if (gap.length > GAP || SENTENCE_END.test(gap) || OTHER_NUMBER.test(gap) || /[*＊]/u.test(gap)) break;
      const after = text.slice(base + m.index + m[0].length, base + m.index + m[0].length + 6);
      const before = text.slice(Math.max(0, base + m.index - 2), base + m.index);
      if (UNIT_AFTER.test(after) || /^[.．,，:：/／][0-9０-９]/u.test(after) || /[A-Za-z][-－]?$/u.test(before)) break;
      if (/^(?:19|20)\d{2}[-－]\d{1,2}[-－]\d{1,2}$/u.test(m[0].normalize('NFKC'))) break;
      // 拨打12345转0转8: the hotline and its menu stay; a phone told after them (转138 0013 8000) is read from its own first piece.
      if (start < 0 && (isServiceNumber(m[0]) || (menu && countDigits(m[0]) <= MENU_DIGITS))) {
        menu = true;
        from = m.index + m[0].length;
        continue;
      }
      if (start < 0) start = base + m.index;
      end = base + m.index + m[0].length;
      digits += countDigits(m[0]);
      pieces++;
      from = m.index + m[0].length;
      if (digits >= 11) break;
    }
    if (pieces >= 2 && digits >= 7) spans.push([start, end]);
  }
  return spans;
}

const PLAIN_DIGIT = /[0-9０-９]/u;

/**
 * Numbers masked run by run, and phones told in pieces as the one number each is read as
 * (138转****转8000). A chain that holds a number masking already recognises (the first digits
 * of an ID card grouped 6-8-4) is that number, and is masked as it. A chain that is no phone's
 * shape in the order written (尾号8888，前面是138 0013) keeps only what visibleDigits would show.
 */
function maskNumbers(text: string): string {
  const spans = phonePieceSpans(text);
  if (!spans.length) return text.replace(NUMBER_RUN, maskRun);
  const runs = Array.from(text.matchAll(NUMBER_RUN), (m) => ({ at: m.index!, end: m.index! + m[0].length, run: m[0], masked: maskRun(m[0], m.index!, text) }));
  // Both lists are in text order: walk them together, so the pass stays linear.
  const inChain = new Array<boolean>(runs.length).fill(false);
  const star = new Uint8Array(text.length);
  let first = 0;
  for (const [a, b] of spans) {
    while (first < runs.length && runs[first]!.end <= a) first++;
    let last = first;
    while (last < runs.length && runs[last]!.at < b) last++;
    if (runs.slice(first, last).some((r) => r.masked !== r.run)) continue;
    const chain = text.slice(a, b);
    const digits = Array.from(chain).filter((ch) => PLAIN_DIGIT.test(ch)).join('').normalize('NFKC');
    const keep = visibleDigits(digits, digits, true, false) ?? { head: 0, tail: 0 };
    let i = 0;
    for (let at = a; at < b; at++) {
      if (!PLAIN_DIGIT.test(text[at]!)) continue;
      if (i >= keep.head && i < digits.length - keep.tail) star[at] = 1;
      i++;
    }
    for (let k = first; k < last; k++) inChain[k] = true;
  }
  let out = '';
  let done = 0;
  runs.forEach((r, k) => {
    out += text.slice(done, r.at);
    if (inChain[k]) for (let at = r.at; at < r.end; at++) out += star[at] ? '*' : text[at];
    else out += r.masked;
    done = r.end;
  });
  return out + text.slice(done);
}

/**
 * A WeChat or QQ id after the word that names it (微信 zhangsan_1988, VX：wx_abc123, QQ 12345678,
 * 扣扣号是 12345678): no phone, but whom to add all the same. The Latin names must stand as words
 * (the VX of PVCVX is none); a name followed by 群 or 公众号 is a group's or an account's, no id.
 * `marked`: a 号/id/colon/是 between name and id, which makes even a plain word an id. Spaces are
 * bounded, so a long run of them after a name costs no backtracking.
 */
const CHAT_ID_MASK =
  /(?:(?<qq>扣扣|企鹅)|微信|威信|薇信|维信|[VvWw]信|加微|加[Vv](?![A-Za-z])|(?<![A-Za-z])(?:(?<qqLatin>qq)|vx|wx|weixin|wechat)(?=[^A-Za-z]|id(?![A-Za-z])|$))(?<marked>\s{0,3}(?:号码|号|账号|帐号|id(?![A-Za-z]))?\s{0,3}(?:[:：]|是|为)?)\s{0,3}(?<id>[A-Za-z0-9][A-Za-z0-9_-]{4,19})(?![A-Za-z0-9_*＊@＠-]|[.．][A-Za-z0-9])/giu;
/** English words that follow WeChat's name without being anyone's id (微信 official account). */
const NOT_AN_ID = new Set(['account', 'accounts', 'official', 'groups', 'payment', 'wallet', 'moments', 'channel', 'channels', 'applet', 'program', 'public', 'service', 'support', 'version', 'message', 'messages']);

/**
 * A QQ number told in pieces after a QQ name (QQ 1234 5678, 扣扣：123-4567-89): the pieces are one
 * number, masked as the unbroken one is. A WeChat id holds no spaces, so only QQ names take it;
 * pieces are bounded, so a long run of digits and spaces is read in constant work per name.
 */
const QQ_SPLIT =
  /(?:扣扣|企鹅|(?<![A-Za-z])qq(?=[^A-Za-z]|id(?![A-Za-z])|$))\s{0,3}(?:号码|号|账号|帐号|id(?![A-Za-z]))?\s{0,3}(?:[:：]|是|为)?\s{0,3}(?<id>[0-9]{1,11}(?:(?:[ \u3000]{1,2}|[ \u3000]?[-－][ \u3000]?)[0-9]{1,11}){1,10})(?![A-Za-z0-9_*＊@＠-]|[.．][A-Za-z0-9])/giu;
/** QQ 2026-11-30 / QQ号 2026 11 30: a date in pieces, not a number. */
const DATE_IN_PIECES = /^(?:19|20)[0-9]{2}[ \u3000\-－]+(?:0?[1-9]|1[0-2])[ \u3000\-－]+(?:0?[1-9]|[12][0-9]|3[01])$/u;

type ChatIdSpan = { at: number; end: number; masked: string };
/** A third of an id at most, never its length: what stays of it is too short to be read as an id again. */
const maskedId = (id: string) => `${id.slice(0, Math.min(3, Math.floor(id.length / 3)))}****`;

function splitQqSpans(text: string): ChatIdSpan[] {
  const spans: ChatIdSpan[] = [];
  for (const m of text.matchAll(QQ_SPLIT)) {
    const id = m.groups!.id!;
    const end = m.index + m[0].length;
    const digits = id.replace(/[^0-9]/g, '');
    if (digits.length < 5 || digits.length > 11 || DATE_IN_PIECES.test(id) || UNIT_AFTER.test(text.slice(end, end + 4))) continue;
    spans.push({ at: end - id.length, end, masked: maskedId(digits) });
  }
  return spans;
}

/** Where chat ids lie in `text` ([start, end) of the id itself) and how each is shown: a third of it at most, never its length (微信 wx_****). */
function chatIdSpans(text: string): ChatIdSpan[] {
  const split = splitQqSpans(text);
  const spans: ChatIdSpan[] = [];
  // Both lists are in text order; an id overlapping a QQ number in pieces (QQ 12345 678) is its first piece only.
  let j = 0;
  for (const m of text.matchAll(CHAT_ID_MASK)) {
    const g = m.groups as { qq?: string; qqLatin?: string; marked: string; id: string };
    const { id } = g;
    const end = m.index + m[0].length;
    // A QQ number is 5 to 11 digits; a WeChat id 6 to 20 letters, digits, _ and - (or a phone).
    if (g.qq || g.qqLatin ? !/^[0-9]{5,11}$/.test(id) : id.length < 6) continue;
    if (/^[0-9]+$/.test(id) && UNIT_AFTER.test(text.slice(end, end + 4))) continue;
    if (!/\S/.test(g.marked) && NOT_AN_ID.has(id.toLowerCase())) continue;
    const at = end - id.length;
    while (j < split.length && split[j]!.end <= at) spans.push(split[j++]!);
    if (j < split.length && split[j]!.at < end) continue;
    spans.push({ at, end, masked: maskedId(id) });
  }
  return [...spans, ...split.slice(j)];
}

function maskChatIds(text: string): string {
  let out = '';
  let done = 0;
  for (const s of chatIdSpans(text)) {
    out += text.slice(done, s.at) + s.masked;
    done = s.end;
  }
  return out + text.slice(done);
}

/** Masks phones (also told in pieces), landlines, ID and bank card numbers, WeChat/QQ ids and e-mail addresses, keeping the words around them. */
export function maskPersonalData(text: string): string {
  return maskNumbers(maskChatIds(text)).replace(EMAIL, '$1***$2').replace(EMAIL_SPELLED, '$1***$2');
}

/**
 * A run without the numbers maskRun masks in it, and only those: the date before a phone
 * (2026-11-30 13800138000) and the word a phone ran into (13800138000，三天了) stay.
 */
function removeRun(run: string, offset: number, text: string, mark: string): string {
  const masked = maskRun(run, offset, text);
  if (masked === run) return run;
  const date = LEADING_DATE.exec(run.normalize('NFKC'));
  if (date && date[0].length < run.length) return run.slice(0, date[0].length) + removeRun(run.slice(date[0].length), offset + date[0].length, text, mark);
  if (HAS_CHINESE_DIGIT.test(run) && HAS_PLAIN_DIGIT.test(run)) {
    const parts = run.replace(DIGIT_RUN, (r: string, at: number) => maskRun(r, offset + at, text));
    // Masked part by part: the plain numbers in it are the personal data, the rest is words.
    if (parts === masked) return run.replace(DIGIT_RUN, (r: string, at: number) => (maskRun(r, offset + at, text) === r ? r : mark));
  } else if (HAS_CHINESE_DIGIT.test(run) && maskParts(run, offset, text) === masked) {
    // 一三八…五六七八，五天了: the numbers found among its parts go, the 五 of 五天 stays.
    return maskParts(run, offset, text, mark);
  }
  return mark;
}

/**
 * Removes phones, landlines, ID and bank card numbers and e-mail addresses entirely (the same
 * numbers maskPersonalData masks): what a published private report promises, 隐去联系方式.
 * `mark` is left where each was, for a caller that removes what belonged to it (the name before a phone).
 */
export function removePersonalData(text: string, mark = ''): string {
  return text
    .replace(NUMBER_RUN, (run: string, at: number, all: string) => removeRun(run, at, all, mark))
    .replace(EMAIL, mark)
    .replace(EMAIL_SPELLED, mark);
}

const NUMBERISH = new RegExp(`[${D}${CD}${SEP}+＋XxＸｘ]`, 'u');

/**
 * The first `max` characters of a user's text, whitespace collapsed, masked. The text is cut
 * before masking (masking 20,000 characters for a 120-character excerpt is wasted work), and a
 * number the cut falls into is dropped whole: its first half would no longer look like a phone.
 */
export function maskedExcerpt(text: string, max: number): string {
  const flat = text.slice(0, max * 4 + 64).replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return maskPersonalData(flat);
  let cut = max;
  if (NUMBERISH.test(flat[cut]!)) while (cut > 0 && NUMBERISH.test(flat[cut - 1]!)) cut--;
  // 微信 zhangsan1988 cut to 微信 zhang would be too short to read as an id: it goes whole, as a cut number.
  const id = chatIdSpans(flat).find((s) => s.at < cut && cut < s.end);
  if (id) cut = id.at;
  return `${maskPersonalData(flat.slice(0, cut)).trimEnd()}…`;
}
