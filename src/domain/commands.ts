import { parseTicketRef, type TicketRef } from './ticket-number';

export type CommandName =
  | 'claim'
  | 'resolve'
  | 'reassign'
  | 'return'
  | 'cohandle'
  | 'escalate'
  | 'extend'
  | 'approve_extension'
  | 'approve_pause'
  | 'confirm'
  | 'dispatch'
  | 'merge'
  | 'status'
  | 'mine'
  | 'queue'
  | 'second'
  | 'rate'
  | 'close'
  | 'reopen'
  | 'recategorize'
  | 'supplement'
  | 'publish'
  | 'help';

/** `ref: null` means "the ticket this message quotes or replies to". */
export type Command =
  | { name: 'claim' | 'escalate' | 'confirm' | 'status' | 'second' | 'approve_extension' | 'approve_pause' | 'publish'; ref: TicketRef | null }
  | { name: 'resolve'; ref: TicketRef | null; summary: string }
  | { name: 'reassign' | 'dispatch'; ref: TicketRef | null; department: string; reason: string }
  | { name: 'return' | 'close' | 'reopen'; ref: TicketRef | null; reason: string }
  | { name: 'cohandle'; ref: TicketRef | null; departments: string[] }
  | { name: 'extend'; ref: TicketRef | null; days: number; reason: string }
  | { name: 'merge'; ref: TicketRef | null; into: TicketRef }
  | { name: 'rate'; ref: TicketRef | null; rating: number; comment: string }
  | { name: 'recategorize'; ref: TicketRef | null; category: string; type: string | null }
  | { name: 'supplement'; ref: TicketRef | null; text: string }
  | { name: 'mine' | 'queue' | 'help' };

export interface CommandSpec {
  name: CommandName;
  zh: string[];
  en: string[];
  usage: string;
  summary: string;
}

// The first Chinese and English names are the ones shown in /帮助.
export const COMMAND_SPECS: readonly CommandSpec[] = [
  { name: 'claim', zh: ['认领', '签收'], en: ['claim'], usage: '/认领 工单号', summary: '签收工单，由本人承办' },
  { name: 'resolve', zh: ['办结', '完成'], en: ['resolve', 'done'], usage: '/办结 工单号 办理结果', summary: '办结工单并说明结果' },
  { name: 'reassign', zh: ['转派', '改派'], en: ['reassign', 'transfer'], usage: '/转派 工单号 部门', summary: '改由其他部门承办' },
  { name: 'return', zh: ['退回', '退单'], en: ['return'], usage: '/退回 工单号 理由', summary: '不属本单位职责，退回营商办' },
  { name: 'cohandle', zh: ['协办'], en: ['cohandle', 'assist'], usage: '/协办 工单号 部门…', summary: '增加协办单位' },
  { name: 'escalate', zh: ['提级'], en: ['escalate'], usage: '/提级 工单号', summary: '提交上级单位办理' },
  { name: 'extend', zh: ['延期'], en: ['extend'], usage: '/延期 工单号 天数 理由', summary: '申请延期，由营商办批准' },
  { name: 'approve_extension', zh: ['批准延期', '同意延期'], en: ['approve'], usage: '/批准延期 工单号', summary: '批准延期申请' },
  { name: 'approve_pause', zh: ['批准暂停', '同意暂停'], en: ['approve-pause'], usage: '/批准暂停 工单号', summary: '批准承办单位超出上限的补充材料暂停计时' },
  { name: 'dispatch', zh: ['派单', '分派'], en: ['dispatch'], usage: '/派单 工单号 部门', summary: '把待分派工单派给部门' },
  { name: 'confirm', zh: ['确认办结', '确认'], en: ['confirm'], usage: '/确认办结 工单号', summary: '确认督办工单已办结' },
  { name: 'merge', zh: ['合并'], en: ['merge'], usage: '/合并 工单号 目标工单号', summary: '把重复工单并入另一张' },
  { name: 'recategorize', zh: ['改类', '改分类'], en: ['recategorize'], usage: '/改类 工单号 类别 [类型]', summary: '更正诉求类别（并用于训练分类器）' },
  { name: 'close', zh: ['关闭'], en: ['close'], usage: '/关闭 工单号 理由', summary: '关闭无效或撤回的工单' },
  { name: 'reopen', zh: ['重办'], en: ['reopen'], usage: '/重办 工单号 理由', summary: '重新办理已办结工单' },
  { name: 'supplement', zh: ['补充'], en: ['info'], usage: '/补充 工单号 内容', summary: '承办单位请企业补充材料（时限暂停，每单一次、有上限，超出须营商办批准）；企业补充说明（时限恢复）' },
  { name: 'status', zh: ['进度', '查询'], en: ['status', 'progress'], usage: '/进度 工单号', summary: '查看工单进度' },
  { name: 'mine', zh: ['我的'], en: ['mine', 'my'], usage: '/我的', summary: '我的未办结工单' },
  { name: 'queue', zh: ['待办'], en: ['queue', 'todo'], usage: '/待办', summary: '本部门待办工单' },
  { name: 'second', zh: ['附议'], en: ['metoo', 'second'], usage: '/附议 工单号', summary: '我们也遇到同样的问题' },
  { name: 'publish', zh: ['公开'], en: ['publish'], usage: '/公开 工单号', summary: '同意在群内通报本人的一对一诉求（隐去联系方式）' },
  { name: 'rate', zh: ['评价'], en: ['rate'], usage: '/评价 工单号 1-5 [意见]', summary: '对办理结果评分（5 非常满意）' },
  { name: 'help', zh: ['帮助'], en: ['help'], usage: '/帮助', summary: '查看可用命令' },
];

const BY_WORD = new Map<string, CommandSpec>();
for (const spec of COMMAND_SPECS) for (const w of [...spec.zh, ...spec.en]) BY_WORD.set(w.toLowerCase(), spec);
// Longest first, so 确认办结 wins over 确认 when there is no space after the name.
const WORDS = [...BY_WORD.keys()].sort((a, b) => b.length - a.length);

export type ParseResult =
  | { kind: 'command'; command: Command }
  | { kind: 'usage_error'; spec: CommandSpec; message: string }
  | { kind: 'unknown_command'; word: string; suggestion: CommandSpec | null }
  | { kind: 'not_command' };

const SEP = /^[\s,，、;；:：]+/u;
const TOKEN = /^[^\s,，、;；:：]+/u;
const tokens = (s: string) => s.split(/[\s,，、;；:：]+/u).filter(Boolean);

/** Drops the first `n` positional tokens and returns the rest verbatim (summaries keep their punctuation). */
function dropTokens(s: string, n: number): string {
  let rest = s.replace(SEP, '');
  for (let i = 0; i < n; i++) rest = rest.replace(TOKEN, '').replace(SEP, '');
  return rest.trim();
}

function splitName(body: string): { spec: CommandSpec; rest: string; raw: string } | null {
  const lower = body.toLowerCase();
  for (const w of WORDS) {
    if (!lower.startsWith(w)) continue;
    const rest = body.slice(w.length);
    // English names need a word boundary: "/claimed" is not "/claim".
    if (/^[a-z]/i.test(w) && /^[a-z]/i.test(rest)) continue;
    return { spec: BY_WORD.get(w)!, rest: rest.trim(), raw: rest };
  }
  return null;
}

/** Pulls a leading ticket reference off the arguments; none means "the quoted ticket". */
function takeRef(args: string[]): { ref: TicketRef | null; rest: string[] } {
  const ref = args[0] ? parseTicketRef(args[0]) : null;
  return ref ? { ref, rest: args.slice(1) } : { ref: null, rest: args };
}

function build(spec: CommandSpec, rest: string): Command | string {
  const args = tokens(rest);
  const { ref, rest: after } = takeRef(args);
  const consumed = args.length - after.length;
  const text = dropTokens(rest, consumed);
  switch (spec.name) {
    case 'mine':
    case 'queue':
    case 'help':
      return args.length === 0 || spec.name === 'help' ? { name: spec.name } : `用法：${spec.usage}`;
    case 'claim':
    case 'escalate':
    case 'confirm':
    case 'status':
    case 'second':
    case 'approve_extension':
    case 'approve_pause':
    case 'publish':
      return after.length === 0 ? { name: spec.name, ref } : `用法：${spec.usage}`;
    case 'resolve':
      return text ? { name: 'resolve', ref, summary: text } : `请附上办理结果。用法：${spec.usage}`;
    case 'reassign':
    case 'dispatch':
      return after[0] ? { name: spec.name, ref, department: after[0], reason: dropTokens(rest, consumed + 1) } : `请写明部门。用法：${spec.usage}`;
    case 'supplement':
      return text ? { name: 'supplement', ref, text } : `请写明内容。用法：${spec.usage}`;
    case 'return':
    case 'close':
    case 'reopen':
      return text ? { name: spec.name, ref, reason: text } : `请写明理由。用法：${spec.usage}`;
    case 'recategorize':
      return after[0] ? { name: 'recategorize', ref, category: after[0], type: after[1] ?? null } : `请写明类别。用法：${spec.usage}`;
    case 'cohandle':
      return after.length ? { name: 'cohandle', ref, departments: after } : `请写明协办部门。用法：${spec.usage}`;
    case 'extend': {
      const days = Number(after[0]?.replace(/天$/u, ''));
      if (!Number.isInteger(days) || days < 1 || days > 60) return `延期天数须为 1 到 60 的整数。用法：${spec.usage}`;
      const reason = dropTokens(rest, consumed + 1);
      return reason ? { name: 'extend', ref, days, reason } : `请写明延期理由。用法：${spec.usage}`;
    }
    case 'merge': {
      // "/合并 N M": N is merged into M. With one number, the quoted ticket is merged into it.
      const second = after[0] ? parseTicketRef(after[0]) : null;
      if (ref && second) return { name: 'merge', ref, into: second };
      if (ref && !second && after.length === 0) return { name: 'merge', ref: null, into: ref };
      return `用法：${spec.usage}`;
    }
    case 'rate': {
      // Accept "/评价 7 5 很满意" and, when quoting, "/评价 5 很满意".
      let r = ref;
      let ratingAt = consumed;
      if (r && r.kind === 'short' && r.seq <= 5 && (after.length === 0 || !/^[1-5]分?$/u.test(after[0]!))) {
        r = null;
        ratingAt = 0;
      }
      const rating = Number(args[ratingAt]?.replace(/分$/u, ''));
      if (!Number.isInteger(rating) || rating < 1 || rating > 5) return `评分须为 1 到 5。用法：${spec.usage}`;
      return { name: 'rate', ref: r, rating, comment: dropTokens(rest, ratingAt + 1) };
    }
  }
}

function nearest(word: string): CommandSpec | null {
  const w = word.toLowerCase();
  for (const spec of COMMAND_SPECS) {
    for (const n of [...spec.zh, ...spec.en]) {
      if (n.startsWith(w.slice(0, 2)) || w.startsWith(n.slice(0, 2)) || (w.length >= 2 && n.includes(w))) return spec;
    }
  }
  return null;
}

/**
 * Slash commands are parsed leniently and answered with usage hints; a message without the
 * slash is a command only if it matches the grammar exactly, so "我的厂房停电了" stays a report.
 */
/** Full-width digits, letters, slash, # and spaces become half-width; Chinese punctuation in summaries stays. */
function halfWidthSyntax(s: string): string {
  return s.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A\uFF0F\uFF03\uFF0D]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/gu, ' ');
}

export function parseCommand(input: string): ParseResult {
  const text = halfWidthSyntax(input).trim();
  const slashed = text.startsWith('/');
  const body = slashed ? text.slice(1).trim() : text;
  if (!body) return { kind: 'not_command' };
  const found = splitName(body);
  if (!found) {
    if (!slashed) return { kind: 'not_command' };
    const word = body.split(/\s+/u)[0]!;
    return { kind: 'unknown_command', word, suggestion: nearest(word) };
  }
  // Without a slash, the name must stand alone ("认领 7", "帮助"), not open a sentence.
  if (!slashed && found.raw && !/^\s/u.test(found.raw)) {
    return { kind: 'not_command' };
  }
  const built = build(found.spec, found.rest);
  if (typeof built === 'string') return slashed ? { kind: 'usage_error', spec: found.spec, message: built } : { kind: 'not_command' };
  return { kind: 'command', command: built };
}
