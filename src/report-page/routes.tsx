import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { z } from 'zod';
import { sha256Hex } from '../auth/tokens';
import { isOpen, type TicketStatus } from '../domain/ticket';
import { normalisePhone } from '../domain/phone';
import { maskPersonalData } from '../domain/mask';
import { stripUnsafeChars } from '../domain/plain-text';
import { clientIp, type ProxyTrust } from '../http/client-ip';
import { publicBase } from '../config/public-url';
import { readFlash, writeFlash } from '../http/flash';
import { imageResponse } from '../http/image';
import { getGroup, type GroupRecord } from '../repo/directory';
import { hitRateLimit, releaseRateLimit, type RateLimit } from '../repo/rate-limits';
import type { WebCommand } from '../pipeline/perform';
import { surveyAccess } from '../jobs/survey';
import type { Services } from '../services';
import { createChallenge, verifyChallenge } from './human-check';
import { checkImage, IMAGE_REFUSALS, IMAGE_TYPES, MAX_PHOTO_BYTES, MAX_PHOTOS } from './images';
import { FollowPage, ReportForm, Shell, Submitted, type FollowData, type FormValues } from './pages';

export interface ReportPageOptions {
  /** Signs the human check (derived from GONGZHI_SESSION_SECRET). */
  secret: string;
  trustProxy?: ProxyTrust;
}

/** Limits per address and per phone: generous for a real enterprise, a wall for a flood. */
export const REPORT_LIMITS: Record<string, RateLimit> = {
  // Accepted reports: a refused form (a typo in the phone, a wrong sum) gives its place back.
  ipBurst: { limit: 5, windowMs: 10 * 60_000 },
  ipDay: { limit: 30, windowMs: 86_400_000 },
  // Every attempt, accepted or not: looser, so a person fixing a form never meets it, but junk does.
  ipAttempts: { limit: 20, windowMs: 10 * 60_000 },
  phoneHour: { limit: 3, windowMs: 3600_000 },
  phoneDay: { limit: 10, windowMs: 86_400_000 },
};
/** Three photos at the per-photo limit, plus the text fields. */
export const MAX_REPORT_BODY = MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024;

const reportForm = z.object({
  enterprise: z.string().trim().min(2, '请填写企业名称').max(100, '企业名称过长'),
  contact: z.string().trim().min(1, '请填写联系人').max(50, '联系人过长'),
  phone: z.string().trim().max(30),
  text: z.string().trim().min(10, '问题描述至少 10 个字，请写清楚事情经过').max(2000, '问题描述最多 2000 字'),
  location: z.string().trim().max(200, '地点最多 200 字').optional(),
  publicNotice: z.literal('1').optional(),
  answer: z.string().max(10),
  check: z.string().max(300),
  website: z.string().max(0, '请勿填写隐藏字段').optional(),
});

const minutes = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));
const FLASH = 'gz_t_flash';

export function createReportPage(services: Services, opts: ReportPageOptions): Hono {
  const app = new Hono();
  const { db, config } = services;

  app.use('*', csrf());

  async function formFor(c: Context, group: GroupRecord, status: 200 | 400 | 413 | 429, values?: FormValues, error?: string | string[]) {
    const ch = await createChallenge(opts.secret, services.now());
    return c.html(
      <ReportForm
        groupName={group.name}
        deployment={config.deployment.name}
        hotline={config.deployment.hotline ?? null}
        action={`/r/${group.id}`}
        question={ch.question}
        token={ch.token}
        {...(values ? { values } : {})}
        {...(error ? { error } : {})}
      />,
      status,
    );
  }

  const reportGroup = async (id: string) => {
    const g = await getGroup(db, id);
    return g && g.configured ? g : null;
  };
  const notFound = (c: Context) => c.html(<Shell title="页面不存在"><h1>没有这个群的反映页面</h1><p>请重新扫描群里的二维码。</p></Shell>, 404);

  app.get('/r/:group', async (c) => {
    const group = await reportGroup(c.req.param('group'));
    return group ? formFor(c, group, 200) : notFound(c);
  });

  app.post(
    '/r/:group',
    bodyLimit({ maxSize: MAX_REPORT_BODY, onError: (c) => c.html(<Shell title="内容过大"><h1>提交的内容过大</h1><p>照片最多 {MAX_PHOTOS} 张，每张不超过 5 MB。请返回重新选择照片。</p></Shell>, 413) }),
    async (c) => {
      const group = await reportGroup(c.req.param('group'));
      if (!group) return notFound(c);
      const now = services.now();
      const ip = clientIp(c, opts.trustProxy ?? 0);
      const counted: Array<[string, RateLimit]> = [];
      const tooOften = (retryAfterMs: number, message: string) => {
        c.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
        return formFor(c, group, 429, undefined, message);
      };
      const attempts = await hitRateLimit(db, `report-ipAttempts:${ip}`, REPORT_LIMITS.ipAttempts!, now);
      if (!attempts.allowed) {
        services.logger.warn('report.rate_limited', { ip, rule: 'ipAttempts' });
        return tooOften(attempts.retryAfterMs, `提交过于频繁，请 ${minutes(attempts.retryAfterMs)} 分钟后再试。紧急问题请拨打${config.deployment.hotline ?? ' 12345'}。`);
      }
      // Counted now (concurrent floods see each other), given back below if the report is not accepted.
      const giveBack = async () => {
        for (const [key, rule] of counted) await releaseRateLimit(db, key, rule, now);
      };
      for (const [name, rule] of [['ipBurst', REPORT_LIMITS.ipBurst!], ['ipDay', REPORT_LIMITS.ipDay!]] as const) {
        const key = `report-${name}:${ip}`;
        const hit = await hitRateLimit(db, key, rule, now);
        if (!hit.allowed) {
          await releaseRateLimit(db, key, rule, now);
          await giveBack();
          services.logger.warn('report.rate_limited', { ip, rule: name });
          return tooOften(hit.retryAfterMs, `提交过于频繁，请 ${minutes(hit.retryAfterMs)} 分钟后再试。紧急问题请拨打${config.deployment.hotline ?? ' 12345'}。`);
        }
        counted.push([key, rule]);
      }
      const body = await c.req.parseBody({ all: true });
      const files = ([] as unknown[]).concat(body.photos ?? []).filter((f): f is File => f instanceof File && f.size > 0);
      // A pasted NUL or stray surrogate is dropped, not a 500: PostgreSQL would refuse the text.
      const fields = Object.fromEntries(Object.entries(body).flatMap(([k, v]) => (k !== 'photos' && typeof v === 'string' ? [[k, stripUnsafeChars(v)]] : [])));
      const parsed = reportForm.safeParse(fields);
      const values: FormValues = {
        enterprise: String(fields.enterprise ?? ''),
        contact: String(fields.contact ?? ''),
        phone: String(fields.phone ?? ''),
        text: String(fields.text ?? ''),
        location: String(fields.location ?? ''),
        publicNotice: fields.publicNotice === '1',
      };
      const refuse = async (status: 400 | 413 | 429, problems: string[], keep: FormValues | undefined = values) => {
        await giveBack();
        return formFor(c, group, status, keep, problems);
      };
      // Every problem at once: fixing one field only to be told about the next wastes the person's time.
      const problems: string[] = parsed.success ? [] : [...new Set(parsed.error.issues.map((i) => i.message))];
      const check = await verifyChallenge(opts.secret, String(fields.check ?? ''), String(fields.answer ?? ''), now);
      if (!check.ok) problems.push(check.reason);
      const phone = normalisePhone(String(fields.phone ?? ''));
      if (!phone && !parsed.error?.issues.some((i) => i.path[0] === 'phone')) problems.push('电话号码格式不对：请填写 11 位手机号，或带区号的座机号');
      if (files.length > MAX_PHOTOS) problems.push(`照片最多 ${MAX_PHOTOS} 张`);
      let tooLarge = false;
      const photos = [];
      for (const file of files.slice(0, MAX_PHOTOS)) {
        if (file.size > MAX_PHOTO_BYTES) {
          tooLarge = true;
          problems.push(`照片“${file.name}”超过 5 MB，请换一张或截图后上传`);
          continue;
        }
        const bytes = new Uint8Array(await file.arrayBuffer());
        const checked = checkImage(bytes);
        if (!checked.ok) {
          problems.push(`“${file.name}”${IMAGE_REFUSALS[checked.reason]}`);
          continue;
        }
        photos.push({ contentType: checked.type, bytes, sha256: await sha256Hex(bytes) });
      }
      if (problems.length || !parsed.success || !check.ok || !phone) return refuse(tooLarge ? 413 : 400, problems.length ? problems : ['表单有误']);
      const f = parsed.data;
      for (const [name, rule] of [['phoneHour', REPORT_LIMITS.phoneHour!], ['phoneDay', REPORT_LIMITS.phoneDay!]] as const) {
        // Per phone and address: someone typing another's phone cannot use up that person's quota elsewhere.
        const key = `report-${name}:${phone}:${ip}`;
        const hit = await hitRateLimit(db, key, rule, now);
        if (!hit.allowed) {
          await releaseRateLimit(db, key, rule, now);
          c.header('retry-after', String(Math.ceil(hit.retryAfterMs / 1000)));
          return refuse(429, [`这个电话号码提交次数过多，请 ${minutes(hit.retryAfterMs)} 分钟后再试；已提交的问题可在受理页面查看进度。`]);
        }
        counted.push([key, rule]);
      }
      const result = await services.pipeline.submitReport({
        submissionId: check.nonce,
        group,
        enterprise: f.enterprise,
        contact: f.contact,
        phone,
        text: f.text,
        location: f.location || null,
        photos,
        publicNotice: f.publicNotice === '1',
      });
      if (result.status === 'duplicate') return refuse(400, ['这份反映已经提交过了，请勿重复提交'], undefined);
      services.logger.info('report.submitted', { group: group.id, ticket: result.number, status: result.status, photos: photos.length });
      const link = `${publicBase(config, c.req.url)}/t/${result.link}`;
      return c.html(<Submitted number={result.number} link={link} messages={result.messages} attached={result.status === 'attached'} />);
    },
  );

  /** The ticket a link token opens, or null (unknown tokens and their tickets look the same). */
  const linkFor = async (token: string) => {
    if (!/^[A-Za-z0-9_-]{40,60}$/.test(token)) return null;
    return (await db.selectFrom('ticket_links').select(['ticket_id', 'requester_id']).where('token_hash', '=', await sha256Hex(token)).executeTakeFirst()) ?? null;
  };
  const gone = (c: Context) => c.html(<Shell title="链接无效"><h1>链接无效</h1><p>请检查链接是否完整，或联系营商办。</p></Shell>, 404);

  app.get('/t/:token', async (c) => {
    const link = await linkFor(c.req.param('token'));
    if (!link) return gone(c);
    const row = (await db.selectFrom('tickets').selectAll().where('id', '=', link.ticket_id).executeTakeFirst())!;
    const events = await db.selectFrom('ticket_events').select(['kind', 'at', 'data']).where('ticket_id', '=', row.id).orderBy('id').execute();
    const photos = await db.selectFrom('attachments').select('id').where('ticket_id', '=', row.id).where('requester_id', '=', link.requester_id).orderBy('id').execute();
    const dept = (id: unknown) => (typeof id === 'string' ? (services.directory.departmentName(id) ?? '') : '');
    const own = row.requester_id === link.requester_id;
    const data: FollowData = {
      number: row.number,
      status: row.status,
      departmentName: row.department_id ? services.directory.departmentName(row.department_id) : null,
      // Someone else's report (this link's holder was attached to it) is shown as the group saw it: masked.
      content: own ? row.content : maskPersonalData(row.content),
      // The resolution names whoever the department called: the original reporter's phone, for one.
      resolution: own || row.resolution === null ? row.resolution : maskPersonalData(row.resolution),
      rating: row.rating,
      isPrivate: own && row.is_private,
      signDueAt: row.sign_due_at,
      resolveDueAt: row.resolve_due_at,
      // What the enterprise may read: where it went, what was asked, what was answered — not internal reasons.
      events: events
        .filter((e) => !['note', 'escalated', 'extension_requested', 'returned'].includes(e.kind))
        .map((e) => {
          const d = e.data as Record<string, unknown>;
          const detail =
            e.kind === 'dispatched' || e.kind === 'reassigned' || e.kind === 'escalated_level' ? dept(d.departmentId)
            : e.kind === 'info_requested' ? String(d.question ?? '')
            : e.kind === 'info_supplied' ? String(d.text ?? '')
            : e.kind === 'resolved' || e.kind === 'resolution_submitted' ? String(d.summary ?? '')
            : e.kind === 'rated' ? `${String(d.rating ?? '')} 分`
            : '';
          // A supplement or a question may carry the original reporter's numbers: masked for anyone else.
          return { kind: e.kind, at: e.at, detail: own ? detail : maskPersonalData(detail) };
        }),
      photos: photos.map((p) => p.id),
      canSupplement: own && isOpen(row.status as TicketStatus) && row.status !== 'awaiting_confirmation',
      canRate: own && row.status === 'resolved',
    };
    const flash = readFlash(c, FLASH, '/t');
    // A report-page enterprise has no chat to be sent the survey in: its ticket page carries it
    // while its campaign is open and unanswered.
    const access = await surveyAccess(db, c.req.param('token'), services.now());
    const survey = access.kind === 'open' ? { title: access.title, closesAt: access.closesAt, href: `/s/${c.req.param('token')}` } : null;
    c.header('cache-control', 'no-store');
    c.header('referrer-policy', 'no-referrer');
    return c.html(<FollowPage data={data} base={`/t/${c.req.param('token')}`} flash={flash} survey={survey} />);
  });

  app.get('/t/:token/photos/:id', async (c) => {
    const link = await linkFor(c.req.param('token'));
    const id = Number(c.req.param('id'));
    if (!link || !Number.isInteger(id)) return gone(c);
    const photo = await db.selectFrom('attachments').select(['content_type', 'data']).where('id', '=', id).where('ticket_id', '=', link.ticket_id).where('requester_id', '=', link.requester_id).executeTakeFirst();
    if (!photo || !(IMAGE_TYPES as readonly string[]).includes(photo.content_type)) return gone(c);
    return imageResponse(c, photo);
  });

  const followAction = (name: 'rate' | 'supplement' | 'publish', toCommand: (form: Record<string, string>) => WebCommand['command'] | string) =>
    app.post(`/t/:token/${name}`, async (c) => {
      const token = c.req.param('token');
      const link = await linkFor(token);
      if (!link) return gone(c);
      const form = Object.fromEntries(Object.entries(await c.req.parseBody()).flatMap(([k, v]) => (typeof v === 'string' ? [[k, stripUnsafeChars(v)]] : [])));
      const command = toCommand(form);
      const result =
        typeof command === 'string'
          ? { ok: false, messages: [command] }
          : await services.pipeline.perform({ actor: { kind: 'requester', requesterId: link.requester_id }, ticketId: link.ticket_id, command });
      writeFlash(c, FLASH, '/t', result);
      return c.redirect(`/t/${token}`, 303);
    });
  followAction('rate', (f) => {
    const rating = Number(f.rating);
    return Number.isInteger(rating) && rating >= 1 && rating <= 5 ? { name: 'rate', ref: null, rating, comment: (f.comment ?? '').trim().slice(0, 500) } : '请选择 1–5 分';
  });
  followAction('supplement', (f) => {
    const text = (f.text ?? '').trim();
    return text ? { name: 'supplement', ref: null, text: text.slice(0, 2000) } : '请填写补充内容';
  });
  followAction('publish', () => ({ name: 'publish', ref: null }));

  return app;
}

