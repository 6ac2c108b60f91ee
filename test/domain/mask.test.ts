import { describe, expect, it } from 'vitest';
import { maskedExcerpt, maskPersonalData } from '../../src/domain/mask';
import { rng } from '../helpers/rng';

const r = rng(20261201);
const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(r() * 10))).join('');
const FULL_WIDTH = (s: string) => s.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
const SEPARATORS = [' ', '-', '.', ' - ', '－', '  ', '_', '/', '\u200b', ' / '];

/** Splits digits into groups joined by one separator style, as people type them. */
function grouped(d: string, sizes: number[]): string {
  const sep = pick(SEPARATORS);
  const parts: string[] = [];
  let i = 0;
  for (const s of sizes) {
    if (i >= d.length) break;
    parts.push(d.slice(i, i + s));
    i += s;
  }
  if (i < d.length) parts.push(d.slice(i));
  return parts.join(sep);
}

type Case = { secret: string; written: string };
const generators: Array<() => Case> = [
  () => {
    const d = `1${pick(['3', '5', '7', '8', '9'])}${digits(9)}`;
    const written = pick([d, grouped(d, [3, 4, 4]), grouped(d, [3, 8]), `+86 ${grouped(d, [3, 4, 4])}`, `+86${d}`, `0086-${d}`, `(+86)${d}`]);
    return { secret: d, written };
  },
  () => {
    const area = pick(['010', '021', '0571', '0755', '0898']);
    const local = `${1 + Math.floor(r() * 8)}${digits(area.length === 3 ? 7 : 6)}`;
    const written = pick([`(${area})${local}`, `（${area}）${local}`, `${area}-${local}`, `${area} ${local}`, `${area}-${grouped(local, [4, 4])}`]);
    return { secret: area + local, written };
  },
  () => {
    const d = `${1 + Math.floor(r() * 6)}${digits(16)}${pick(['0', '7', 'X', 'x'])}`;
    return { secret: d.toUpperCase(), written: pick([d, grouped(d, [6, 8, 4]), grouped(d, [6, 4, 4, 4]), grouped(d, [3, 3, 4, 4, 4])]) };
  },
  () => {
    const d = `${1 + Math.floor(r() * 6)}${digits(14)}`;
    return { secret: d, written: pick([d, grouped(d, [6, 6, 3]), grouped(d, [6, 9])]) };
  },
  () => {
    const d = `6${digits(15 + Math.floor(r() * 4))}`;
    return { secret: d, written: pick([d, grouped(d, [4, 4, 4, 4, 4]), grouped(d, [6, 13])]) };
  },
];
const PREFIXES = ['我的电话', '联系人王经理', '身份证号：', '账号', '请打', '', '电话:', '（'];
const SUFFIXES = ['，谢谢', '。', '）', ' 有事找我', '', '，工作日都在'];

/** Every run of 7 digits of the original number, to look for in the output. */
function sevenDigitRuns(secret: string): string[] {
  const only = secret.replace(/\D/g, '');
  return Array.from({ length: Math.max(0, only.length - 6) }, (_, i) => only.slice(i, i + 7));
}

describe('masking personal data in group posts', () => {
  it('leaves no 7-digit run of a phone, landline, ID or bank card in 2,000 generated writings', () => {
    const leaks: string[] = [];
    for (let i = 0; i < 2000; i++) {
      const c = pick(generators)();
      const written = r() < 0.3 ? FULL_WIDTH(c.written) : c.written;
      const text = `${pick(PREFIXES)}${written}${pick(SUFFIXES)}`;
      const out = maskPersonalData(text);
      // Separators do not break a run of digits for a reader; the masking stars do.
      const visible = out.normalize('NFKC').replace(/[\s\-.()+–—]/g, '');
      const leaked = sevenDigitRuns(c.secret).find((run) => visible.includes(run));
      if (leaked) leaks.push(`#${i} ${JSON.stringify(text)} → ${JSON.stringify(out)}`);
    }
    expect(leaks.slice(0, 5)).toEqual([]);
  });

  it('keeps enough to recognise the number, and the words around it', () => {
    expect(maskPersonalData('电话 138 0013 8000，谢谢')).toBe('电话 138 **** 8000，谢谢');
    expect(maskPersonalData('电话+86-138-0013-8000')).toBe('电话+86-138-****-8000');
    expect(maskPersonalData('电话：１３８００１３８０００。')).toBe('电话：１３８****８０００。');
    expect(maskPersonalData('座机(0571)88886666')).toBe('座机(0571)****6666');
    expect(maskPersonalData('座机0571-8888 6666')).toBe('座机0571-**** 6666');
    expect(maskPersonalData('身份证 110105 19491001 002X')).toBe('身份证 110105 ******** ***X');
    expect(maskPersonalData('身份证110105194910010021')).toBe('身份证110105***********1');
    expect(maskPersonalData('卡号 6222 0212 3456 7890 123')).toBe('卡号 6222 **** **** ***0 123');
    expect(maskPersonalData('邮箱 wang.min@example.com')).toBe('邮箱 w***@example.com');
  });

  it('masks numbers written in Chinese numerals, with underscores, slashes or invisible characters', () => {
    expect(maskPersonalData('电话一三八零零一三八零零零')).toBe('电话一三八****八零零零');
    expect(maskPersonalData('手机 138_0013_8000')).toBe('手机 138_****_8000');
    expect(maskPersonalData('手机 138/0013/8000')).toBe('手机 138/****/8000');
    expect(maskPersonalData('手机 138\u200b0013\u200b8000')).toBe('手机 138\u200b****\u200b8000');
    // Ordinary Chinese counting is not a number.
    expect(maskPersonalData('一二三四五六七八九，大家一起来')).toBe('一二三四五六七八九，大家一起来');
  });

  // Found by review: each is a phone 13800138000, an ID 110105194910010021 or a card 6222021234567890123.
  it.each([
    '电话：壹叁捌零零壹叁捌零零零',
    '电话：1三8零0一3八0零0',
    '手机 1 3 8 0 0 1 3 8 0 0 0',
    '手机 138，0013，8000',
    '手机 138、0013、8000',
    '手机 138~0013~8000',
    '手机 138 . 0013 . 8000',
    '手机 138\u00a00013\u00a08000',
    '手机 138\t0013\t8000',
    '手机①③⑧⓪⓪①③⑧⓪⓪⓪',
    '手机：一 三 八 零 零 一 三 八 零 零 零',
    '手机：138 零零一三 8000',
    '身份证 110105 一九四九1001 0021',
  ])('masks %s', (text) => {
    for (const out of [maskPersonalData(text), maskedExcerpt(text, 80)]) {
      const visible = Array.from(out).filter((ch) => /[0-9０-９零〇一二三四五六七八九幺壹贰叁肆伍陆柒捌玖①-⑨⓪]/.test(ch)).length;
      expect(visible, out).toBeLessThanOrEqual(8);
    }
  });

  it('masks a landline written without its area code after a phone word, not other short numbers', () => {
    expect(maskPersonalData('联系电话 8888 6666')).toBe('联系电话 **** 6666');
    expect(maskPersonalData('座机：5512345')).toBe('座机：***2345');
    expect(maskPersonalData('电表 1234567，水表 88886666')).toBe('电表 1234567，水表 88886666');
  });

  it('masks a landline after 打 and e-mail written with 。 or spelled out, not amounts or dates after such words (attack review F3)', () => {
    expect(maskPersonalData('打8888-6666找我')).toBe('打****-6666找我');
    expect(maskPersonalData('邮件 zhangsan@163。com')).toBe('邮件 z***@163。com');
    expect(maskPersonalData('邮件 zhangsan at 163 dot com')).toBe('邮件 z*** at 163 dot com');
    const plain = '打款 1500000 元，打了 12345678 次，电话 2026-11-30 打过，arrive at 10.30 am';
    expect(maskPersonalData(plain)).toBe(plain);
  });

  it('reads a date followed by an hour as a date, and still masks a phone after a date', () => {
    expect(maskPersonalData('2026-11-30 10 点停电')).toBe('2026-11-30 10 点停电');
    expect(maskPersonalData('2026/11/30 9点到12点')).toBe('2026/11/30 9点到12点');
    expect(maskPersonalData('2026-11-30 13800138000')).toBe('2026-11-30 138****8000');
  });

  it('leaves dates, amounts and ticket numbers alone', () => {
    const text = '2026年11月23日申请，工单 GZ-20261123-0001，欠款 150 万元，电表 1234567';
    expect(maskPersonalData(text)).toBe(text);
  });

  it('cuts long text before masking, never in the middle of a number it would then miss', () => {
    const long = `${'厂房用电报装一个月了还没接通。'.repeat(2000)}电话13800138000`;
    const out = maskedExcerpt(long, 120);
    expect(out.length).toBeLessThanOrEqual(121);
    expect(out.endsWith('…')).toBe(true);
    // A number cut by the limit is dropped, not left half unmasked.
    const cut = maskedExcerpt(`${'好'.repeat(110)}电话 138 0013 8000 谢谢`, 120);
    expect(cut.replace(/\D/g, '')).not.toMatch(/\d{7}/);
    expect(maskedExcerpt('  短的\n反映  ', 120)).toBe('短的 反映');
  });

  it('masks a Chinese-numeral number that runs into the next words or the next number (outside review)', () => {
    expect(maskPersonalData('联系电话一三八一二三四五六七八，五天了')).toBe('联系电话一三八****五六七八，五天了');
    expect(maskPersonalData('电话一三八一二三四五六七八，一三九一二三四五六七八')).toBe('电话一三八****五六七八，一三九****五六七八');
    expect(maskPersonalData('身份证一一〇一〇一一九九〇〇三〇七一二三四，一三八一二三四五六七八')).toBe('身份证一一〇一〇一***********四，一三八****五六七八');
    // A card in Chinese numerals is read as one after a bank word; plain counting stays as written.
    expect(maskPersonalData('卡号六二二二〇二一二三四五六七八九〇一二三')).toBe('卡号六二二二***********〇一二三');
    expect(maskPersonalData('第一二三批，三四五个')).toBe('第一二三批，三四五个');
  });

  it('masks digits of any script, and numbers spread over lines or wide gaps (outside review)', () => {
    expect(maskPersonalData('电话𝟏𝟑𝟖𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖 身份证𝟏𝟏𝟎𝟏𝟎𝟏𝟏𝟗𝟗𝟎𝟎𝟑𝟎𝟕𝟏𝟐𝟑𝟒')).toBe('电话𝟏𝟑𝟖****𝟓𝟔𝟕𝟖 身份证𝟏𝟏𝟎𝟏𝟎𝟏***********𝟒');
    expect(maskPersonalData('电话١٣٨١٢٣٤٥٦٧٨')).toBe('电话١٣٨****٥٦٧٨');
    expect(maskPersonalData('电话१३८१२३४५६७८')).toBe('电话१३८****५६७८');
    expect(maskPersonalData('电话138    1234    5678')).toBe('电话138    ****    5678');
    expect(maskPersonalData('电话138\n1234\n5678')).toBe('电话138\n****\n5678');
  });

  it('masks a phone split by any punctuation mark, space or invisible character, in radio digits or superscripts (second outside review)', () => {
    const splits = [',', '。', ':', '：', '|', '*', ';', '\u00ad', '\u200e', '\u200f', '\u2003', '\u2009', '\u202f', '\u205f', '\u2066'];
    for (const sep of splits) {
      const out = maskPersonalData(`联系电话138${sep}0013${sep}8000，急`);
      expect(out, JSON.stringify(sep)).toBe(`联系电话138${sep}****${sep}8000，急`);
    }
    expect(maskPersonalData('手机138\u202e0013\u202c8000')).toBe('手机138\u202e****\u202c8000');
    expect(maskPersonalData('手机¹³⁸⁰⁰¹³⁸⁰⁰⁰')).toBe('手机¹³⁸****⁸⁰⁰⁰');
    expect(maskPersonalData('手机幺三八洞洞幺三八洞洞洞')).toBe('手机幺三八****八洞洞洞');
    expect(maskPersonalData('邮箱 zhang.san＠example．com')).toBe('邮箱 z***＠example．com');
    // Amounts, times and counts around such marks stay as written.
    const plain = '欠款 1,500,000 元，10:30 到场，两个月了，第一、二批';
    expect(maskPersonalData(plain)).toBe(plain);
  });

  // The phones /公开 removes when told in pieces (contact-details) were still readable in ordinary group posts.
  it('masks a phone told in pieces after a phone word, as the one number it is', () => {
    expect(maskPersonalData('厂门口积水，手机139转1234转5678，急')).toBe('厂门口积水，手机139转****转5678，急');
    expect(maskPersonalData('联系电话 139（空格）1234 5678 找王工')).toBe('联系电话 139（空格）**** 5678 找王工');
    expect(maskPersonalData('电话１３９转１２３４转５６７８')).toBe('电话１３９转****转５６７８');
    expect(maskPersonalData('座机 6677转8899，白天在')).toBe('座机 ****转8899，白天在');
    // Told out of order, the pieces are no phone's shape as written: only the last four stay.
    const halves = maskPersonalData('停电三天，手机尾号5678，前面是139 1234');
    expect(halves).toBe('停电三天，手机尾号****，前面是*** 1234');
    expect(halves.replace(/\D/g, '')).not.toMatch(/5678|139/);
    // Masked text masked again (an excerpt of a post) stays as it was.
    for (const text of ['厂门口积水，手机139转1234转5678，急', '电话 139 1234 5678，座机(0571)88886666', '停电三天，手机尾号5678，前面是139 1234']) {
      expect(maskPersonalData(maskPersonalData(text))).toBe(maskPersonalData(text));
    }
  });

  it.each([
    '电话打不通，2026年11月30日起停电，欠款 150 万元',
    '电话 2026-11-30 打过，2026-12-01 又打',
    '手机信号差，工单 GZ-20261123-0001、GZ-20261124-0002 还没处理',
    '座机在人民路128号3栋502室，邮编 310012',
    '电话通知了 3000 户，120 台设备',
    '电话里说 1,500,000 元，10:30 再打',
    '手机 5 台、电话 8 部',
    '电表号码 1234567 走字不准，水表号码 7654321',
    '电话 138 元一个月，套餐 58 元',
  ])('keeps %s, near a phone word but no phone in pieces', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  // WeChat and QQ ids were only removed by /公开; a group post showed them whole.
  it('masks a WeChat or QQ id after the word that names it, keeping a hint of its start', () => {
    expect(maskPersonalData('路灯坏了，加我微信 zhangsan_1988 细说')).toBe('路灯坏了，加我微信 zha**** 细说');
    expect(maskPersonalData('VX：wx_abc123')).toBe('VX：wx_****');
    expect(maskPersonalData('有事 vx zhangsan1988')).toBe('有事 vx zha****');
    expect(maskPersonalData('wechat id: zhangsan1988')).toBe('wechat id: zha****');
    expect(maskPersonalData('V信 zhangsan_1988，加V lisi2026')).toBe('V信 zha****，加V li****');
    expect(maskPersonalData('微信号是 wx_abc123，电话 13800138000')).toBe('微信号是 wx_****，电话 138****8000');
    expect(maskPersonalData('微信：zhangsan。')).toBe('微信：zh****。');
    expect(maskPersonalData('QQ 12345678')).toBe('QQ 12****');
    expect(maskPersonalData('qq12345678，谢谢')).toBe('qq12****，谢谢');
    expect(maskPersonalData('扣扣号：12345678，企鹅号是 87654321')).toBe('扣扣号：12****，企鹅号是 87****');
    expect(maskPersonalData('QQ号 12345678@qq.com')).toBe('QQ号 1***@qq.com');
    for (const text of ['路灯坏了，加我微信 zhangsan_1988 细说', 'VX：wx_abc123', 'QQ 12345678', '微信号是 wx_abc123，电话 13800138000', '扣扣号：12345678']) {
      expect(maskPersonalData(maskPersonalData(text))).toBe(maskPersonalData(text));
    }
    // An excerpt cut inside an id drops it whole, as a cut number: 微信 zhang would be no id to mask.
    expect(maskedExcerpt('路灯坏了请加微信 zhangsan1988 细说', 14)).toBe('路灯坏了请加微信…');
    expect(maskedExcerpt('路灯坏了请加微信 zhangsan1988 细说', 40)).toBe('路灯坏了请加微信 zha**** 细说');
  });

  // QQ 1234 5678 went out whole: only an unbroken QQ number was read as one.
  it('masks a QQ number told in pieces as the unbroken one, and again leaves it as it is', () => {
    expect(maskPersonalData('有事加QQ 1234 5678')).toBe('有事加QQ 12****');
    expect(maskPersonalData('扣扣：123-4567-89，谢谢')).toBe('扣扣：123****，谢谢');
    expect(maskPersonalData('qq号 12 34 56 78')).toBe(maskPersonalData('qq号 12345678'));
    expect(maskPersonalData('企鹅号是 1234 - 5678，微信 zhangsan_1988')).toBe('企鹅号是 12****，微信 zha****');
    // Its first piece alone would be a QQ number too: the whole goes, not the first piece.
    expect(maskPersonalData('QQ 12345 678 联系我')).toBe('QQ 12**** 联系我');
    for (const text of ['有事加QQ 1234 5678', '扣扣：123-4567-89，谢谢', 'QQ：138 0013 8000']) {
      expect(maskPersonalData(maskPersonalData(text))).toBe(maskPersonalData(text));
    }
    expect(maskedExcerpt('路灯坏了请加QQ 1234 5678 细说', 12)).toBe('路灯坏了请加QQ…');
  });

  it.each([
    'QQ群 2026 11 30 发了通知，QQ群 123 4567',
    'QQ 2026-11-30 注册的，QQ号 2026 11 30 改过密码',
    'QQ 1234 5678 元的会员费',
    'QQ 12 30 见',
  ])('keeps %s: no QQ number in pieces', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it.each([
    'PVCVX管材 123456 根，PVC VX 200mm 管件',
    'QQ群里说过，QQ群 12345678 也发了',
    '微信转了20000元，微信 200000 元',
    '打印机 2 台坏了，wx 的字样看不清，QQ 1234',
    '微信公众号 gongzhi2026 发了通知',
    'Convex wax sequoia: the WeChat official account posted it',
    '见 https://mp.weixin.qq.com/s/abcdef123 和 wx.qq.com',
  ])('keeps %s: no chat id after the name', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  // 12345转0转8 was read as a phone told in pieces and starred whole.
  it.each([
    '拨打12345转0转8反映过三次',
    '12345按2，没人接',
    '拨打12366按1转人工',
    '电话 12315 转 3',
    '拨打95598转2转1，又拨95598-2-1',
    '打110转119，拨打120',
    '拨打 12345 按 2 再按 0',
    '拨打12345，转0，转8',
    '热线96345转2、10086按0',
  ])('keeps the hotline and its menu choices in %s', (text) => {
    expect(maskPersonalData(text)).toBe(text);
  });

  it('still masks a phone dialled after a hotline and its menu', () => {
    expect(maskPersonalData('拨打12345转13800138000')).toBe('拨打12345转138****8000');
    expect(maskPersonalData('拨打12345转0转8转13800138000')).toBe('拨打12345转0转8转138****8000');
    expect(maskPersonalData('拨打12345转138转0013转8000')).toBe('拨打12345转138转****转8000');
    expect(maskPersonalData('拨打12345按2，手机139转1234转5678')).toBe('拨打12345按2，手机139转****转5678');
    expect(maskPersonalData('拨打95598转 138 0013 8000')).toBe('拨打95598转 138 **** 8000');
  });

  it('gets through megabytes of digits, separators and e-mail-like text', () => {
    maskPersonalData('一，'.repeat(500_000));
    maskPersonalData('一二三，'.repeat(250_000));
    maskPersonalData('1 '.repeat(500_000));
    maskPersonalData('a.'.repeat(500_000));
    maskPersonalData(`${'9'.repeat(1_000_000)}X`);
    maskPersonalData('电话1 '.repeat(200_000));
    maskPersonalData(`手机${'1 '.repeat(500_000)}`);
    maskPersonalData(`微信${' '.repeat(1_000_000)}!`);
    maskPersonalData('微信号：'.repeat(300_000));
    maskPersonalData(`微信 ${'a-'.repeat(500_000)}`);
    maskPersonalData(`QQ ${'1 '.repeat(500_000)}`);
    maskPersonalData('QQ 12345 6 '.repeat(100_000));
  });
});
