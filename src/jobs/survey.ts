import { sql } from 'kysely';
import { randomToken, sha256Hex } from '../auth/tokens';
import { publicBase } from '../config/public-url';
import type { Db } from '../db/database';
import { chinaDate, chinaMidnight } from '../domain/china-time';
import type { Platform } from '../domain/message';
import { scopeAllows, type TicketScope } from '../domain/regions';
import { answersSchema, MIN_ANSWERS_FLOOR, MIN_ANSWERS_SHOWN, previousSurveyPeriod, publishSurveyFigures, type SurveyFigure, type SurveyQuestion } from '../domain/survey';
import { textPayload } from '../pipeline/notify';
import { enqueueOutbox, type OutboxEntry } from '../repo/outbox';
import type { Services } from '../services';

const CHAT: ReadonlySet<string> = new Set<Platform>(['wecom', 'dingtalk', 'local']);
const DAY = 86_400_000;

export const surveyLink = (services: Services, token: string) => `${publicBase(services.config) ?? ''}/s/${token}`;

function inviteText(title: string, link: string, closesAt: Date, reminder: boolean): string {
  return [
    reminder ? `【满意度测评·提醒】${title}的营商环境满意度测评还没有收到贵企业的回答，${chinaDate(closesAt)} 截止。` : `【满意度测评】请对${title}办理贵企业诉求的部门打分（5 分非常满意 … 1 分非常不满意），约 1 分钟。`,
    `填写：${link}`,
    '回答匿名统计：任何报表都只显示平均分和回收率，不显示哪家企业打了几分。',
  ].join('\n');
}

export interface OpenedSurvey {
  campaignId: number;
  invited: number;
  /** Of those, reached one-to-one in a chat; the rest (report-page users) answer from their ticket page. */
  messaged: number;
}

/**
 * Opens a campaign for [from, to): every enterprise with a ticket received in the period is
 * invited once, with the departments that handled its tickets and the regions they came from.
 * A chat user gets a one-to-one message with a personal link; report-page users (no chat) find
 * the survey through their ticket page link (/s/t/<ticket token>). Keyed, so it opens once.
 */
export async function openSurvey(services: Services, period: { key: string; title: string; from: Date; to: Date }, now: Date = services.now()): Promise<OpenedSurvey | null> {
  const cfg = services.config.survey;
  if (!cfg) return null;
  const closesAt = new Date(now.getTime() + cfg.closeAfterDays * DAY);
  const remindAt = new Date(now.getTime() + cfg.remindAfterDays * DAY);
  const result = await services.db.transaction().execute(async (tx) => {
    const campaign = await tx
      .insertInto('survey_campaigns')
      .values({ key: period.key, title: period.title, period_from: period.from, period_to: period.to, questions: JSON.stringify(cfg.questions), opened_at: now, remind_at: remindAt, closes_at: closesAt, min_answers: Math.max(MIN_ANSWERS_FLOOR, cfg.minAnswers) })
      .onConflict((oc) => oc.column('key').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!campaign) return null;
    const rows = await tx
      .selectFrom('tickets as t')
      .innerJoin('requesters as r', 'r.id', 't.requester_id')
      .leftJoin('groups as g', 'g.id', 't.group_id')
      .select(['r.id', 'r.platform', 'r.user_id', 't.department_id', sql<string | null>`coalesce(t.region_id, g.region)`.as('region')])
      .where('t.received_at', '>=', period.from)
      .where('t.received_at', '<', period.to)
      .where('t.status', '!=', 'merged')
      .execute();
    const by = new Map<number, { platform: string; userId: string; departments: Set<string>; regions: Set<string> }>();
    for (const r of rows) {
      const e = by.get(r.id) ?? { platform: r.platform, userId: r.user_id, departments: new Set(), regions: new Set() };
      if (r.department_id) e.departments.add(r.department_id);
      e.regions.add(r.region ?? '');
      by.set(r.id, e);
    }
    const posts: OutboxEntry[] = [];
    let messaged = 0;
    for (const [requesterId, e] of by) {
      const token = randomToken('s_');
      const channel = CHAT.has(e.platform) ? 'chat' : 'page';
      await tx
        .insertInto('survey_invitations')
        .values({ campaign_id: campaign.id, requester_id: requesterId, token_hash: await sha256Hex(token), department_ids: JSON.stringify([...e.departments]), regions: JSON.stringify([...e.regions]), channel })
        .execute();
      if (channel === 'chat') {
        messaged++;
        posts.push({ platform: e.platform as Platform, kind: 'direct', target: { kind: 'direct', userId: e.userId }, payload: textPayload(inviteText(period.title, surveyLink(services, token), closesAt, false)), ticketId: null, groupId: null });
      }
    }
    await enqueueOutbox(tx, posts, now);
    return { campaignId: campaign.id, invited: by.size, messaged };
  });
  if (result) {
    services.logger.info('survey.opened', { key: period.key, invited: result.invited, messaged: result.messaged });
    services.defer(services.drainer.drainOnce());
  }
  return result;
}

/**
 * Reminders once at remind_at to those who have not answered (with a fresh link: only hashes
 * are kept, and the newest message is the one to use), and closing at closes_at.
 */
export async function remindAndClose(services: Services, now: Date = services.now()): Promise<{ reminded: number; closed: number }> {
  const { db } = services;
  let reminded = 0;
  const due = await db.selectFrom('survey_campaigns').selectAll().where('reminded', '=', false).where('closed', '=', false).where('remind_at', '<=', now).execute();
  for (const c of due) {
    reminded += await db.transaction().execute(async (tx) => {
      const claimed = await tx.updateTable('survey_campaigns').set({ reminded: true }).where('id', '=', c.id).where('reminded', '=', false).executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return 0;
      const open = await tx
        .selectFrom('survey_invitations as i')
        .innerJoin('requesters as r', 'r.id', 'i.requester_id')
        .select(['i.id', 'r.platform', 'r.user_id'])
        .where('i.campaign_id', '=', c.id)
        .where('i.answered', '=', false)
        .where('i.channel', '=', 'chat')
        .execute();
      const posts: OutboxEntry[] = [];
      for (const i of open) {
        const token = randomToken('s_');
        await tx.updateTable('survey_invitations').set({ token_hash: await sha256Hex(token) }).where('id', '=', i.id).execute();
        posts.push({ platform: i.platform as Platform, kind: 'direct', target: { kind: 'direct', userId: i.user_id }, payload: textPayload(inviteText(c.title, surveyLink(services, token), c.closes_at, true)), ticketId: null, groupId: null });
      }
      await enqueueOutbox(tx, posts, now);
      return posts.length;
    });
  }
  const closed = await db.updateTable('survey_campaigns').set({ closed: true }).where('closed', '=', false).where('closes_at', '<=', now).executeTakeFirst();
  if (reminded) services.defer(services.drainer.drainOnce());
  return { reminded, closed: Number(closed.numUpdatedRows) };
}

/**
 * Closes a campaign before its date (营商办's decision, e.g. when enough have answered, or to try
 * a campaign out in the playground): no answer is taken after this, and its figures are published.
 */
export async function closeSurvey(services: Services, campaignId: number, staffId: string, now: Date = services.now()): Promise<boolean> {
  const r = await services.db.updateTable('survey_campaigns').set({ closed: true, closes_at: now }).where('id', '=', campaignId).where('closed', '=', false).where('closes_at', '>', now).executeTakeFirst();
  const ok = Number(r.numUpdatedRows) > 0;
  if (ok) services.logger.info('survey.closed_early', { campaignId, staffId });
  return ok;
}

/** The scheduler's survey work: open the period's campaign on its day (after the daily digest time), remind, close. */
export async function runSurveyJobs(services: Services, now: Date = services.now()) {
  const cfg = services.config.survey;
  if (!cfg) return { opened: null, reminded: 0, closed: 0 };
  const today = chinaDate(now);
  const dailyAt = services.config.digest.dailyAt;
  const dueAt = new Date(chinaMidnight(today).getTime() + (Number(dailyAt.slice(0, 2)) * 60 + Number(dailyAt.slice(3))) * 60_000);
  let opened: OpenedSurvey | null = null;
  const period = Number(today.slice(8, 10)) === cfg.sendOnDay && now >= dueAt ? previousSurveyPeriod(today, cfg.frequency) : null;
  // The campaign's own key is the claim: openSurvey inserts it with the invitations and their
  // posts in one transaction, so a crash leaves none and the next tick opens it. (A claim in
  // scheduled_runs, committed first, lost the period's survey to a crash before the opening.)
  const openedBefore = period ? await services.db.selectFrom('survey_campaigns').select('id').where('key', '=', period.key).executeTakeFirst() : null;
  if (period && !openedBefore) {
    opened = await openSurvey(services, { key: period.key, title: period.title, from: chinaMidnight(period.from), to: chinaMidnight(period.to) }, now);
  }
  return { opened, ...(await remindAndClose(services, now)) };
}

export type SurveyAccess =
  | { kind: 'open'; invitationId: number; campaignId: number; title: string; questions: SurveyQuestion[]; closesAt: Date }
  | { kind: 'answered'; title: string }
  | { kind: 'closed'; title: string }
  | { kind: 'unknown' };

/** A survey link (s_…) or, for report-page users, their ticket link: the newest invitation of that enterprise. */
export async function surveyAccess(db: Db, token: string, now: Date): Promise<SurveyAccess> {
  const hash = await sha256Hex(token);
  let q = db.selectFrom('survey_invitations as i').innerJoin('survey_campaigns as c', 'c.id', 'i.campaign_id').select(['i.id', 'i.answered', 'c.id as campaign_id', 'c.title', 'c.questions', 'c.closes_at', 'c.closed']);
  if (token.startsWith('s_')) q = q.where('i.token_hash', '=', hash);
  else q = q.where('i.requester_id', '=', (eb) => eb.selectFrom('ticket_links').select('requester_id').where('token_hash', '=', hash).limit(1));
  const inv = await q.orderBy('c.opened_at', 'desc').limit(1).executeTakeFirst();
  if (!inv) return { kind: 'unknown' };
  if (inv.answered) return { kind: 'answered', title: inv.title };
  if (inv.closed || inv.closes_at <= now) return { kind: 'closed', title: inv.title };
  return { kind: 'open', invitationId: inv.id, campaignId: inv.campaign_id, title: inv.title, questions: inv.questions, closesAt: inv.closes_at };
}

/**
 * Stores one enterprise's answers: the invitation is marked answered and the scores go into a
 * row that names only the campaign, departments and regions — no enterprise, no time.
 */
export async function submitSurvey(services: Services, token: string, form: Record<string, unknown>): Promise<{ ok: true } | { ok: false; status: 400 | 404 | 409 | 410; message: string }> {
  const now = services.now();
  const access = await surveyAccess(services.db, token, now);
  if (access.kind === 'unknown') return { ok: false, status: 404, message: '链接无效或已被新的提醒替换，请使用最近一条消息里的链接' };
  if (access.kind === 'answered') return { ok: false, status: 409, message: '贵企业已经回答过本期测评，谢谢' };
  if (access.kind === 'closed') return { ok: false, status: 410, message: '本期测评已截止' };
  const parsed = answersSchema(access.questions).safeParse(form);
  if (!parsed.success) return { ok: false, status: 400, message: parsed.error.issues.map((i) => i.message).join('；') };
  return services.db.transaction().execute(async (tx) => {
    // Under the campaign's row lock, so an answer either lands before the campaign closes (a
    // closing UPDATE waits for it) or is refused: a published figure never moves by one late answer.
    const open = await tx.selectFrom('survey_campaigns').select('id').where('id', '=', access.campaignId).where('closed', '=', false).where('closes_at', '>', now).forShare().executeTakeFirst();
    if (!open) return { ok: false as const, status: 410 as const, message: '本期测评已截止' };
    const inv = await tx.updateTable('survey_invitations').set({ answered: true }).where('id', '=', access.invitationId).where('answered', '=', false).returning(['department_ids', 'regions']).executeTakeFirst();
    if (!inv) return { ok: false as const, status: 409 as const, message: '贵企业已经回答过本期测评，谢谢' };
    await tx.insertInto('survey_responses').values({ campaign_id: access.campaignId, department_ids: JSON.stringify(inv.department_ids), regions: JSON.stringify(inv.regions), scores: JSON.stringify(parsed.data) }).execute();
    return { ok: true as const };
  });
}

/**
 * A closed campaign's figures never change, and choosing them is linear algebra over every
 * figure (a few seconds for a city of 20,000 answers and 300 departments): chosen once per
 * database and campaign, kept for the process.
 */
const published = new WeakMap<Db, Map<string, SurveyFigure[][]>>();
function publishedOnce(db: Db, key: string, compute: () => SurveyFigure[][]): SurveyFigure[][] {
  let mine = published.get(db);
  if (!mine) published.set(db, (mine = new Map()));
  let figures = mine.get(key);
  if (!figures) {
    figures = compute();
    if (mine.size >= 24) mine.delete(mine.keys().next().value!);
    mine.set(key, figures);
  }
  return figures;
}

export interface SurveyResults {
  campaign: { id: number; key: string; title: string; periodFrom: Date; periodTo: Date; openedAt: Date; closesAt: Date; closed: boolean; questions: SurveyQuestion[]; minAnswers: number };
  invited: number;
  answered: number;
  responseRate: number;
  byDepartment: SurveyFigure[];
  byRegion: SurveyFigure[];
}

/**
 * Results of one campaign (the newest; or the newest closed by `closedBy`; or the one whose period
 * holds the instant `covering`): per department and per region, a region counting also for the
 * regions above it (a town's answers are its county's and the city's). While the campaign is open
 * only the totals are given — a figure that moves as answers arrive tells whoever watches it what
 * the newest answer was. Figures are published for the whole deployment at once
 * (publishSurveyFigures, with the minimum fixed when the campaign opened); `scope` (ticketScope)
 * then only picks which of those rows and invitations a reader sees, so every reader sees the same
 * numbers and no combination of them gives one answer.
 */
export async function surveyResults(services: Services, opts: { campaignId?: number; closedBy?: Date; covering?: Date; scope?: TicketScope } = {}): Promise<SurveyResults | null> {
  const { db, directory, config } = services;
  let q = db.selectFrom('survey_campaigns').selectAll().orderBy('opened_at', 'desc').limit(1);
  if (opts.campaignId) q = q.where('id', '=', opts.campaignId);
  if (opts.closedBy) q = q.where('closes_at', '<=', opts.closedBy);
  if (opts.covering) q = q.where('period_from', '<=', opts.covering).where('period_to', '>', opts.covering);
  const c = await q.executeTakeFirst();
  if (!c) return null;
  // Past its date it is closed, whether or not the scheduler has marked it yet (a read writes
  // nothing): submitSurvey takes no answer at or after closes_at, so the figures are final.
  const closed = c.closed || c.closes_at <= services.now();
  const scope = opts.scope ?? { kind: 'all' as const };
  const deptIn = (d: string) => scopeAllows(scope, { region_id: null, department_id: d, co_department_ids: [] }, 'read');
  const regionIn = (r: string) => scope.kind === 'all' || (r !== '' && scopeAllows(scope, { region_id: r, department_id: null, co_department_ids: [] }, 'read'));
  // A region's figure holds the answers of the regions below it too.
  const minAnswers = Math.max(MIN_ANSWERS_FLOOR, c.min_answers ?? config.survey?.minAnswers ?? MIN_ANSWERS_SHOWN);
  const org = directory.org;
  const upward = (regions: string[]) => {
    const out = new Set<string>();
    for (const r of regions) for (let x = org.region(r); x; x = org.region(x.parentId)) out.add(x.id);
    for (const r of regions) out.add(r);
    return [...out];
  };
  const invitations = (await db.selectFrom('survey_invitations').select(['department_ids', 'regions', 'answered']).where('campaign_id', '=', c.id).execute()).map((i) => ({ ...i, regions: upward(i.regions) }));
  const responses = closed ? (await db.selectFrom('survey_responses').select(['department_ids', 'regions', 'scores']).where('campaign_id', '=', c.id).execute()).map((r) => ({ ...r, regions: upward(r.regions) })) : [];
  const regionName = (id: string) => (id ? (config.regions.find((r) => r.id === id)?.name ?? id) : config.deployment.name);
  const mine = invitations.filter((i) => i.department_ids.some(deptIn) || i.regions.some(regionIn));
  const answered = mine.filter((i) => i.answered).length;
  const publish = () =>
    publishSurveyFigures(
      c.questions,
      responses.map((r) => r.scores),
      [
        { invitations: invitations.map((i) => ({ keys: i.department_ids, answered: i.answered })), responseKeys: responses.map((r) => r.department_ids), name: (id) => directory.departmentName(id) ?? id },
        { invitations: invitations.map((i) => ({ keys: i.regions, answered: i.answered })), responseKeys: responses.map((r) => r.regions), name: regionName },
      ],
      minAnswers,
    );
  // Kept only once the scheduler has marked it: its UPDATE waited for any answer accepted just
  // before the closing instant that was still being stored (submitSurvey holds the row).
  const [byDepartment, byRegion] = !closed ? [[], []] : c.closed ? publishedOnce(db, `${c.id}:${minAnswers}:${responses.length}:${invitations.length}`, publish) : publish();
  return {
    campaign: { id: c.id, key: c.key, title: c.title, periodFrom: c.period_from, periodTo: c.period_to, openedAt: c.opened_at, closesAt: c.closes_at, closed, questions: c.questions, minAnswers },
    invited: mine.length,
    answered,
    responseRate: mine.length ? answered / mine.length : 0,
    // Names as the directory has them now (the figures may have been chosen before a rename).
    byDepartment: byDepartment!.filter((f) => deptIn(f.key)).map((f) => ({ ...f, name: directory.departmentName(f.key) ?? f.key })),
    byRegion: byRegion!.filter((f) => regionIn(f.key)).map((f) => ({ ...f, name: regionName(f.key) })),
  };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** A figure's score, or why it is withheld (too few answers; or it would give away another figure's answers). */
export const surveyScoreText = (f: SurveyFigure) => (f.overall !== null ? `${f.overall.toFixed(2)} 分` : f.withheld === 'overlap' ? '不单列（与其他单位样本重合）' : '样本不足');

/** The survey's separate figure in the monthly 通报 (never mixed into the ticket-rating score). */
export function surveyReportText(r: SurveyResults): string {
  const lines = [`【满意度测评】${r.campaign.title}：邀请 ${r.invited} 家，回收 ${r.answered} 家（回收率 ${pct(r.responseRate)}）`];
  for (const f of r.byDepartment.slice(0, 20)) lines.push(`${f.name}：${surveyScoreText(f)}｜回收 ${f.answered}/${f.invited}（${pct(f.responseRate)}）`);
  if (r.byRegion.length > 1) for (const f of r.byRegion) lines.push(`〔${f.name}〕${surveyScoreText(f)}｜回收率 ${pct(f.responseRate)}`);
  return lines.join('\n');
}
