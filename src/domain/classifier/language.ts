import type { InboundMessage } from '../message';
import type { NonIssueKind } from './types';

/** Non-issues that need no answer even when addressed to the bot: thanks, acknowledgements, praise. */
export const QUIET_KINDS: ReadonlySet<NonIssueKind> = new Set<NonIssueKind>(['thanks', 'ack', 'praise']);

/** English when Latin letters outnumber Han characters: the bot answers in the writer's language. */
export function messageLanguage(text: string): 'zh' | 'en' {
  const han = (text.match(/\p{Script=Han}/gu) ?? []).length;
  const latin = (text.match(/[A-Za-z]/g) ?? []).length;
  return latin > han * 2 && latin >= 4 ? 'en' : 'zh';
}

/** A direct chat, or a group message that @-mentions the bot (DingTalk says so in isInAtList). */
export function addressedToBot(msg: Pick<InboundMessage, 'chatType' | 'raw'>): boolean {
  return msg.chatType === 'direct' || msg.raw?.['isInAtList'] === true;
}
