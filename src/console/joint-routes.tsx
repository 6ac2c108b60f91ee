import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { chinaDate, chinaMidnight } from '../domain/china-time';
import { maskPersonalData } from '../domain/mask';
import { scopeAllows } from '../domain/regions';
import { visibleDepartment } from '../domain/roles';
import { CATEGORY_NAMES, type Category } from '../domain/taxonomy';
import { readFlash, writeFlash } from '../http/flash';
import { closeSurvey, openSurvey, surveyResults, type SurveyResults } from '../jobs/survey';
import { SurveyTables } from './pages/reports';
import { refreshTopics, topicHandlersText } from '../jobs/topics';
import { jointCaseSummaries, jointDeps, promoteTopic, resolveJointCase, type JointCaseSummary } from '../pipeline/joint-cases';
import type { StaffMember } from '../repo/directory';
import { decideTopic, listTopicSummaries, mergeTopics, splitTopic, topicInScope, topicMembers, type TopicSummary } from '../repo/topics';
import { monthPeriod } from '../reports/queries';
import type { Services } from '../services';
import { Flash, Page } from './layout';
import type { ConsoleEnv } from './session';

const FLASH = 'gz_flash';
const STATUS: Record<string, string> = { candidate: '候选', confirmed: '已确认', dismissed: '非面上问题', promoted: '已提级协同办' };
const pct = (x: number) => `${Math.round(x * 100)}%`;
const isOffice = (u: StaffMember) => u.role === 'dispatcher' || u.role === 'admin';

const promoteForm = z.object({
  lead: z.string().min(1, '请选择牵头单位').max(64),
  co: z.union([z.string(), z.array(z.string())]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v])),
  due: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '办结时限应写作 2026-12-31'),
  title: z.string().trim().max(120).optional(),
});
const idList = z.union([z.string(), z.array(z.string())]).transform((v) => (Array.isArray(v) ? v : [v]).map(Number).filter(Number.isInteger));

function TopicCard(props: { t: TopicSummary; office: boolean; departments: Array<{ id: string; name: string }>; others: TopicSummary[]; today: string; now: Date }) {
  const { t } = props;
  const days = Math.floor((props.now.getTime() - t.firstAt.getTime()) / 86_400_000);
  return (
    <div class="panel">
      <h2>
        <a href={`/console/topics/${t.id}`}>#{t.id} {t.title}</a> <span class="tag">{STATUS[t.status]}</span> {t.jointCase ? <span class="tag">{t.jointCase}</span> : null}
      </h2>
      <p>
        {CATEGORY_NAMES[t.category as Category] ?? t.category}｜<b>{t.enterprises}</b> 家企业 {t.tickets} 件（在办 {t.openTickets}）｜{chinaDate(t.firstAt)} 至 {chinaDate(t.lastAt)}
        <span class="muted">（最早约 {Math.max(0, days)} 天前）</span>
      </p>
      <p class="muted">群：{[...t.groups, ...(t.privateTickets ? [`一对一 ${t.privateTickets} 件`] : [])].join('、')}；{topicHandlersText(t)}；关键词：{t.terms.join(' ')}</p>
      <ul>
        {t.samples.map((s) => (
          <li>{s}</li>
        ))}
      </ul>
      {props.office && t.status !== 'promoted' ? (
        <div class="actions">
          {t.status !== 'confirmed' ? (
            <form method="post" action={`/console/topics/${t.id}/confirm`}>
              <button type="submit">确认是面上问题</button>
            </form>
          ) : null}
          {t.status !== 'dismissed' ? (
            <form method="post" action={`/console/topics/${t.id}/dismiss`}>
              <button class="plain" type="submit">不是面上问题</button>
            </form>
          ) : null}
          {props.others.length ? (
            <form method="post" action={`/console/topics/${t.id}/merge`}>
              <label>
                并入本问题
                <select name="from">
                  {props.others.map((o) => (
                    <option value={String(o.id)}>#{o.id} {o.title.slice(0, 20)}</option>
                  ))}
                </select>
              </label>
              <button class="plain" type="submit">合并</button>
            </form>
          ) : null}
          {t.status !== 'dismissed' ? (
            <form method="post" action={`/console/topics/${t.id}/promote`}>
              <label>
                牵头单位
                <select name="lead" required>
                  {props.departments.map((d) => (
                    <option value={d.id}>{d.name}</option>
                  ))}
                </select>
              </label>
              <label>
                协办单位
                <select name="co" multiple size={3}>
                  {props.departments.map((d) => (
                    <option value={d.id}>{d.name}</option>
                  ))}
                </select>
              </label>
              <label>
                办结时限
                <input type="date" name="due" required min={props.today} />
              </label>
              <button type="submit">提级为协同办</button>
            </form>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

function CasesTable(props: { cases: JointCaseSummary[]; canResolve: (c: JointCaseSummary) => boolean; ids: Map<string, number> }) {
  if (!props.cases.length) return <p class="muted">暂无协同办件。</p>;
  return (
    <table>
      <tr>
        <th>编号</th>
        <th>问题</th>
        <th>牵头 / 协办</th>
        <th>企业 / 工单</th>
        <th>时限</th>
        <th>状态</th>
        <th>评价</th>
        <th></th>
      </tr>
      {props.cases.map((c) => (
        <tr>
          <td>{c.number}</td>
          <td>{c.title}</td>
          <td>
            {c.lead}
            {c.co.length ? ` / ${c.co.join('、')}` : ''}
          </td>
          <td>
            {c.enterprises} / {c.tickets}
          </td>
          <td>{chinaDate(c.dueAt)}</td>
          <td>{c.status === 'resolved' ? `已办结 ${c.resolvedAt ? chinaDate(c.resolvedAt) : ''}` : '办理中'}</td>
          <td>
            {c.rated}/{c.tickets} 已评，满意 {c.satisfied}
          </td>
          <td>
            {c.status === 'open' && props.canResolve(c) ? (
              <form method="post" action={`/console/joint/${props.ids.get(c.number)}/resolve`} class="actions">
                <textarea name="result" required rows={2} placeholder="统一办理结果（发给每家企业）"></textarea>
                <button type="submit">办结协同办</button>
              </form>
            ) : null}
          </td>
        </tr>
      ))}
    </table>
  );
}

export function SurveySection(props: { results: SurveyResults | null; /** The city's 营商办: campaigns cover the whole deployment. */ manage: boolean; month: string }) {
  const r = props.results;
  return (
    <div class="panel">
      <h2>满意度测评（与工单评价分开统计）</h2>
      {r ? (
        <>
          <p>
            {r.campaign.title}：邀请 {r.invited} 家，回收 {r.answered} 家，<b>回收率 {pct(r.responseRate)}</b>；{r.campaign.closed ? '已截止' : `${chinaDate(r.campaign.closesAt)} 截止，截止后公布各单位结果`}。回答匿名：少于 {r.campaign.minAnswers} 份回答、或与其他数字合起来能推算出个别企业回答的平均分不公布。
          </p>
          <SurveyTables results={r} />
          {!r.campaign.closed && props.manage ? (
            <form method="post" action={`/console/surveys/${r.campaign.id}/close`} class="filters">
              <button class="plain" type="submit">立即截止并公布结果</button>
            </form>
          ) : null}
        </>
      ) : (
        <p class="muted">还没有测评。</p>
      )}
      {props.manage ? (
        <form method="post" action="/console/surveys/open" class="filters">
          <label>
            测评月份
            <input type="month" name="month" value={props.month} required />
          </label>
          <button type="submit">发起该月测评（一对一发给当月有诉求的企业）</button>
        </form>
      ) : null}
    </div>
  );
}

/**
 * 会商会办 in the console: topic candidates (confirm, dismiss, merge, split, promote), joint
 * cases (resolve), and the satisfaction survey's results. Only 营商办 and admins act on topics;
 * a department sees the joint cases it leads or co-handles, and the lead may resolve.
 */
export function mountJointConsole(app: Hono<ConsoleEnv>, services: Services): void {
  // The directory changes while the console runs (a department added in the console, a revision
  // from another instance): services.config is read per request, never kept.
  const { db, directory } = services;
  const deployment = () => services.config.deployment.name;
  // Everything below is limited by ticketScope (directory.scopeOf): a topic is a person's only if
  // EVERY member ticket is in their scope — a county's 营商办 sees and acts on its county's topics and
  // cases, the city's on all (cross-county topics included). Showing the in-scope part of a mixed
  // topic would still expose the cross-county title and counts, so a mixed topic is the level above's.
  const scopeOf = (c: Context<ConsoleEnv>) => directory.scopeOf(c.get('user'));
  const departmentsFor = (c: Context<ConsoleEnv>) => {
    const scope = scopeOf(c);
    return services.config.departments.map((d) => ({ id: d.id, name: d.name })).filter((d) => scopeAllows(scope, { region_id: null, department_id: d.id, co_department_ids: [] }, 'act'));
  };
  const names = (id: string) => directory.departmentName(id) ?? id;
  const back = (c: Parameters<typeof writeFlash>[0], r: { ok: boolean; messages: string[] }, to = '/console/topics') => {
    writeFlash(c, FLASH, '/console', r);
    return c.redirect(to, 303);
  };

  app.get('/topics', async (c) => {
    const user = c.get('user');
    const scope = visibleDepartment(user);
    const now = services.now();
    const flash = readFlash(c, FLASH, '/console');
    const reach = directory.scopeOf(user);
    const allCases = await jointCaseSummaries(db, null, names, scope ? {} : { scope: reach });
    const caseRows = await db.selectFrom('joint_cases').select(['id', 'number', 'lead_department_id', 'co_department_ids']).execute();
    const ids = new Map(caseRows.map((k) => [k.number, k.id]));
    const mine = (cs: JointCaseSummary) => {
      const row = caseRows.find((k) => k.number === cs.number)!;
      return !scope || row.lead_department_id === scope || row.co_department_ids.includes(scope);
    };
    const canResolve = (cs: JointCaseSummary) => isOffice(user) || caseRows.find((k) => k.number === cs.number)!.lead_department_id === user.departmentId;
    const topics = scope ? [] : await listTopicSummaries(db, { statuses: ['candidate', 'confirmed', 'promoted'], limit: 50, scope: reach });
    const results = await surveyResults(services, { scope: reach });
    const refresh = await db.selectFrom('topic_refreshes').selectAll().where('id', '=', 1).executeTakeFirst();
    const today = chinaDate(now);
    return c.html(
      <Page title="会商会办" user={user} section="topics" deployment={deployment()}>
        <h1>会商会办</h1>
        <Flash flash={flash} />
        {!scope ? (
          <>
            <p class="muted">
              近 {services.config.topics.windowDays} 天、至少 {services.config.topics.minEnterprises} 家企业反映的共性问题（跨群、跨地区，按文字相似、类别和地点归并）。
              {refresh ? `上次刷新 ${refresh.ran_at.toISOString().slice(0, 16).replace('T', ' ')} UTC，${refresh.tickets} 件工单。` : ''}
            </p>
            {isOffice(user) ? (
              <form method="post" action="/console/topics/refresh">
                <button class="plain" type="submit">立即刷新</button>
              </form>
            ) : null}
            {topics.length ? topics.map((t) => <TopicCard t={t} office={isOffice(user)} departments={departmentsFor(c)} others={topics.filter((o) => o.id !== t.id && o.status !== 'promoted')} today={today} now={now} />) : <p class="muted">暂无面上问题。</p>}
          </>
        ) : null}
        <h2>协同办</h2>
        <div class="panel">
          <CasesTable cases={allCases.filter(mine)} canResolve={canResolve} ids={ids} />
        </div>
        <SurveySection results={results} manage={isOffice(user) && reach.kind === 'all'} month={chinaDate(now).slice(0, 7)} />
      </Page>,
    );
  });

  app.get('/topics/:id{[0-9]+}', async (c) => {
    const user = c.get('user');
    if (visibleDepartment(user)) return c.text('仅营商办、管理员和监督人员可查看面上问题', 403);
    const [t] = await listTopicSummaries(db, { ids: [Number(c.req.param('id'))], scope: scopeOf(c) });
    if (!t) return c.text('没有这个面上问题', 404);
    const members = await topicMembers(db, t.id);
    return c.html(
      <Page title={`面上问题 #${t.id}`} user={user} section="topics" deployment={deployment()}>
        <h1>
          面上问题 #{t.id} <span class="tag">{STATUS[t.status]}</span>
        </h1>
        <p>{t.title}</p>
        <form method="post" action={`/console/topics/${t.id}/split`}>
          <table>
            <tr>
              <th></th>
              <th>工单</th>
              <th>受理</th>
              <th>群</th>
              <th>承办</th>
              <th>诉求</th>
            </tr>
            {members.map((m) => (
              <tr>
                <td>{isOffice(user) && t.status !== 'promoted' ? <input type="checkbox" name="tickets" value={String(m.id)} /> : null}</td>
                <td>
                  <a href={`/console/tickets/${m.number}`}>{m.number}</a>
                  {m.is_private ? <span class="tag grey">一对一</span> : null}
                </td>
                <td>{chinaDate(m.received_at)}</td>
                <td>{m.group_name ?? '一对一'}</td>
                <td>{m.department_name ?? '待分派'}</td>
                <td class="content">{maskPersonalData(m.content).slice(0, 120)}</td>
              </tr>
            ))}
          </table>
          {isOffice(user) && t.status !== 'promoted' ? <button type="submit">把勾选的工单拆分为另一个问题</button> : null}
        </form>
        <p>
          <a href="/console/topics">返回会商会办</a>
        </p>
      </Page>,
    );
  });

  const office = async (c: Context<ConsoleEnv>) => (isOffice(c.get('user')) ? null : c.text('仅营商办派单员和管理员可以操作', 403));
  /** An office action on topic `id`: refused (404, as if absent) when a member ticket is outside the actor's scope. */
  const officeOn = async (c: Context<ConsoleEnv>, ...ids: number[]) => {
    const denied = await office(c);
    if (denied) return denied;
    for (const id of ids) if (!(await topicInScope(db, id, scopeOf(c)))) return c.text('没有这个面上问题', 404);
    return null;
  };

  app.post('/topics/refresh', async (c) => {
    const denied = await office(c);
    if (denied) return denied;
    const r = await refreshTopics(services, services.now(), { force: true });
    return back(c, { ok: true, messages: [`已刷新：${r.tickets} 件工单，${r.topics} 个面上问题`] });
  });
  app.post('/topics/:id{[0-9]+}/:decision{confirm|dismiss}', async (c) => {
    const denied = await officeOn(c, Number(c.req.param('id')));
    if (denied) return denied;
    const status = c.req.param('decision') === 'confirm' ? 'confirmed' : 'dismissed';
    const ok = await db.transaction().execute((tx) => decideTopic(tx, Number(c.req.param('id')), status, c.get('user').id, services.now()));
    return back(c, { ok, messages: [ok ? (status === 'confirmed' ? '已确认为面上问题' : '已标为非面上问题，刷新时不再作为候选') : '该问题已提级或不存在'] });
  });
  app.post('/topics/:id{[0-9]+}/merge', async (c) => {
    const from = Number((await c.req.parseBody()).from);
    const denied = await officeOn(c, Number(c.req.param('id')), ...(Number.isInteger(from) ? [from] : []));
    if (denied) return denied;
    const ok = Number.isInteger(from) && (await db.transaction().execute((tx) => mergeTopics(tx, Number(c.req.param('id')), from, c.get('user').id, services.now())));
    return back(c, { ok, messages: [ok ? '已合并' : '不能合并（已提级的问题不能合并）'] });
  });
  app.post('/topics/:id{[0-9]+}/split', async (c) => {
    const denied = await officeOn(c, Number(c.req.param('id')));
    if (denied) return denied;
    const picked = idList.safeParse((await c.req.parseBody({ all: true })).tickets ?? []);
    const id = picked.success ? await db.transaction().execute((tx) => splitTopic(tx, Number(c.req.param('id')), picked.data, c.get('user').id, services.now())) : null;
    return back(c, { ok: id !== null, messages: [id !== null ? `已拆分为面上问题 #${id}` : '请勾选部分（不是全部）工单'] }, id !== null ? `/console/topics/${id}` : `/console/topics/${c.req.param('id')}`);
  });
  app.post('/topics/:id{[0-9]+}/promote', async (c) => {
    const denied = await officeOn(c, Number(c.req.param('id')));
    if (denied) return denied;
    const form = promoteForm.safeParse(await c.req.parseBody({ all: true }));
    if (!form.success) return back(c, { ok: false, messages: [form.error.issues.map((i) => i.message).join('；')] });
    // The deadline is the end of the chosen China day.
    const dueAt = new Date(chinaMidnight(form.data.due).getTime() + 86_400_000 - 60_000);
    const r = await promoteTopic(jointDeps(services), { topicId: Number(c.req.param('id')), staffId: c.get('user').id, leadDepartmentId: form.data.lead, coDepartmentIds: form.data.co, dueAt, ...(form.data.title ? { title: form.data.title } : {}) });
    services.logger.info('console.joint_case', { staffId: c.get('user').id, topic: c.req.param('id'), ok: r.ok, number: r.number });
    return back(c, r);
  });
  app.post('/joint/:id{[0-9]+}/resolve', async (c) => {
    const result = z.string().trim().min(1).max(2000).safeParse((await c.req.parseBody()).result);
    if (!result.success) return back(c, { ok: false, messages: ['请填写办理结果'] });
    const r = await resolveJointCase(jointDeps(services), { caseId: Number(c.req.param('id')), staffId: c.get('user').id, result: result.data });
    return back(c, r);
  });
  // A campaign covers the whole deployment, so only 营商办 of the top level may close it early
  // (a county's would end the city's survey). Results are published from then on.
  app.post('/surveys/:id{[0-9]+}/close', async (c) => {
    const denied = await office(c);
    if (denied) return denied;
    if (scopeOf(c).kind !== 'all') return c.text('满意度测评由市级营商办统一截止', 403);
    const ok = await closeSurvey(services, Number(c.req.param('id')), c.get('user').id);
    return back(c, { ok, messages: [ok ? '测评已截止，结果已公布' : '该测评已截止或不存在'] });
  });
  // Opening is the city's too: a county's campaign would invite every county's enterprises and
  // use up the period, so the city's own campaign for it would be refused as already started.
  app.post('/surveys/open', async (c) => {
    const denied = await office(c);
    if (denied) return denied;
    if (scopeOf(c).kind !== 'all') return c.text('满意度测评由市级营商办统一发起', 403);
    if (!services.config.survey) return back(c, { ok: false, messages: ['配置里没有 survey 段，未启用满意度测评'] });
    const month = z.string().regex(/^\d{4}-\d{2}$/).safeParse((await c.req.parseBody()).month);
    if (!month.success) return back(c, { ok: false, messages: ['月份格式应为 2026-11'] });
    const [y, m] = month.data.split('-').map(Number) as [number, number];
    const r = await openSurvey(services, { key: `monthly:${month.data}`, title: `${y} 年 ${m} 月`, ...monthPeriod(month.data) });
    return back(c, r ? { ok: true, messages: [`已发起 ${month.data} 测评：邀请 ${r.invited} 家企业，其中 ${r.messaged} 家已一对一发送`] } : { ok: false, messages: [`${month.data} 的测评已经发起过`] });
  });
}

export type { TopicSummary };
