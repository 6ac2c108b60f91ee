import { removePersonalData } from './mask';

// A report made one-to-one (or on the report page) and published with consent is posted
// 隐去联系方式: the group learns the problem, not whom to call. Masking (138****5678) is for text
// the enterprise itself posted in the group; here the numbers, addresses and contact person go.

const TITLE = '(?:先生|女士|小姐|经理|主任|总|老师|师傅|会计|厂长|老板)';
/** 联系人：王女士 / 联系人张三: the label and the name after it, up to the next punctuation. */
const CONTACT_PERSON = /联系人\s*[:：]?\s*[^\s,，。.;；、!！?？（）()]{0,8}/gu;
/** 请联系王经理 / 找李总 / 致电张先生: a name with a title after a word of contacting. */
const CALL_SOMEONE = new RegExp(`(?:请|可)?(?:联系|致电|找|打给|咨询)\\s*\\p{Script=Han}{1,3}${TITLE}`, 'gu');
/** WeChat and QQ ids are no phone numbers, but they are contact details all the same. */
const CHAT_ID = /(?:微信号?|vx|wx|wechat|QQ号?|qq号?)\s*[:：]?\s*[A-Za-z0-9_-]{5,20}/giu;
/** A label whose value was removed (电话：，) — not 电话打不通, which is part of the problem. */
const EMPTY_LABEL = /(?:联系方式|联系电话|联系手机|电话|手机号?|座机|邮箱|微信号?|QQ号?|e-?mail|tel|phone)\s*[:：]?\s*(?=[\s,，。.;；、!！?？)）]|$)/giu;

export function withoutContactDetails(text: string): string {
  return removePersonalData(text.replace(CHAT_ID, ''))
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
