import { COMMAND_SPECS, type CommandName } from './commands';
import { formatChinaDateTime } from './china-time';
import { PHASE_NAMES, STEP_NAMES, type DeadlinePhase, type EscalationStep } from './escalation';
import { maskedExcerpt } from './mask';
import { withoutContactDetails } from './contact-details';
import { rankPlaces, type DepartmentFigures } from './report';
import { ROLE_COMMANDS, ROLE_NAMES, type Role } from './roles';
import { STATUS_NAMES, type TicketStatus } from './ticket';
import { CATEGORY_NAMES, ISSUE_TYPE_NAMES, URGENCY_NAMES, type Category, type IssueType, type Urgency } from './taxonomy';

// Every text the bot says, in one place. Rule: ticket number first, short, plain Simplified Chinese.

export interface TicketView {
  number: string;
  /** The day's sequence, as /命令 短号 takes it; a token while a batch has yet to number the ticket (repo/ticket-numbers.ts). */
  seq: number | string;
  status: TicketStatus;
  type: IssueType;
  category: Category;
  urgency: Urgency;
  content: string;
  /** Posted 隐去联系方式: a private or report-page report published with the enterprise's consent. */
  withoutContact?: boolean;
  departmentName: string | null;
  assigneeName: string | null;
  coDepartmentNames: string[];
  supervised: boolean;
  signDueAt: Date | null;
  resolveDueAt: Date | null;
  resolution: string | null;
  rating: number | null;
}

export const RATING_SCALE = '5 非常满意｜4 满意｜3 基本满意｜2 不满意｜1 非常不满意';

const excerpt = (s: string, max = 120) => maskedExcerpt(s, max);
/** The report as a post shows it: masked, and without any contact detail once published (/公开). */
export const postedContent = (t: Pick<TicketView, 'content' | 'withoutContact'>, max = 120) => excerpt(t.withoutContact ? withoutContactDetails(t.content) : t.content, max);
const kindLine = (t: TicketView) =>
  `${CATEGORY_NAMES[t.category]}·${ISSUE_TYPE_NAMES[t.type]}${t.urgency === 'urgent' ? `·${URGENCY_NAMES.urgent}` : ''}`;
const due = (d: Date | null) => (d ? formatChinaDateTime(d) : null);

export interface EscalationView {
  step: EscalationStep;
  number: string;
  phase: DeadlinePhase;
  dueAt: Date;
  departmentName: string | null;
}

export interface DailyDigest {
  groupName: string;
  date: string;
  received: number;
  claimed: number;
  resolved: number;
  overdue: Array<{ number: string; departmentName: string; workdaysOver: number }>;
  awaitingRating: number;
  best: { name: string; resolvedOnTime: number } | null;
  worst: { name: string; overdue: number } | null;
}

export type RankingRow = DepartmentFigures & { name: string };

const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 1000) / 10}%`);

export const templates = {
  accepted(t: TicketView): string {
    const to = t.departmentName ? `已派 ${t.departmentName} 办理` : '正在由营商办分派承办单位';
    return `${t.number} 已受理（${kindLine(t)}），${to}。查询进度请发送 /进度 ${t.seq}`;
  },
  acceptedPrivate(t: TicketView): string {
    return `${templates.accepted(t)}\n该诉求不会在群内公开；如同意在群内通报（隐去联系方式），请回复 /公开 ${t.number}`;
  },
  published(t: TicketView, groupName: string): string {
    return `${t.number} 已按您的意愿在“${groupName}”通报（联系方式不公开）。`;
  },
  publishNoGroup(t: TicketView): string {
    return `${t.number} 暂时无法公开：没有找到您所在的共治群。请在群里@我发送 /公开 ${t.number}`;
  },
  dispatchNotice(t: TicketView): string {
    const lines = [`${t.number}【派单】${t.departmentName}`, `诉求：${postedContent(t)}`, `类别：${kindLine(t)}`];
    const sign = due(t.signDueAt);
    const resolve = due(t.resolveDueAt);
    if (sign) lines.push(`请于 ${sign} 前签收${resolve ? `，${resolve} 前办结` : ''}`);
    lines.push(`签收：/认领 ${t.seq}　退回：/退回 ${t.seq} 理由`);
    return lines.join('\n');
  },
  manualQueueNotice(t: TicketView): string {
    return [
      `${t.number}【待分派】`,
      `诉求：${postedContent(t)}`,
      `初判：${kindLine(t)}（把握不大）`,
      `请营商办分派：/派单 ${t.seq} 部门`,
    ].join('\n');
  },
  kbAnswer(t: TicketView, answer: string, source: string | undefined): string {
    return [
      `${t.number} 这个问题可以这样办：`,
      answer,
      ...(source ? [`（依据：${source}）`] : []),
      `已解决请回复 /评价 ${t.seq} 5；没解决请回复 /评价 ${t.seq} 2，我们转${t.departmentName ?? '承办单位'}人工办理。`,
    ].join('\n');
  },
  infoRequested(t: TicketView, question: string): string {
    return `${t.number}【请补充材料】${t.departmentName}：${excerpt(question, 200)}\n请提出诉求的企业回复：/补充 ${t.seq} 内容。补充期间办理时限暂停。`;
  },
  infoSupplied(t: TicketView, text: string): string {
    return `${t.number} 企业已补充：${excerpt(text, 200)}\n办理时限恢复，新的办结时限：${due(t.resolveDueAt) ?? '—'}`;
  },
  recategorized(t: TicketView): string {
    return `${t.number} 类别已更正为：${kindLine(t)}`;
  },
  claimed(t: TicketView): string {
    return `${t.number} 已由 ${t.departmentName}·${t.assigneeName} 签收，正在办理。`;
  },
  alreadyClaimed(t: TicketView): string {
    return `${t.number} 已由 ${t.assigneeName ?? '他人'} 签收，无需重复认领。`;
  },
  reassigned(t: TicketView, fromName: string | null, reason: string): string {
    return `${t.number}【转派】${fromName ?? '—'} → ${t.departmentName}${reason ? `（${excerpt(reason, 200)}）` : ''}\n请 ${t.departmentName} 签收：/认领 ${t.seq}`;
  },
  escalatedLevel(t: TicketView, fromName: string | null): string {
    return `${t.number}【提级办理】${fromName ?? '—'} → ${t.departmentName}\n请 ${t.departmentName} 签收：/认领 ${t.seq}`;
  },
  returned(t: TicketView, reason: string): string {
    return `${t.number}【退单】${t.departmentName} 退回：${excerpt(reason, 200)}\n请营商办重新分派：/派单 ${t.seq} 部门`;
  },
  coHandling(t: TicketView, added: string[]): string {
    return `${t.number}【协同办理】主办：${t.departmentName}；协办：${added.join('、')}`;
  },
  resolved(t: TicketView): string {
    return [
      `${t.number}【办结】${t.departmentName}`,
      `办理结果：${excerpt(t.resolution ?? '', 300)}`,
      `请提出诉求的企业评价：/评价 ${t.seq} 分数 [意见]`,
      RATING_SCALE,
    ].join('\n');
  },
  resolutionSubmitted(t: TicketView): string {
    return `${t.number}【挂牌督办】${t.departmentName} 已提交办结，待营商办确认：/确认办结 ${t.seq}`;
  },
  rated(t: TicketView): string {
    return `${t.number} 已评价 ${t.rating} 分，工单关闭。感谢您的反馈！`;
  },
  reopenedUnsatisfied(t: TicketView): string {
    return `${t.number}【挂牌督办】企业评价 ${t.rating} 分（不满意），工单退回 ${t.departmentName} 重新办理，办结须经营商办确认。\n签收：/认领 ${t.seq}`;
  },
  reopened(t: TicketView, reason: string): string {
    return `${t.number}【重办】${excerpt(reason, 200)}\n请 ${t.departmentName} 签收：/认领 ${t.seq}`;
  },
  closed(t: TicketView, reason: string): string {
    return `${t.number} 已关闭：${excerpt(reason, 200)}`;
  },
  merged(t: TicketView, intoNumber: string): string {
    return `${t.number} 与 ${intoNumber} 为同一问题，已合并，请关注 ${intoNumber} 的进度。`;
  },
  seconded(t: TicketView): string {
    return `${t.number} 已记录您的附议，办理进度会同步告知。`;
  },
  duplicateAttached(t: TicketView): string {
    return `${t.number} 群内已有相同诉求正在办理，已把您登记为附议企业，办理进度会同步告知。`;
  },
  extensionRequested(t: TicketView, days: number, reason: string): string {
    return `${t.number}【延期申请】${t.departmentName} 申请延期 ${days} 个工作日：${excerpt(reason, 200)}\n营商办批准：/批准延期 ${t.seq}`;
  },
  extensionApproved(t: TicketView): string {
    return `${t.number} 延期已批准，新的办结时限：${due(t.resolveDueAt) ?? '—'}`;
  },
  status(t: TicketView): string {
    const lines = [`${t.number}｜${STATUS_NAMES[t.status]}${t.supervised ? '｜挂牌督办' : ''}`, `类别：${kindLine(t)}`];
    if (t.departmentName) lines.push(`承办：${t.departmentName}${t.assigneeName ? `·${t.assigneeName}` : ''}`);
    if (t.coDepartmentNames.length) lines.push(`协办：${t.coDepartmentNames.join('、')}`);
    const resolveDue = due(t.resolveDueAt);
    if (resolveDue && ['dispatched', 'claimed'].includes(t.status)) lines.push(`办结时限：${resolveDue}`);
    if (t.resolution && ['resolved', 'closed', 'awaiting_confirmation'].includes(t.status)) lines.push(`办理结果：${excerpt(t.resolution, 200)}`);
    if (t.rating) lines.push(`评价：${t.rating} 分`);
    return lines.join('\n');
  },
  list(title: string, items: TicketView[]): string {
    if (items.length === 0) return `${title}：暂无`;
    const shown = items.slice(0, 10).map((t) => `${t.number}｜${STATUS_NAMES[t.status]}｜${postedContent(t, 24)}`);
    return [`${title}（${items.length}）`, ...shown, ...(items.length > 10 ? [`……另有 ${items.length - 10} 件，请到控制台查看`] : [])].join('\n');
  },
  /** `where`: in a one-to-one chat nobody needs to @ the bot, and the help must not tell them to. */
  help(role: Role, where: 'group' | 'direct' = 'group'): string {
    const allowed = new Set<CommandName>(ROLE_COMMANDS[role]);
    const lines = COMMAND_SPECS.filter((s) => allowed.has(s.name)).map((s) => `${s.usage}（/${s.en[0]}）— ${s.summary}`);
    const intro = role !== 'enterprise' ? `您的身份：${ROLE_NAMES[role]}。` : where === 'direct' ? '直接发消息描述遇到的问题即可反映诉求（不需要 @我）。' : '直接 @我 描述遇到的问题即可反映诉求。';
    return [intro, '工单号可写完整编号或短号（如 7），也可引用机器人关于该工单的消息。', ...lines].join('\n');
  },
  welcome(botName: string): string {
    // Said when someone opens the one-to-one chat: here a plain message is enough (in a group, @ the bot).
    return `您好，我是${botName}。企业遇到审批、用电、账款、检查等问题，直接发消息说明情况即可（在群里请 @我），我会登记工单并转交承办单位，全程可查。发送 /帮助 查看命令。`;
  },
  greetingHint(): string {
    return '您好！有问题请直接描述，例如“厂房用电报装一个月了还没接通”。发送 /帮助 查看命令。';
  },
  directChatterHint(lang: 'zh' | 'en' = 'zh'): string {
    if (lang === 'en') return 'I could not find a request in your message. Please describe the problem (what happened, which office, where it is stuck) and I will open a ticket. Send /help for the commands.';
    return '没有识别到具体诉求。请说明遇到的问题（什么事、在哪个部门、卡在哪一步），我会登记工单。发送 /帮助 查看命令。';
  },
  unknownCommand(word: string, suggestion: string | null): string {
    return `不认识命令 /${word}。${suggestion ? `您是不是要用 ${suggestion}？` : ''}发送 /帮助 查看可用命令。`;
  },
  answeredPrivately(): string {
    return '回复已私信发给您。';
  },
  refused(reason: string): string {
    return `无法执行：${reason}`;
  },
  ticketNotFound(ref: string): string {
    return `没有找到工单 ${ref}，请核对工单号（可发送 /我的 或 /待办 查看）。`;
  },
  /** A short number several tickets the sender may act on share (one per day): the full numbers to choose from. */
  ambiguousShortRef(seq: number, candidates: Array<{ number: string; status: string }>, usage: string): string {
    const list = candidates.map((c) => `${c.number}（${c.status}）`).join('、');
    return `短号 ${seq} 对应多张工单：${list}。请改用完整工单号，用法：${usage}`;
  },
  needTicketRef(usage: string): string {
    return `请写明工单号，或引用机器人关于该工单的消息。用法：${usage}`;
  },
  escalation(t: TicketView, e: EscalationView): string {
    const deadline = `${PHASE_NAMES[e.phase]}时限 ${formatChinaDateTime(e.dueAt)}`;
    const lines: Record<EscalationStep, string> = {
      reminder: `${deadline}即将到期，请抓紧${PHASE_NAMES[e.phase]}。`,
      urging: `已超过${deadline}，请立即办理并回复进度。`,
      supervision: `超期未${PHASE_NAMES[e.phase]}，列入督办，请于 1 个工作日内书面说明原因并办结。`,
      transfer: `超期未${PHASE_NAMES[e.phase]}，经督办仍未办理，移交纪检监察机关。`,
    };
    return [`${t.number}【${STEP_NAMES[e.step]} ${e.number}】${e.departmentName ?? '—'}`, lines[e.step], `诉求：${postedContent(t, 60)}`].join('\n');
  },
  closedNoAnswer(t: TicketView): string {
    return `${t.number} 办结后超过评价期限未评价，按“未评价”归档。如问题仍未解决，请重新反映。`;
  },
  dailyDigest(d: DailyDigest): string {
    const lines = [
      `【每日调度】${d.groupName} ${d.date}`,
      `新受理 ${d.received}｜签收 ${d.claimed}｜办结 ${d.resolved}｜超期 ${d.overdue.length}｜待评价 ${d.awaitingRating}`,
    ];
    if (d.overdue.length) {
      lines.push('超期工单：');
      for (const o of d.overdue.slice(0, 15)) lines.push(`${o.number}｜${o.departmentName}｜超期 ${o.workdaysOver} 个工作日`);
      if (d.overdue.length > 15) lines.push(`……另有 ${d.overdue.length - 15} 件`);
    }
    if (d.best) lines.push(`今日办结最快：${d.best.name}（按时办结 ${d.best.resolvedOnTime} 件）`);
    if (d.worst) lines.push(`超期最多：${d.worst.name}（${d.worst.overdue} 件）`);
    return lines.join('\n');
  },
  ranking(title: string, rows: RankingRow[]): string {
    if (rows.length === 0) return `【${title}】本期无工单。`;
    const places = rankPlaces(rows);
    return [
      `【${title}】承办单位排名（签收及时率｜按时办结率｜办结率｜满意率）`,
      ...rows.map(
        (r, i) =>
          `${places[i]}. ${r.name}：${r.tickets} 件｜${pct(r.responseRate)}｜${pct(r.onTimeRate)}｜${pct(r.resolutionRate)}｜${pct(r.satisfactionRate)}${r.reopened ? `｜重办 ${r.reopened}` : ''}${r.escalations ? `｜督办文书 ${r.escalations}` : ''}`,
      ),
    ].join('\n');
  },
  unknownDepartment(name: string, suggestions: string[] = []): string {
    return suggestions.length
      ? `没有找到部门“${name}”。您是不是指：${suggestions.join('、')}？`
      : `没有找到部门“${name}”，请写部门全称或简称（如 住建局）。`;
  },
};
