import type { InboundMessage, OutboundMessage } from '../../src/domain/message';
import type { OutboundAdapter, SendResult } from '../types';

export interface TranscriptEntry {
  seq: number;
  at: string;
  chatId: string;
  from: { kind: 'user' | 'bot'; id: string; name: string };
  text: string;
  mentions: string[];
  /** For a one-to-one message: who it was for. */
  to?: string;
}

/**
 * The playground's platform: messages typed in the browser come in through the same
 * pipeline as WeCom and DingTalk, and what the bot sends lands in an in-memory transcript
 * the page polls. Tickets live in the database; the transcript is only the chat view.
 */
export interface LocalAdapter extends OutboundAdapter {
  readonly platform: 'local';
  record(message: InboundMessage): TranscriptEntry;
  transcript(chatId: string, afterSeq: number): TranscriptEntry[];
  directTranscript(userId: string, afterSeq: number): TranscriptEntry[];
}

export function createLocalAdapter(opts: { botName: string; maxEntries?: number; now?: () => Date }): LocalAdapter {
  const now = opts.now ?? (() => new Date());
  const entries: TranscriptEntry[] = [];
  const max = opts.maxEntries ?? 5000;
  let seq = 0;
  const push = (e: Omit<TranscriptEntry, 'seq'>) => {
    const entry = { ...e, seq: ++seq };
    entries.push(entry);
    if (entries.length > max) entries.splice(0, entries.length - max);
    return entry;
  };
  return {
    platform: 'local',
    record(message) {
      return push({
        at: message.receivedAt.toISOString(),
        chatId: message.chatType === 'group' ? message.chatId : `direct:${message.sender.userId}`,
        from: { kind: 'user', id: message.sender.userId, name: message.sender.name ?? message.sender.userId },
        text: message.text,
        mentions: [],
      });
    },
    async send(message: OutboundMessage): Promise<SendResult> {
      const t = message.target;
      // The playground shows no cards, so it never has one to update.
      if (t.kind === 'card') return { ok: true };
      const chatId = t.kind === 'group' ? t.chatId : t.kind === 'direct' ? `direct:${t.userId}` : t.chatType === 'group' ? t.chatId : `direct:${t.chatId}`;
      push({
        at: now().toISOString(),
        chatId,
        from: { kind: 'bot', id: 'bot', name: opts.botName },
        text: message.payload.text,
        mentions: message.payload.mentions,
        ...(t.kind === 'direct' ? { to: t.userId } : {}),
      });
      return { ok: true };
    },
    transcript(chatId, afterSeq) {
      return entries.filter((e) => e.chatId === chatId && e.seq > afterSeq);
    },
    directTranscript(userId, afterSeq) {
      return entries.filter((e) => e.chatId === `direct:${userId}` && e.seq > afterSeq);
    },
  };
}
