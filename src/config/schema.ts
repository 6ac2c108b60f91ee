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

/** 市 → 旗县区 → 乡镇/街道/园区. Without any, the deployment is one county (one implicit region). */
export const regionSchema = z.object({
  id,
  name: z.string().min(1),
  /** The region above; exactly one region (the city) has none. */
  parent: id.optional(),
  /** Letters added to this region's ticket and document numbers: GZ + QS → GZQS-20261123-0007, QS-DB-2026-0003. */
  prefix: z.string().regex(/^[A-Z]{1,4}$/, '地区前缀须为 1–4 个大写字母').optional(),
  /** The region's own 营商办 and category routing, for tickets from its groups (else `routing`). */
  routing: z
    .object({ dispatcher: id, categories: z.partialRecord(categorySchema, id).default({}) })
    .optional(),
});

export const departmentSchema = z.object({
  id,
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).default([]),
  /** Older name of `counterpart`, still accepted. */
  parent: id.optional(),
  /** The counterpart department one level up (the parent region's) that takes a 提级办 ticket. */
  counterpart: id.optional(),
  /** The region the department belongs to; the top region when omitted. */
  region: id.optional(),
});

export const staffSchema = z.object({
  id,
  name: z.string().min(1),
  department: id.optional(),
  role: z.enum(ROLES).refine((r) => r !== 'enterprise', '员工角色不能是 enterprise'),
  /** The region a dispatcher, supervisor or admin works for (they see it and below); defaults to the department's. */
  region: id.optional(),
  /** Platform user ids of this person: WeCom userid, DingTalk staffId, playground login. */
  accounts: z.partialRecord(platformSchema, z.string().min(1)).default({}),
  phone: z.string().optional(),
  /** false: kept (old tickets, history) but no longer mentioned, assigned or signed in. */
  active: z.boolean().default(true),
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
  /** With `regions:` the id of a region; in a single-county configuration free text matched by routing rules. */
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

/** What the public 晒单 board may show. */
export const BOARD_FIGURES = ['departments', 'regions', 'counts', 'rates', 'ladder', 'satisfaction'] as const;
export type BoardFigure = (typeof BOARD_FIGURES)[number];

export const boardSchema = z
  .object({
    /** Off unless switched on: the board is public, no sign-in. */
    enabled: z.boolean().default(false),
    title: z.string().min(1).optional(),
    figures: z.array(z.enum(BOARD_FIGURES)).min(1).default([...BOARD_FIGURES]),
    /** Last month's figures appear from this day of the month (China date); before it the board shows the month before. */
    publishOnDay: z.number().int().min(1).max(28).default(1),
    /** Cache-Control max-age of the page and the JSON. */
    cacheSeconds: z.number().int().min(0).max(86_400).default(300),
    /** Sites that may show the board in an iframe (CSP frame-ancestors); none means no embedding elsewhere. */
    embedOrigins: z.array(z.string().regex(/^https?:\/\/[a-z0-9.-]+(:\d+)?$/, '应写作 https://www.example.gov.cn（只写协议和主机）')).default([]),
  })
  .strict();
export type BoardConfig = z.infer<typeof boardSchema>;

/** https://, or http:// to a loopback address (a receiver on this machine, or a test). */
export function secureWebhookUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const u = new URL(url);
  if (u.protocol === 'https:') return true;
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return u.protocol === 'http:' && (host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host));
}

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
    /** Photos sent in the chat (src/pipeline/attachments.ts). */
    chatPhotos: z
      .object({
        /** A photo sent alone joins its sender's report in the same chat made up to this long before (or after). */
        attachWindowMinutes: z.number().int().min(1).max(24 * 60).default(10),
        /** Per photo; keep it short: WeCom and DingTalk wait about 5 s for a callback's answer. */
        downloadTimeoutMs: z.number().int().min(500).max(30_000).default(4000),
      })
      .default({ attachWindowMinutes: 10, downloadTimeoutMs: 4000 }),
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
    /** 面上问题: tickets of the last `windowDays` grouped into topics (src/domain/topics). */
    topics: z
      .object({
        windowDays: z.number().int().min(7).max(365).default(60),
        /** A topic needs reports from at least this many distinct enterprises. */
        minEnterprises: z.number().int().min(2).max(50).default(3),
        /** How often the scheduler refreshes topics (only when tickets changed). */
        refreshMinutes: z.number().int().min(1).max(1440).default(30),
        /** Topics listed in the Monday message to 营商办. */
        weeklyTop: z.number().int().min(1).max(50).default(5),
        /**
         * How reports are linked: the hand-set rules, or the pair model learned from the labelled
         * sets (src/domain/topics/pair-model.ts; windows of at most 5,000 reports, above that rules).
         */
        method: z
          .enum(['rules', 'learned'], { error: (issue) => `只能是 learned（学习的配对模型，默认）或 rules（只用规则），不是 ${JSON.stringify(issue.input)}` })
          .default('learned'),
      })
      .prefault({}),
    /** 市场主体满意度测评: sent one-to-one to enterprises with tickets in the period. Absent: no survey. */
    survey: z
      .object({
        frequency: z.enum(['monthly', 'quarterly']).default('monthly'),
        /** 5-point questions; ids are stable keys for the results. */
        questions: z
          .array(z.object({ id, text: z.string().min(2).max(60) }))
          .min(1)
          .max(10)
          .default([
            { id: 'efficiency', text: '办事效率' },
            { id: 'attitude', text: '服务态度' },
            { id: 'resolution', text: '问题解决' },
            { id: 'policy', text: '政策获得感' },
          ]),
        /** Sent on this day of the month after the period (after digest.dailyAt). */
        sendOnDay: z.number().int().min(1).max(28).default(2),
        remindAfterDays: z.number().int().min(1).max(30).default(5),
        closeAfterDays: z.number().int().min(2).max(60).default(10),
        /** Fewest answers behind a published average (at least 3): see publishSurveyFigures. */
        minAnswers: z.number().int().min(3).max(100).default(5),
      })
      .optional(),
    /** Contacts sync from WeCom / DingTalk into the directory (src/directory/sync.ts), daily at `dailyAt` (Asia/Shanghai). */
    directorySync: z
      .object({
        platforms: z.array(z.enum(['wecom', 'dingtalk'])).default([]),
        dailyAt: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, '时间应写作 HH:MM').default('03:00'),
        /** false: the scheduled run only logs the difference (a dry run); the console and CLI apply it. */
        apply: z.boolean().default(true),
      })
      .prefault({}),
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
          /** https://, or http:// to this machine only: ticket contents must not cross a network in clear text. */
          url: z.url({ protocol: /^https?$/ }).refine(secureWebhookUrl, 'Webhook 地址须为 https://（http:// 只允许本机 127.0.0.1、::1、localhost）; use https:// (http:// is for loopback only)'),
          /** Write as "${GONGZHI_WEBHOOK_…}" so the key stays in the environment. */
          secret: z.string().min(16, '签名密钥至少 16 个字符'),
          /** Event kinds to send (dispatched, resolved, escalated…); omitted = all. */
          events: z.array(z.enum(EVENT_KINDS)).min(1).optional(),
        }),
      )
      .default([]),
    regions: z.array(regionSchema).default([]),
    board: boardSchema.prefault({}),
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
    checkRegions(cfg, ctx, need);
  });

type RawConfig = {
  regions: Array<z.infer<typeof regionSchema>>;
  departments: Array<z.infer<typeof departmentSchema>>;
  staff: Array<z.infer<typeof staffSchema>>;
  groups: Array<z.infer<typeof groupSchema>>;
  routing: { rules: Array<{ region?: string | undefined }> };
  deployment: { ticketPrefix: string };
};

/** Every region reference, reported all at once like the rest of the file. */
function checkRegions(cfg: RawConfig, ctx: z.RefinementCtx, need: (value: string | undefined, path: (string | number)[]) => void): void {
  const ids = new Set(cfg.regions.map((r) => r.id));
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const region = (value: string | undefined, path: (string | number)[]) => {
    if (value === undefined) return;
    if (!ids.has(value)) issue(path, cfg.regions.length ? `未定义的地区 "${value}"（unknown region）` : `未配置 regions，不能指定地区 "${value}"（no regions declared）`);
  };
  const seen = new Set<string>();
  const prefixes = new Map<string, string>();
  cfg.regions.forEach((r, i) => {
    if (seen.has(r.id)) issue(['regions', i, 'id'], `重复的 "${r.id}"（duplicate）`);
    seen.add(r.id);
    if (r.parent !== undefined && !ids.has(r.parent)) issue(['regions', i, 'parent'], `未定义的地区 "${r.parent}"（unknown region）`);
    if (r.prefix) {
      if (prefixes.has(r.prefix)) issue(['regions', i, 'prefix'], `前缀 ${r.prefix} 已被 ${prefixes.get(r.prefix)} 使用`);
      prefixes.set(r.prefix, r.id);
      if (cfg.deployment.ticketPrefix.length + r.prefix.length > 8) issue(['regions', i, 'prefix'], '工单号前缀与地区前缀合计不能超过 8 个字母');
    }
    if (r.routing) {
      need(r.routing.dispatcher, ['regions', i, 'routing', 'dispatcher']);
      Object.entries(r.routing.categories).forEach(([c, d]) => need(d, ['regions', i, 'routing', 'categories', c]));
    }
    // A cycle would leave the tree without a top.
    const path = new Set<string>([r.id]);
    let p = r.parent;
    while (p !== undefined && ids.has(p)) {
      if (path.has(p)) {
        issue(['regions', i, 'parent'], `地区上下级成环（cycle through "${p}"）`);
        break;
      }
      path.add(p);
      p = cfg.regions.find((x) => x.id === p)?.parent;
    }
  });
  const roots = cfg.regions.filter((r) => r.parent === undefined);
  if (cfg.regions.length && roots.length !== 1) issue(['regions'], `须有且只有一个最上级地区（没有 parent），现有 ${roots.length} 个`);
  const regionOfDept = new Map(cfg.departments.map((d) => [d.id, d.region ?? roots[0]?.id]));
  const ancestors = (id: string | undefined): string[] => {
    const out: string[] = [];
    let x = cfg.regions.find((r) => r.id === id)?.parent;
    while (x !== undefined && !out.includes(x)) {
      out.push(x);
      x = cfg.regions.find((r) => r.id === x)?.parent;
    }
    return out;
  };
  cfg.departments.forEach((d, i) => {
    region(d.region, ['departments', i, 'region']);
    need(d.counterpart, ['departments', i, 'counterpart']);
    if (d.counterpart && d.parent && d.counterpart !== d.parent) issue(['departments', i, 'parent'], 'parent 与 counterpart 不一致：只写 counterpart');
    const up = d.counterpart ?? d.parent;
    if (up === d.id) issue(['departments', i, d.counterpart ? 'counterpart' : 'parent'], '上级对口单位不能是本单位');
    // 提级办 goes one level up: the counterpart sits in a region above (or, in one county, anywhere).
    if (up && cfg.regions.length && d.region !== undefined && regionOfDept.has(up)) {
      const upRegion = regionOfDept.get(up);
      if (upRegion !== undefined && !ancestors(d.region).includes(upRegion) && upRegion !== d.region) {
        issue(['departments', i, d.counterpart ? 'counterpart' : 'parent'], `上级对口单位 "${up}" 不在本地区或上级地区`);
      }
    }
  });
  cfg.staff.forEach((s, i) => region(s.region, ['staff', i, 'region']));
  if (cfg.regions.length) {
    cfg.groups.forEach((g, i) => region(g.region, ['groups', i, 'region']));
    cfg.routing.rules.forEach((r, i) => region(r.region, ['routing', 'rules', i, 'region']));
  }
}

export type GongzhiConfig = z.infer<typeof configSchema>;
export type RegionConfig = z.infer<typeof regionSchema>;
export type DepartmentConfig = z.infer<typeof departmentSchema>;
export type StaffConfig = z.infer<typeof staffSchema>;
export type GroupConfig = z.infer<typeof groupSchema>;
export type RoutingRule = z.infer<typeof routingRuleSchema>;
