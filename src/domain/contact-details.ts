import { phonePieceSpans, removePersonalData } from './mask';

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

/** Phones told in pieces (手机138转0013转8000): found as group-post masking finds them, and removed. */
function withoutPhonePieces(text: string): string {
  const kept: string[] = [];
  let at = 0;
  for (const [a, b] of phonePieceSpans(text)) {
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
