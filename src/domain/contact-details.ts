import { removePersonalData, UNIT_AFTER } from './mask';

// A report made one-to-one (or on the report page) and published with consent is posted
// 隐去联系方式: the group learns the problem, not whom to call. Masking (138****5678) is for text
// the enterprise itself posted in the group; here the numbers, addresses and contact person go.

const TITLE = '(?:先生|女士|小姐|经理|主任|总|老师|师傅|会计|厂长|老板)';
/** 联系人：王女士 / 联系人张三: the label and the name after it, up to the next punctuation. */
const CONTACT_PERSON = /联系人\s*[:：]?\s*[^\s,，。.;；、!！?？（）()]{0,8}/gu;
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
/**
 * A label whose value was removed (电话：，), with the name and title it belonged to (王经理手机号码：)
 * — not 电话打不通, which is part of the problem, nor 手机 5 台, which counts phones.
 */
const EMPTY_LABEL = new RegExp(`(?:\\p{Script=Han}{1,3}${TITLE}的?)?${LABEL}\\s*[:：]?\\s*(?=[,，。.;；、!！?？)）]|$|\\s+(?![\\s\\p{Nd}]))`, 'giu');

/**
 * A phone told in pieces after a phone word: 手机138转0013转8000, 138（空格）0013 8888, 手机尾号8888，
 * 前面是138 0013. Each piece is no number on its own, so the pieces within a few characters of the
 * word and of each other, up to a phone's 11 digits, are read as one: two pieces or more of 7 digits
 * or more go.
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

function withoutPhonePieces(text: string): string {
  const cut: Array<[number, number]> = [];
  for (const word of text.matchAll(PHONE_WORD)) {
    const base = word.index! + word[0].length;
    if (cut.length && base < cut[cut.length - 1]![1]) continue;
    const window = text.slice(base, base + WINDOW);
    let from = 0;
    let start = -1;
    let end = -1;
    let digits = 0;
    let pieces = 0;
    for (const m of window.matchAll(PIECE)) {
      const gap = window.slice(from, m.index);
      if (gap.length > GAP || SENTENCE_END.test(gap) || OTHER_NUMBER.test(gap)) break;
      const after = text.slice(base + m.index + m[0].length, base + m.index + m[0].length + 6);
      const before = text.slice(Math.max(0, base + m.index - 2), base + m.index);
      if (UNIT_AFTER.test(after) || /^[.．,，:：/／][0-9０-９]/u.test(after) || /[A-Za-z][-－]?$/u.test(before)) break;
      if (/^(?:19|20)\d{2}[-－]\d{1,2}[-－]\d{1,2}$/u.test(m[0].normalize('NFKC'))) break;
      if (start < 0) start = base + m.index;
      end = base + m.index + m[0].length;
      digits += countDigits(m[0]);
      pieces++;
      from = m.index + m[0].length;
      if (digits >= 11) break;
    }
    // One piece is a whole number, and removePersonalData has judged it already (电表号码 1234567 stays).
    if (pieces >= 2 && digits >= 7) cut.push([start, end]);
  }
  const kept: string[] = [];
  let at = 0;
  for (const [a, b] of cut) {
    kept.push(text.slice(at, a));
    at = b;
  }
  kept.push(text.slice(at));
  return kept.join('');
}

export function withoutContactDetails(text: string): string {
  return withoutPhonePieces(removePersonalData(text.replace(CHAT_ID, '')))
    .replace(PERSON_IS_CONTACT, '')
    .replace(CONTACT_PERSON, '')
    .replace(CALL_SOMEONE, '')
    .replace(EMPTY_LABEL, '')
    .replace(/[(（]\s*[)）]/g, '')
    .replace(/\s*([,，;；、])(?:\s*[,，;；、])+/g, '$1')
    .replace(/[,，;；、:：]\s*(?=[。.!！?？]|$)/g, '')
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
