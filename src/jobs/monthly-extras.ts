import { chinaDate } from '../domain/china-time';
import { regionScope } from '../domain/regions';
import { CATEGORY_NAMES, type Category } from '../domain/taxonomy';
import { jointCaseSummaries } from '../pipeline/joint-cases';
import { listTopicSummaries } from '../repo/topics';
import { topicHandlersText } from './topics';
import type { Period } from '../reports/queries';
import type { Services } from '../services';
import { surveyReportText, surveyResults } from './survey';

const categoryName = (c: string | null) => (c ? (CATEGORY_NAMES[c as Category] ?? c) : '综合');

/**
 * What the monthly 通报 adds after the department ranking: the month's 面上问题 and 协同办
 * cases, and the latest closed satisfaction survey as a figure of its own (survey scores never
 * enter the ticket-rating composite).
 *
 * The text goes to every enterprise group of `regionId`, so it holds only that region's topics,
 * cases and survey figures (the scope of a 营商办 of that region: ticketScope), and it names a
 * topic or case by category, counts and departments only — never by a title, which may quote an
 * enterprise's report. The titles and samples stay in the console and the one-to-one Monday list.
 */
export async function monthlyExtras(services: Services, period: Period, now: Date, regionId: string = services.directory.org.root.id): Promise<string[]> {
  const out: string[] = [];
  const org = services.directory.org;
  const scope = regionScope(regionId, org);
  const names = (id: string) => services.directory.departmentName(id) ?? id;
  const cases = await jointCaseSummaries(services.db, period, names, { scope });
  // The month's topics: those with a member reported in it (most enterprises first).
  const topics = await listTopicSummaries(services.db, { statuses: ['candidate', 'confirmed', 'promoted'], reportedIn: period, limit: 5, scope });
  if (cases.length || topics.length) {
    const lines = ['【会商会办】'];
    for (const c of cases) {
      const state = c.status === 'resolved' ? `已办结 ${c.resolvedAt ? chinaDate(c.resolvedAt) : ''}｜评价 ${c.rated}/${c.tickets}，满意 ${c.satisfied}` : `办理中，时限 ${chinaDate(c.dueAt)}`;
      lines.push(`协同办 ${c.number}：${categoryName(c.category)}类｜${c.lead}牵头${c.co.length ? `，${c.co.join('、')}协办` : ''}｜${c.enterprises} 家企业 ${c.tickets} 件｜${state}`);
    }
    for (const t of topics.filter((t) => t.status !== 'promoted')) {
      lines.push(`面上问题：${categoryName(t.category)}类｜${t.enterprises} 家企业 ${t.tickets} 件${t.groups.length ? `｜${t.groups.length} 个群` : ''}｜${topicHandlersText(t)}`);
    }
    out.push(lines.join('\n'));
  }
  const survey = await surveyResults(services, { closedBy: now, scope });
  if (survey) out.push(surveyReportText(survey));
  return out;
}
