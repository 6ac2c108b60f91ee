import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { chinaDate } from '../domain/china-time';
import { SCALE_NAMES } from '../domain/survey';
import { submitSurvey, surveyAccess } from '../jobs/survey';
import type { Services } from '../services';
import { Shell } from './pages';

const TOKEN = '{[A-Za-z0-9_-]{20,80}}';

function Message(props: { title: string; text: string }) {
  return (
    <Shell title={props.title}>
      <h1>{props.title}</h1>
      <p>{props.text}</p>
    </Shell>
  );
}

/**
 * /s/<token>: the satisfaction survey for one enterprise, reached from its one-to-one message
 * (s_… link) or, for report-page users, with their ticket link's token. Plain form, no script.
 */
export function createSurveyPage(services: Services): Hono {
  const app = new Hono();
  app.use('/s/*', csrf());
  app.get(`/s/:token${TOKEN}`, async (c) => {
    const access = await surveyAccess(services.db, c.req.param('token'), services.now());
    if (access.kind === 'unknown') return c.html(<Message title="满意度测评" text="链接无效或已被新的提醒替换，请使用最近一条消息里的链接。" />, 404);
    if (access.kind === 'answered') return c.html(<Message title={`${access.title}满意度测评`} text="贵企业已经回答过本期测评，谢谢！" />);
    if (access.kind === 'closed') return c.html(<Message title={`${access.title}满意度测评`} text="本期测评已截止，谢谢关注。" />, 410);
    return c.html(
      <Shell title={`${access.title}满意度测评`}>
        <h1>{access.title}营商环境满意度测评</h1>
        <p>请对办理贵企业诉求的部门打分。回答匿名统计：报表只显示平均分和回收率。{chinaDate(access.closesAt)} 截止。</p>
        <form method="post">
          {access.questions.map((q) => (
            <fieldset>
              <legend>{q.text}</legend>
              {[5, 4, 3, 2, 1].map((n) => (
                <label>
                  <input type="radio" name={q.id} value={String(n)} required />
                  {n} {SCALE_NAMES[n]}
                </label>
              ))}
            </fieldset>
          ))}
          <button type="submit">提交</button>
        </form>
      </Shell>,
    );
  });
  app.post(`/s/:token${TOKEN}`, async (c) => {
    const body = (await c.req.parseBody()) as Record<string, unknown>;
    const r = await submitSurvey(services, c.req.param('token'), body);
    if (!r.ok) return c.html(<Message title="满意度测评" text={r.message} />, r.status);
    return c.html(<Message title="满意度测评" text="已收到，感谢贵企业的评价！" />);
  });
  return app;
}
