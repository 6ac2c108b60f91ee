// Cleaning that every classifier stage shares: the models see the same text the rules see.
import { T2S_PAIRS } from './t2s-chars';

const T2S = new Map<string, string>();
// By code point: a few simplified forms lie outside the BMP.
const codePoints = Array.from(T2S_PAIRS);
for (let i = 0; i + 1 < codePoints.length; i += 2) T2S.set(codePoints[i]!, codePoints[i + 1]!);

/** Traditional → Simplified, character by character (OpenCC's single-character table). */
export function toSimplified(s: string): string {
  let out = '';
  for (const ch of s) out += T2S.get(ch) ?? ch;
  return out;
}

const PLACEHOLDER = /\[(?:图片|表情|语音|视频|文件|链接|位置|动画表情|image|sticker|emoji)[^\]]{0,20}\]|【(?:图片|表情|语音|视频|文件)】/giu;
const MENTION = /@[^\s@，,。:：]{1,24}(?:\s|$)/gu;
const EMOJI = /[\p{Extended_Pictographic}\u{FE0F}\u{200D}\u{1F3FB}-\u{1F3FF}]/gu;

/** Full-width ASCII and the ideographic space become their half-width forms. */
export function toHalfWidth(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 0x3000) out += ' ';
    else if (c >= 0xff01 && c <= 0xff5e) out += String.fromCodePoint(c - 0xfee0);
    else out += ch;
  }
  return out;
}

export function stripMentions(s: string): string {
  return s.replace(MENTION, ' ');
}

export function normaliseText(raw: string): string {
  return toSimplified(toHalfWidth(stripMentions(raw.normalize('NFKC'))))
    .replace(PLACEHOLDER, ' ')
    .replace(EMOJI, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/**
 * Removes @-mentions of the bot (and any leading @-mentions) so commands parse and tickets
 * keep only what the enterprise said. Mentions of other people inside the text stay.
 */
export function stripBotMention(text: string, botName: string): string {
  const escaped = botName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text
    .replace(new RegExp(`[@＠]${escaped}[\\s\\u2005\\u00a0]*`, 'gu'), ' ')
    .replace(/^(?:\s*[@＠][^\s@＠]{1,24}[\s\u2005\u00a0]+)+/u, '')
    .trim();
}
