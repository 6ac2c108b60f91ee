import { Hono, type Context } from 'hono';
import { raw } from 'hono/html';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { BoardConfig } from '../config/schema';
import { boardScoreChart } from '../console/charts';
import { percent } from '../console/format';
import type { Services } from '../services';
import { boardData, type BoardData, type BoardMonth, type BoardRow } from './figures';

/**
 * The public 晒单 board: `/board` (a page for the government website, no sign-in) and
 * `/api/v1/public/board` (the same figures as JSON). Off unless `board.enabled`. Figures are
 * computed at most once per `cacheSeconds` on the injected clock, so a busy public page costs the
 * database two aggregates per period, whatever the traffic.
 */
export function createBoardCache(services: Pick<Services, 'db' | 'directory' | 'config' | 'now'>) {
  let cached: { at: number; data: BoardData } | null = null;
  return async (): Promise<BoardData> => {
    const now = services.now();
    const board = services.config.board;
    if (cached && now.getTime() - cached.at < board.cacheSeconds * 1000 && now.getTime() >= cached.at) return cached.data;
    const data = await boardData(services.db, services.directory.org, board, { deployment: services.config.deployment.name, department: (id) => services.directory.departmentName(id) }, now);
    cached = { at: now.getTime(), data };
    return data;
  };
}

export type BoardCache = ReturnType<typeof createBoardCache>;

const caches = new WeakMap<object, BoardCache>();
/** The page and the JSON share one cache per running instance. */
function boardCache(services: Services): BoardCache {
  let cache = caches.get(services);
  if (!cache) caches.set(services, (cache = createBoardCache(services)));
  return cache;
}

/** Cache headers and the frame rule: embeddable only from the configured origins. */
function publicHeaders(c: Context, board: BoardConfig, page: boolean): void {
  c.header('cache-control', `public, max-age=${board.cacheSeconds}`);
  c.header('x-content-type-options', 'nosniff');
  c.header('referrer-policy', 'no-referrer');
  const ancestors = board.embedOrigins.length ? board.embedOrigins.join(' ') : "'none'";
  c.header(
    'content-security-policy',
    page ? `default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors ${ancestors}` : `default-src 'none'; frame-ancestors 'none'`,
  );
  if (page) c.header('access-control-allow-origin', '*');
}

export function createBoardRoutes(services: Services): Hono {
  const app = new Hono();
  const cache = boardCache(services);
  app.get('/board', async (c) => {
    const board = services.config.board;
    if (!board.enabled) return c.text('晒单公示未开启（board.enabled）', 404);
    publicHeaders(c, board, true);
    return c.html(<BoardPage data={await cache()} />);
  });
  return app;
}

const Rate = z.number().nullable().optional();
const BoardRowSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    region: z.string().optional(),
    received: z.number().optional(),
    resolved: z.number().optional(),
    responseRate: Rate.openapi({ description: '签收及时率' }),
    onTimeRate: Rate.openapi({ description: '按时办结率' }),
    resolutionRate: Rate.openapi({ description: '办结率' }),
    score: z.number().optional(),
    satisfactionRate: Rate.openapi({ description: '满意率（3 分及以上）' }),
    reopened: z.number().optional(),
    ladderDocuments: z.number().optional().openapi({ description: '收到的三单一函文书' }),
  })
  .openapi('BoardRow');

/** The JSON twin of the page, documented in the OpenAPI file; no token needed. */
export function registerBoardApi(api: OpenAPIHono<any>, services: Services): void {
  const cache = boardCache(services);
  api.openapi(
    createRoute({
      method: 'get',
      path: '/v1/public/board',
      summary: '晒单公示（公开，无需令牌）',
      description: 'This month to date and the last published month: departments and regions ranked, counts and rates. Only figures the deployment made public (board.figures); no personal data, no ticket text.',
      responses: {
        200: {
          description: 'The board',
          content: {
            'application/json': {
              schema: z.object({
                title: z.string(),
                generatedAt: z.string(),
                figures: z.array(z.string()),
                months: z.array(z.object({ month: z.string(), final: z.boolean(), totals: BoardRowSchema, departments: z.array(BoardRowSchema).optional(), regions: z.array(BoardRowSchema).optional(), regionsWithoutTickets: z.array(z.string()).optional().openapi({ description: '本月无工单的地区（不参与排名）' }) })),
              }),
            },
          },
        },
        404: { description: 'The board is switched off', content: { 'application/json': { schema: z.object({ error: z.string() }) } } },
      },
    }),
    async (c) => {
      const board = services.config.board;
      if (!board.enabled) return c.json({ error: 'not_found' }, 404);
      publicHeaders(c, board, false);
      // Any site may read the public figures (the page itself is what embedding rules protect).
      c.header('access-control-allow-origin', '*');
      return c.json(await cache(), 200);
    },
  );
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:15px/1.6 "Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;color:#1f2329;background:#f5f6f7}
header{background:#c8161d;color:#fff;padding:16px 20px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.9;font-size:13px}
main{max-width:1180px;margin:0 auto;padding:12px}
section.month{margin-bottom:24px}h2{font-size:18px;margin:16px 4px 8px}h3{font-size:16px;margin:0 0 8px}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px;margin-bottom:12px}
.card{background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:10px 12px}.card b{display:block;font-size:24px}.card span{color:#646a73;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:12px}
.panel{background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:12px;overflow-x:auto}
.chart svg{width:100%;max-width:480px;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:right;padding:6px 8px;border-bottom:1px solid #eff0f1;white-space:nowrap}th:nth-child(-n+2),td:nth-child(-n+2){text-align:left}th{color:#646a73;font-weight:500}
.muted{color:#8f959e;font-size:13px}footer{padding:12px 20px 24px;color:#8f959e;font-size:12px;text-align:center}
`;

const score = (v: number | undefined) => (v === undefined ? '—' : (Math.round(v * 1000) / 10).toFixed(1));

function RankTable(props: { rows: BoardRow[]; kind: '承办单位' | '地区'; testid: string }) {
  const r0 = props.rows[0] ?? ({} as BoardRow);
  const cols: Array<[string, (r: BoardRow) => string | number]> = [];
  if (props.rows.some((r) => r.region)) cols.push(['所属地区', (r) => r.region ?? '']);
  if ('received' in r0) cols.push(['受理', (r) => r.received ?? 0], ['办结', (r) => r.resolved ?? 0]);
  if ('responseRate' in r0) cols.push(['签收及时率', (r) => percent(r.responseRate ?? null)], ['按时办结率', (r) => percent(r.onTimeRate ?? null)], ['办结率', (r) => percent(r.resolutionRate ?? null)]);
  if ('satisfactionRate' in r0) cols.push(['满意率', (r) => percent(r.satisfactionRate ?? null)]);
  if ('reopened' in r0) cols.push(['重办', (r) => r.reopened ?? 0]);
  if ('ladderDocuments' in r0) cols.push(['三单一函', (r) => r.ladderDocuments ?? 0]);
  if ('score' in r0) cols.push(['综合得分', (r) => score(r.score)]);
  return (
    <table data-testid={props.testid}>
      <thead>
        <tr>
          <th>名次</th>
          <th>{props.kind}</th>
          {cols.map(([h]) => (
            <th>{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r, i) => (
          <tr>
            <td>{i + 1}</td>
            <td>{r.name}</td>
            {cols.map(([, v]) => (
              <td>{v(r)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the chart ranks by: the composite score when rates are public, else the counts. */
function chartOf(rows: BoardRow[]): string | null {
  if (rows.length === 0) return null;
  if (rows[0]!.score !== undefined) return boardScoreChart(rows.map((r) => ({ name: r.name, value: Math.round((r.score ?? 0) * 1000) / 10 })), '综合得分');
  if (rows[0]!.satisfactionRate !== undefined) return boardScoreChart(rows.map((r) => ({ name: r.name, value: Math.round((r.satisfactionRate ?? 0) * 1000) / 10 })), '满意率');
  if (rows[0]!.received !== undefined) return boardScoreChart(rows.map((r) => ({ name: r.name, value: r.received ?? 0 })), '受理');
  return null;
}

function Month(props: { m: BoardMonth }) {
  const { m } = props;
  const t = m.totals;
  const regionChart = m.regions ? chartOf(m.regions) : null;
  const deptChart = m.departments ? chartOf(m.departments) : null;
  return (
    <section class="month" data-testid={`month-${m.month}`}>
      <h2>
        {m.month.replace('-', ' 年 ')} 月{m.final ? '' : '（截至今日，未定稿）'}
      </h2>
      <div class="cards">
        {t.received !== undefined ? (
          <>
            <div class="card">
              <span>受理</span>
              <b>{t.received}</b>
            </div>
            <div class="card">
              <span>办结</span>
              <b>{t.resolved}</b>
            </div>
          </>
        ) : null}
        {t.responseRate !== undefined ? (
          <>
            <div class="card">
              <span>签收及时率</span>
              <b>{percent(t.responseRate)}</b>
            </div>
            <div class="card">
              <span>按时办结率</span>
              <b>{percent(t.onTimeRate ?? null)}</b>
            </div>
          </>
        ) : null}
        {t.satisfactionRate !== undefined ? (
          <div class="card">
            <span>满意率</span>
            <b>{percent(t.satisfactionRate)}</b>
          </div>
        ) : null}
        {t.ladderDocuments !== undefined ? (
          <div class="card">
            <span>三单一函</span>
            <b>{t.ladderDocuments}</b>
          </div>
        ) : null}
      </div>
      <div class="grid">
        {m.regions ? (
          <div class="panel">
            <h3>各地区排名</h3>
            {regionChart ? <div class="chart">{raw(regionChart)}</div> : null}
            {m.regions.length ? <RankTable rows={m.regions} kind="地区" testid={`regions-${m.month}`} /> : <p class="muted">本月各地区尚无工单。</p>}
            {m.regionsWithoutTickets?.length ? (
              <p class="muted" data-testid={`regions-idle-${m.month}`}>
                无工单（不参与排名）：{m.regionsWithoutTickets.join('、')}
              </p>
            ) : null}
          </div>
        ) : null}
        {m.departments ? (
          <div class="panel">
            <h3>承办单位排名</h3>
            {m.departments.length ? (
              <>
                {deptChart ? <div class="chart">{raw(deptChart)}</div> : null}
                <RankTable rows={m.departments} kind="承办单位" testid={`departments-${m.month}`} />
              </>
            ) : (
              <p class="muted">本月尚无派出的工单。</p>
            )}
          </div>
        ) : null}
      </div>
    </section>
  );
}

export function BoardPage(props: { data: BoardData }) {
  const { data } = props;
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="zh-CN">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{data.title}</title>
          <style>{raw(CSS)}</style>
        </head>
        <body>
          <header>
            <h1>{data.title}</h1>
            <p>营商环境诉求办理情况 · 亮晒比评</p>
          </header>
          <main>
            {data.months.map((m) => (
              <Month m={m} />
            ))}
          </main>
          <footer>
            统计口径：按受理时间计；签收及时率 = 按时签收 / 已派单（尚在签收时限内未签收的不计），按时办结率 = 按时办结 / 已办结，满意率 = 3 分及以上 / 已评价。更新于{' '}
            {new Date(data.generatedAt).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })}
          </footer>
        </body>
      </html>
    </>
  );
}
