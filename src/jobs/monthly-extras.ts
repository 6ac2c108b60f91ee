import { chinaDate } from '../domain/china-time';
import { jointCaseSummaries } from '../pipeline/joint-cases';
import { listTopicSummaries } from '../repo/topics';
import type { Period } from '../reports/queries';
import type { Services } from '../services';
import { surveyReportText, surveyResults } from './survey';

/**
 * What the monthly 通报 adds after the department ranking: the month's 面上问题 and 协同办
 * cases, and the latest closed satisfaction survey as a figure of its own (survey scores never
 * enter the ticket-rating composite).
 */
export async function monthlyExtras(services: Services, period: Period, now: Date): Promise<string[]> {
  const out: string[] = [];
  const names = (id: string) => services.directory.departmentName(id) ?? id;
  const cases = await jointCaseSummaries(services.db, period, names);
  const topics = await listTopicSummaries(services.db, { statuses: ['candidate', 'confirmed', 'promoted'], limit: 5 });
  if (cases.length || topics.length) {
    const lines = ['【会商会办】'];
    for (const c of cases) {
      const state = c.status === 'resolved' ? `已办结 ${c.resolvedAt ? chinaDate(c.resolvedAt) : ''}｜评价 ${c.rated}/${c.tickets}，满意 ${c.satisfied}` : `办理中，时限 ${chinaDate(c.dueAt)}`;
      lines.push(`协同办 ${c.number}：${c.title}｜${c.lead}牵头${c.co.length ? `，${c.co.join('、')}协办` : ''}｜${c.enterprises} 家企业 ${c.tickets} 件｜${state}`);
    }
    for (const t of topics.filter((t) => t.status !== 'promoted')) lines.push(`面上问题：${t.title}｜${t.enterprises} 家企业 ${t.tickets} 件｜${t.groups.length} 个群`);
    out.push(lines.join('\n'));
  }
  const survey = await surveyResults(services, { closedBy: now });
  if (survey) out.push(surveyReportText(survey));
  return out;
}
