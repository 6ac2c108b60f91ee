import { raw } from 'hono/html';
import type { RankingRow } from '../../domain/templates';
import type { StaffMember } from '../../repo/directory';
import { percent } from '../format';
import { Page } from '../layout';
import { rankPlaces } from '../../domain/report';
import { chinaDate } from '../../domain/china-time';
import type { SurveyFigure } from '../../domain/survey';
import { surveyScoreText, type SurveyResults } from '../../jobs/survey';

export interface RegionsSection {
  /** The level whose regions are compared (the city). */
  name: string;
  rows: RankingRow[];
  chart: string;
}

/** The rates of one ranking row, a department's or a region's, in the table's column order. */
function FigureCells({ r }: { r: RankingRow }) {
  return (
    <>
      <td>{r.tickets}</td>
      <td>{percent(r.responseRate)}</td>
      <td>{percent(r.onTimeRate)}</td>
      <td>{percent(r.resolutionRate)}</td>
      <td>{percent(r.satisfactionRate)}</td>
      <td>{r.reopened}</td>
      <td>{r.escalations}</td>
      <td>{Math.round(r.score * 1000) / 10}</td>
    </>
  );
}

/**
 * One campaign's figures per department and per region: averages per question, the overall
 * score and the response rate. A withheld average says why (too few answers, or it would give
 * away another figure's answers), never 0.
 */
export function SurveyTables(props: { results: SurveyResults }) {
  const r = props.results;
  if (!r.campaign.closed) return null;
  return (
    <>
      {([['承办单位', 'survey-departments', r.byDepartment], ['地区', 'survey-regions', r.byRegion]] as const).map(([label, id, rows]: readonly [string, string, SurveyFigure[]]) => (
        <table data-testid={id}>
          <thead>
            <tr>
              <th>{label}</th>
              {r.campaign.questions.map((q) => (
                <th>{q.text}</th>
              ))}
              <th>综合</th>
              <th>回收</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((f) => (
              <tr data-withheld={f.withheld ?? undefined}>
                <td>{f.name}</td>
                {r.campaign.questions.map((q) => (
                  <td>{f.averages ? f.averages[q.id]!.toFixed(2) : '—'}</td>
                ))}
                <td>{f.overall === null ? surveyScoreText(f) : f.overall.toFixed(2)}</td>
                <td>
                  {f.answered}/{f.invited}（{percent(f.responseRate)}）
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </>
  );
}

/** The month's survey beside the ranking: a figure of its own, never part of the composite score. */
function SurveyPanel(props: { results: SurveyResults | null; month: string }) {
  const r = props.results;
  return (
    <>
      <h2>满意度测评（{props.month}，单列，不计入综合得分）</h2>
      <div class="panel" data-testid="survey">
        {r ? (
          <>
            <p>
              {r.campaign.title}：邀请 {r.invited} 家，回收 {r.answered} 家，<b>回收率 {percent(r.responseRate)}</b>；
              {r.campaign.closed ? '已截止。' : `${chinaDate(r.campaign.closesAt)} 截止，截止后公布各单位、各地区结果。`}
              回答匿名：少于 {r.campaign.minAnswers} 份回答、或与其他数字合起来能推算出个别企业回答的平均分不公布。
            </p>
            <SurveyTables results={r} />
          </>
        ) : (
          <p class="muted">该月没有满意度测评。</p>
        )}
      </div>
    </>
  );
}

export function ReportsPage(props: {
  deployment: string;
  user: StaffMember;
  month: string;
  ranking: RankingRow[];
  rankingChart: string;
  trendChart: string;
  canExport: boolean;
  regions?: RegionsSection | null;
  /** The survey of the month (its period holds the month), if there was one. */
  survey?: SurveyResults | null;
}) {
  const places = rankPlaces(props.ranking);
  const regionPlaces = rankPlaces(props.regions?.rows ?? []);
  return (
    <Page title="统计与台账" user={props.user} section="reports" deployment={props.deployment}>
      <h1>统计与台账</h1>
      <form class="filters" method="get" action="/console/reports">
        <label>
          月份
          <input type="month" name="month" value={props.month} required />
        </label>
        <button type="submit">查看</button>
        {props.canExport ? (
          <>
            <a href={`/console/ledger?month=${props.month}&format=xlsx`} data-testid="ledger-xlsx">
              导出台账（Excel）
            </a>
            <a href={`/console/ledger?month=${props.month}&format=csv`}>导出台账（CSV）</a>
          </>
        ) : null}
      </form>
      <h2>承办单位排名（{props.month}）</h2>
      <div class="panel chart" data-testid="ranking-chart">
        {props.ranking.length ? raw(props.rankingChart) : <p class="muted">本月还没有派出的工单。</p>}
      </div>
      <div class="panel">
        <table data-testid="ranking">
          <thead>
            <tr>
              <th>名次</th>
              <th>承办单位</th>
              <th>工单</th>
              <th>签收及时率</th>
              <th>按时办结率</th>
              <th>办结率</th>
              <th>满意率</th>
              <th>重办</th>
              <th>督办文书</th>
              <th>综合得分</th>
            </tr>
          </thead>
          <tbody>
            {props.ranking.map((r, i) => (
              <tr>
                <td>{places[i]}</td>
                <td>{r.name}</td>
                <FigureCells r={r} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {props.regions ? (
        <>
          <h2>
            {props.regions.name}各地区排名（{props.month}）
          </h2>
          <div class="panel chart" data-testid="region-chart">
            {raw(props.regions.chart)}
          </div>
          <div class="panel">
            <table data-testid="region-ranking">
              <thead>
                <tr>
                  <th>名次</th>
                  <th>地区</th>
                  <th>工单</th>
                  <th>签收及时率</th>
                  <th>按时办结率</th>
                  <th>办结率</th>
                  <th>满意率</th>
                  <th>重办</th>
                  <th>三单一函</th>
                  <th>综合得分</th>
                  {props.canExport ? <th>台账</th> : null}
                </tr>
              </thead>
              <tbody>
                {props.regions.rows.map((r, i) => (
                  <tr>
                    <td>{regionPlaces[i]}</td>
                    <td>{r.name}</td>
                    <FigureCells r={r} />
                    {props.canExport ? (
                      <td>
                        <a href={`/console/ledger?month=${props.month}&format=xlsx&region=${r.departmentId}`}>Excel</a>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      <SurveyPanel results={props.survey ?? null} month={props.month} />
      <h2>受理与办结趋势</h2>
      <div class="panel chart" data-testid="trend-chart">
        {raw(props.trendChart)}
      </div>
    </Page>
  );
}
