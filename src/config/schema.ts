import { z } from 'zod';
import { categorySchema, issueTypeSchema, urgencySchema } from '../domain/taxonomy';
import { ROLES } from '../domain/roles';
import { platformSchema } from '../domain/message';
import { EVENT_KINDS } from '../domain/ticket';
import { DEFAULT_SLA_POLICY, parseSlaDuration, type SlaDuration } from '../domain/sla';

const duration = z.string().transform((v, ctx): SlaDuration => {
  const d = parseSlaDuration(v);
  if (!d) {
    ctx.addIssue({ code: 'custom', message: `时限 "${v}" 无效，应写作 1wd（工作日）、2h（小时）或 30m（分钟）` });
    return z.NEVER;
  }
  return d;
});
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期应写作 YYYY-MM-DD');
const slaTerms = z.object({ sign: duration, resolve: duration });

const id = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, '只能用小写字母、数字、- 和 _（lowercase letters, digits, - and _）');

export const departmentSchema = z.object({
  id,
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** The level above, for 提级办. */
  parent: id.optional(),
});

export const staffSchema = z.object({
  id,
  name: z.string().min(1),
  department: id.optional(),
  role: z.enum(ROLES).refine((r) => r !== 'enterprise', '员工角色不能是 enterprise'),
  /** Platform user ids of this person: WeCom userid, DingTalk staffId, playground login. */
  accounts: z.partialRecord(platformSchema, z.string().min(1)).default({}),
  phone: z.string().optional(),
});

const wecomOutbound = z.object({ kind: z.literal('wecom-webhook'), key: z.string().min(1) });
const dingtalkOutbound = z.object({ kind: z.literal('dingtalk-robot'), openConversationId: z.string().min(1).optional() });
const dingtalkCustom = z.object({
  kind: z.literal('dingtalk-custom-robot'),
  accessToken: z.string().min(1),
  secret: z.string().min(1).optional(),
});
const localOutbound = z.object({ kind: z.literal('local') });
/** WeCom AI bot over the long connection (aibot_send_msg to the chat): no webhook key needed. */
const wecomAibotOutbound = z.object({ kind: z.literal('wecom-aibot') });

export const groupSchema = z.object({
  id,
  name: z.string().min(1),
  region: z.string().optional(),
  platform: platformSchema,
  chatId: z.string().min(1),
  /** Where proactive posts (dispatch, escalation, digest) go; replies use the platform's reply channel. */
  outbound: z.discriminatedUnion('kind', [wecomOutbound, wecomAibotOutbound, dingtalkOutbound, dingtalkCustom, localOutbound]).optional(),
});

export const routingRuleSchema = z.object({
  category: categorySchema.optional(),
  type: issueTypeSchema.optional(),
  urgency: urgencySchema.optional(),
  region: z.string().optional(),
  keywords: z.array(z.string().min(1)).optional(),
  department: id,
});

export const configSchema = z
  .object({
    deployment: z
      .object({
        name: z.string().min(1),
        ticketPrefix: z.string().regex(/^[A-Z]{1,8}$/, '工单号前缀须为 1–8 个大写字母').default('GZ'),
        botName: z.string().min(1).default('共治助手'),
        hotline: z.string().optional(),
        /** Where enterprises reach this server (https://…): the QR posters point here. */
        publicUrl: z.url({ protocol: /^https?$/ }).optional(),
      })
      .strict(),
    classifier: z
      .object({
        /** Below this, tickets wait in the dispatcher's manual queue instead of being auto-dispatched. */
        minConfidence: z.number().min(0).max(1).default(0.85),
        /**
         * Optional: an OpenAI-compatible chat-completions endpoint asked about messages below the
         * gate. The key comes from GONGZHI_LLM_API_KEY, never from this file.
         */
        llm: z
          .object({
            url: z.url({ protocol: /^https?$/ }),
            model: z.string().min(1),
            /** `none` for on-premise servers (vLLM, Ollama) that take no key. */
            auth: z.enum(['bearer', 'none']).default('bearer'),
            /** Platforms retry a callback that is not answered in about 5 s: stay well inside it. */
            timeoutMs: z.number().int().min(200).max(30_000).default(3000),
            dailyBudget: z.number().int().min(0).default(2000),
            /** Phone, ID and bank numbers are masked before text leaves the server unless this is false. */
            maskPersonalData: z.boolean().default(true),
            /** A confident LLM answer routes the ticket (true), or only labels it for the manual queue (false). */
            autoDispatch: z.boolean().default(true),
            breaker: z.object({ failures: z.number().int().min(1).default(5), cooldownSeconds: z.number().int().min(1).default(60) }).default({ failures: 5, cooldownSeconds: 60 }),
          })
          .strict()
          .optional(),
      })
      .default({ minConfidence: 0.85 }),
    /** Local days off or on, over the national holiday calendar. */
    calendar: z.object({ holidays: z.array(isoDate).default([]), workdays: z.array(isoDate).default([]) }).default({ holidays: [], workdays: [] }),
    sla: z
      .object({
        normal: slaTerms.optional(),
        urgent: slaTerms.optional(),
        overrides: z
          .array(
            z.object({
              category: categorySchema.optional(),
              type: issueTypeSchema.optional(),
              urgency: urgencySchema.optional(),
              sign: duration.optional(),
              resolve: duration.optional(),
            }),
          )
          .default([]),
        /**
         * /补充 by a department stops the clock at most once per ticket and for at most this many
         * working days, never on an overdue ticket; beyond that 营商办 approves (/批准暂停).
         */
        maxPauseWorkdays: z.number().int().min(0).max(30).default(3),
      })
      .default({ overrides: [], maxPauseWorkdays: 3 })
      .transform((s) => ({
        normal: s.normal ?? DEFAULT_SLA_POLICY.normal,
        urgent: s.urgent ?? DEFAULT_SLA_POLICY.urgent,
        overrides: s.overrides,
        maxPauseWorkdays: s.maxPauseWorkdays,
      })),
    /** 三单一函 thresholds, relative to the active deadline (签收, then 办结). */
    escalation: z
      .object({
        remindBefore: duration.refine((d) => 'minutes' in d, '提醒时点须用小时或分钟，如 4h').prefault('4h'),
        superviseAfter: duration.prefault('2wd'),
        transferAfter: duration.prefault('5wd'),
      })
      .prefault({}),
    /** Without a rating this long after 办结, the ticket closes as 未评价 (not as satisfied). */
    ratingWindow: duration.prefault('3wd'),
    delivery: z
      .object({
        /** Posts per minute per group robot; WeCom and DingTalk cut off at 20. */
        perMinute: z.number().int().min(1).max(20).default(15),
        /** Fold a group's backlog into one summary post once this many posts wait. */
        coalesceAt: z.number().int().min(2).default(3),
      })
      .default({ perMinute: 15, coalesceAt: 3 }),
    digest: z
      .object({
        /** Daily digest time, Asia/Shanghai (HH:MM). */
        dailyAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间应写作 HH:MM').default('08:30'),
        /** The monthly ranking is posted on this day of the next month. */
        monthlyOnDay: z.number().int().min(1).max(28).default(1),
        /** Groups that receive digests and reports; empty means every group with an outbound channel. */
        groups: z.array(z.string()).default([]),
      })
      .default({ dailyAt: '08:30', monthlyOnDay: 1, groups: [] }),
    /** Knowledge base for 咨询: a close match is answered at once, pending the requester's confirmation. */
    faq: z
      .array(
        z.object({
          id,
          questions: z.array(z.string().min(4)).min(1),
          answer: z.string().min(1),
          source: z.string().optional(),
          department: id.optional(),
        }),
      )
      .default([]),
    /** Outgoing webhooks: ticket events POSTed to other systems (an OA, a supervision platform), HMAC-signed. */
    webhooks: z
      .array(
        z.object({
          id,
          url: z.url({ protocol: /^https?$/ }),
          /** Write as "${GONGZHI_WEBHOOK_…}" so the key stays in the environment. */
          secret: z.string().min(16, '签名密钥至少 16 个字符'),
          /** Event kinds to send (dispatched, resolved, escalated…); omitted = all. */
          events: z.array(z.enum(EVENT_KINDS)).min(1).optional(),
        }),
      )
      .default([]),
    departments: z.array(departmentSchema).min(1),
    staff: z.array(staffSchema).default([]),
    groups: z.array(groupSchema).default([]),
    routing: z.object({
      /** The dispatch office (营商办): owns the manual queue and every category without a rule. */
      dispatcher: id,
      categories: z.partialRecord(categorySchema, id).default({}),
      rules: z.array(routingRuleSchema).default([]),
    }),
  })
  .superRefine((cfg, ctx) => {
    const deptIds = new Set(cfg.departments.map((d) => d.id));
    const need = (value: string | undefined, path: (string | number)[]) => {
      if (value !== undefined && !deptIds.has(value)) {
        ctx.addIssue({ code: 'custom', path, message: `未定义的部门 "${value}"（unknown department）` });
      }
    };
    const dup = (values: string[], path: string) => {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [path, i], message: `重复的 "${v}"（duplicate）` });
        seen.add(v);
      });
    };
    dup(cfg.departments.map((d) => d.id), 'departments');
    dup(cfg.staff.map((s) => s.id), 'staff');
    dup(cfg.groups.map((g) => g.id), 'groups');
    dup(cfg.groups.map((g) => `${g.platform}:${g.chatId}`), 'groups');
    cfg.departments.forEach((d, i) => need(d.parent, ['departments', i, 'parent']));
    cfg.staff.forEach((s, i) => {
      need(s.department, ['staff', i, 'department']);
      if ((s.role === 'staff' || s.role === 'dispatcher') && !s.department) {
        ctx.addIssue({ code: 'custom', path: ['staff', i, 'department'], message: '承办人员和派单员须指定部门' });
      }
    });
    const accounts = new Set<string>();
    cfg.staff.forEach((s, i) =>
      Object.entries(s.accounts).forEach(([p, u]) => {
        const key = `${p}:${u}`;
        if (accounts.has(key)) ctx.addIssue({ code: 'custom', path: ['staff', i, 'accounts', p], message: `账号 ${key} 重复` });
        accounts.add(key);
      }),
    );
    need(cfg.routing.dispatcher, ['routing', 'dispatcher']);
    Object.entries(cfg.routing.categories).forEach(([c, d]) => need(d, ['routing', 'categories', c]));
    cfg.routing.rules.forEach((r, i) => need(r.department, ['routing', 'rules', i, 'department']));
    cfg.faq.forEach((f, i) => need(f.department, ['faq', i, 'department']));
  });

export type GongzhiConfig = z.infer<typeof configSchema>;
export type DepartmentConfig = z.infer<typeof departmentSchema>;
export type StaffConfig = z.infer<typeof staffSchema>;
export type GroupConfig = z.infer<typeof groupSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
