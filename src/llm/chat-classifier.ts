import { z } from 'zod';
import { chinaDateCompact } from '../domain/china-time';
import { maskPersonalData } from '../domain/mask';
import { CATEGORIES, CATEGORY_NAMES, ISSUE_TYPES, ISSUE_TYPE_NAMES, URGENCIES, matchCategory, matchIssueType, type Category, type IssueType, type Urgency } from '../domain/taxonomy';
import type { Logger } from '../logger';

/**
 * An optional second opinion for messages the in-process model is unsure of: any
 * OpenAI-compatible chat-completions endpoint (DeepSeek, Qwen, GLM; vLLM or Ollama on-premise).
 * It never decides alone whether the bot works: every failure — timeout, HTTP error, invalid
 * JSON, the day's budget spent, an open circuit — answers null and the caller keeps the
 * in-process result.
 */
export interface ChatClassifierOptions {
  /** Base URL up to and including `/v1`, e.g. http://10.0.0.5:8000/v1 (vLLM) or https://api.deepseek.com/v1. */
  url: string;
  model: string;
  /** Bearer key; omitted for on-premise servers that take none. */
  apiKey?: string;
  timeoutMs: number;
  /** Calls per China calendar day, per process. */
  dailyBudget: number;
  /** Mask phone, ID and bank numbers before the text leaves the server. */
  maskPersonalData: boolean;
  /** Consecutive failures that open the circuit, and how long it stays open. */
  breaker: { failures: number; cooldownMs: number };
  now: () => Date;
  logger: Logger;
  fetch?: typeof fetch;
}

export interface ChatVerdict {
  isIssue: boolean;
  category: Category | null;
  type: IssueType | null;
  urgency: Urgency | null;
  /** The 12345 ticket fields the model could find in the text (never invented: null when absent). */
  fields: { enterpriseName: string | null; location: string | null; amounts: string[]; dates: string[] };
}

export interface ChatClassifier {
  classify(text: string): Promise<ChatVerdict | null>;
  /** For /healthz and logs: how the stage stands now. */
  state(): { circuit: 'closed' | 'open' | 'half_open'; usedToday: number; dailyBudget: number };
}

const nullableString = z
  .union([z.string(), z.null()])
  .optional()
  .transform((v) => (v && v.trim() ? v.trim().slice(0, 200) : null));
const stringList = z
  .union([z.array(z.union([z.string(), z.number()])), z.string(), z.null()])
  .optional()
  .transform((v) => (v == null ? [] : (Array.isArray(v) ? v : [v]).map(String).filter(Boolean).slice(0, 10)));

/** What the model must answer; codes or the Chinese names are both taken, anything else is a failure. */
export const chatVerdictSchema = z
  .object({
    is_issue: z.boolean(),
    category: z
      .union([z.string(), z.null()])
      .optional()
      .transform((v, ctx) => {
        if (v == null || v === '') return null;
        const c = (CATEGORIES as readonly string[]).includes(v) ? (v as Category) : matchCategory(v);
        if (!c) ctx.addIssue({ code: 'custom', message: `unknown category ${v}` });
        return c;
      }),
    type: z
      .union([z.string(), z.null()])
      .optional()
      .transform((v) => (v == null || v === '' ? null : (ISSUE_TYPES as readonly string[]).includes(v) ? (v as IssueType) : matchIssueType(v))),
    urgency: z
      .union([z.enum(URGENCIES), z.null()])
      .optional()
      .transform((v) => v ?? null),
    enterprise_name: nullableString,
    location: nullableString,
    amounts: stringList,
    dates: stringList,
  })
  .refine((v) => !v.is_issue || v.category !== null, { message: 'an issue needs a category' });

const completionSchema = z.object({
  choices: z.array(z.object({ message: z.object({ content: z.string().nullable() }) })).min(1),
});

export const CHAT_SYSTEM_PROMPT = [
  '你是营商环境诉求分拣员。企业在政企群里说的话，判断是否为企业向政府提出的诉求（诉求：需要政府部门处理的问题、求助、投诉、举报、咨询或建议）。',
  '不是诉求：政府部门的答复和通知（如“您好，您反映的问题收悉，经核实……现答复如下”）、政策宣传、会议通知、感谢表扬、已解决问题的经验介绍、寒暄、收到、广告、闲聊。',
  '是诉求时给出类别（category，只能取下列代码之一）：',
  ...CATEGORIES.map((c) => `- ${c}：${CATEGORY_NAMES[c]}`),
  `类型（type）取：${ISSUE_TYPES.map((t) => `${t}=${ISSUE_TYPE_NAMES[t]}`).join('，')}；紧急程度（urgency）取 urgent 或 normal。`,
  '界限：项目报建、规划、施工许可归 construction；土地和不动产登记归 property；水电气暖的费用归 fees，供应和停供归 utilities；补贴奖励兑现归 policy；拖欠工程款归 payment；干部推诿、新官不理旧账归 conduct；反复检查归 enforcement。',
  '只摘录原文里出现的信息：enterprise_name（企业名称）、location（地点）、amounts（金额）、dates（日期），没有就填 null 或空数组，不要编造。',
  '只输出一个 JSON 对象：{"is_issue":bool,"category":string|null,"type":string|null,"urgency":string|null,"enterprise_name":string|null,"location":string|null,"amounts":[string],"dates":[string]}',
].join('\n');

/** Models wrap JSON in prose or code fences now and then: take the outermost object. */
export function extractJsonObject(content: string): unknown {
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('no JSON object in the answer');
  return JSON.parse(content.slice(start, end + 1));
}

export function parseChatVerdict(content: string): ChatVerdict {
  const v = chatVerdictSchema.parse(extractJsonObject(content));
  return {
    isIssue: v.is_issue,
    category: v.is_issue ? v.category : null,
    type: v.is_issue ? (v.type ?? 'help') : null,
    urgency: v.is_issue ? (v.urgency ?? 'normal') : null,
    fields: { enterpriseName: v.enterprise_name, location: v.location, amounts: v.amounts, dates: v.dates },
  };
}

const MAX_CHARS = 2_000;

export function createChatClassifier(opts: ChatClassifierOptions): ChatClassifier {
  const doFetch = opts.fetch ?? fetch;
  const endpoint = `${opts.url.replace(/\/+$/, '')}/chat/completions`;
  let failures = 0;
  let openUntil = 0;
  let trialRunning = false;
  let day = '';
  let used = 0;

  const circuit = (): 'closed' | 'open' | 'half_open' => {
    if (failures < opts.breaker.failures) return 'closed';
    return opts.now().getTime() < openUntil ? 'open' : 'half_open';
  };
  const fail = (reason: string) => {
    failures++;
    if (failures >= opts.breaker.failures) {
      openUntil = opts.now().getTime() + opts.breaker.cooldownMs;
      if (failures === opts.breaker.failures) opts.logger.warn('llm.circuit_open', { reason, cooldownMs: opts.breaker.cooldownMs, hint: 'the in-process classifier answers alone until the endpoint recovers; check classifier.llm.url and the model server' });
    }
    opts.logger.warn('llm.failed', { reason, consecutive: failures });
    return null;
  };

  async function call(text: string): Promise<ChatVerdict | null> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
    try {
      const res = await doFetch(endpoint, {
        method: 'POST',
        signal: controller.signal,
        headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
        body: JSON.stringify({
          model: opts.model,
          temperature: 0,
          response_format: { type: 'json_object' },
          messages: [
            { role: 'system', content: CHAT_SYSTEM_PROMPT },
            { role: 'user', content: text },
          ],
        }),
      });
      if (!res.ok) return fail(`HTTP ${res.status}`);
      const body = completionSchema.safeParse(await res.json());
      if (!body.success) return fail('not a chat-completions response');
      const verdict = parseChatVerdict(body.data.choices[0]!.message.content ?? '');
      failures = 0;
      return verdict;
    } catch (e) {
      return fail(controller.signal.aborted ? `timeout after ${opts.timeoutMs} ms` : (e as Error).message.slice(0, 200));
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    state: () => ({ circuit: circuit(), usedToday: day === chinaDateCompact(opts.now()) ? used : 0, dailyBudget: opts.dailyBudget }),
    async classify(raw) {
      const today = chinaDateCompact(opts.now());
      if (today !== day) [day, used] = [today, 0];
      const c = circuit();
      if (c === 'open' || (c === 'half_open' && trialRunning)) return null;
      if (used >= opts.dailyBudget) return null;
      used++;
      const clipped = raw.slice(0, MAX_CHARS);
      const text = opts.maskPersonalData ? maskPersonalData(clipped) : clipped;
      // Half-open: one trial at a time decides whether the circuit closes again.
      if (c === 'half_open') trialRunning = true;
      try {
        return await call(text);
      } finally {
        if (c === 'half_open') trialRunning = false;
      }
    },
  };
}
