import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb is written as a JSON string (pg would turn a JS array into a Postgres array) and read parsed. */
type Json<T> = ColumnType<T, string, string>;
type JsonDefault<T> = ColumnType<T, string | undefined, string>;

export interface DepartmentsTable {
  id: string;
  name: string;
  aliases: JsonDefault<string[]>;
  parent_id: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface GroupsTable {
  id: string;
  platform: string;
  chat_id: string;
  name: string;
  region: string | null;
  outbound: ColumnType<unknown, string | null, string | null>;
  configured: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface StaffTable {
  id: string;
  name: string;
  department_id: string | null;
  role: string;
  phone: string | null;
  active: ColumnType<boolean, boolean | undefined, boolean>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface StaffAccountsTable {
  platform: string;
  user_id: string;
  staff_id: string;
}

export interface RequestersTable {
  id: Generated<number>;
  platform: string;
  user_id: string;
  name: string | null;
  enterprise: string | null;
  phone: string | null;
  created_at: CreatedAt;
}

export interface TicketCountersTable {
  day: string;
  last_seq: number;
}

export interface TicketsTable {
  id: Generated<number>;
  number: string;
  day: string;
  seq: number;
  status: string;
  type: string;
  category: string;
  urgency: string;
  confidence: number;
  content: string;
  group_id: string | null;
  origin_platform: string;
  origin_chat_id: string;
  origin_chat_type: string;
  requester_id: number;
  department_id: string | null;
  assignee_id: string | null;
  co_department_ids: JsonDefault<string[]>;
  supervised: ColumnType<boolean, boolean | undefined, boolean>;
  needs_confirmation: ColumnType<boolean, boolean | undefined, boolean>;
  reopen_count: ColumnType<number, number | undefined, number>;
  rating: number | null;
  resolution: string | null;
  close_reason: string | null;
  merged_into_id: number | null;
  received_at: Timestamp;
  dispatched_at: Timestamp | null;
  claimed_at: Timestamp | null;
  resolved_at: Timestamp | null;
  closed_at: Timestamp | null;
  sign_due_at: Timestamp | null;
  resolve_due_at: Timestamp | null;
  updated_at: Timestamp;
  version: ColumnType<number, number | undefined, number>;
  kb_entry: ColumnType<string | null, string | null | undefined, string | null>;
  paused_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  is_private: ColumnType<boolean, boolean | undefined, boolean>;
  reporter_name: ColumnType<string | null, string | null | undefined, string | null>;
  reporter_enterprise: ColumnType<string | null, string | null | undefined, string | null>;
  paused_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** The region the ticket came from (its group's, else its first department's); null: the top region. */
  region_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TicketSupportersTable {
  ticket_id: number;
  requester_id: number;
  created_at: CreatedAt;
}

export interface TicketEventsTable {
  id: Generated<number>;
  ticket_id: number;
  kind: string;
  from_status: string | null;
  to_status: string | null;
  actor_kind: string;
  actor_id: string;
  actor_name: string;
  data: Json<Record<string, unknown>>;
  at: Timestamp;
  /** Place in the one audit chain (src/audit/canonical.ts); written by appendEvents under the head lock. */
  seq: number | null;
  hash: string | null;
}

export interface AuditChainHeadTable {
  id: number;
  seq: number;
  last_event_id: number;
  hash: string;
}

export interface AuditCheckpointsTable {
  /** China date YYYY-MM-DD: the head as it stood at the end of that day. */
  date: string;
  seq: number;
  last_event_id: number;
  hash: string;
  created_at: Timestamp;
}

export interface RuntimeSwitchesTable {
  id: number;
  webhooks: boolean;
}

export interface InboundMessagesTable {
  id: Generated<number>;
  platform: string;
  message_id: string;
  chat_id: string;
  chat_type: string;
  sender_id: string;
  sender_name: string | null;
  text: string;
  outcome: string;
  ticket_id: number | null;
  received_at: Timestamp;
  payload: ColumnType<unknown, string | null | undefined, string | null>;
}

export interface OutboxTable {
  id: Generated<number>;
  platform: string;
  kind: string;
  target: Json<unknown>;
  payload: Json<unknown>;
  ticket_id: number | null;
  group_id: string | null;
  status: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: Timestamp | null;
  destination: ColumnType<string | null, string | null | undefined, string | null>;
  coalesced_into: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface TicketCardsTable {
  id: Generated<number>;
  ticket_id: number;
  platform: string;
  chat_id: string;
  card_ref: string;
  last_params: Json<Record<string, string>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PlatformTokensTable {
  key: string;
  value: string | null;
  expires_at: Timestamp | null;
  refreshing_until: Timestamp | null;
}

export interface EscalationDocumentsTable {
  id: Generated<number>;
  number: string;
  ticket_id: number;
  round: number;
  phase: string;
  step: string;
  department_id: string | null;
  reason: string;
  due_at: Timestamp;
  issued_at: Timestamp;
  /** Its ticket's receipt time, kept by a trigger (the rankings count documents by it). */
  ticket_received_at: ColumnType<Date | null, never, never>;
}

/** Ranking counts per China day (of receipt) and department (migration 2026-12-03-20, src/reports/counts.ts). */
export interface ReportDayCountsTable {
  day: string;
  department_id: string;
  tickets: number;
  dispatched: number;
  signed_on_time: number;
  resolved: number;
  on_time: number;
  rated: number;
  satisfied: number;
  reopened: number;
  escalations: number;
}

/** Days whose stored counts may be stale; written by triggers in the changing transaction. */
export interface ReportDirtyDaysTable {
  id: Generated<string>;
  day: string;
}

export interface ReportRollupStateTable {
  id: number;
  refreshed_at: Timestamp | null;
}

/** A department's responsibility as it stood when a ticket left it (trigger on tickets). */
export interface TicketHandoversTable {
  id: Generated<number>;
  ticket_id: number;
  from_department_id: string;
  to_department_id: string | null;
  from_dispatched_at: Timestamp | null;
  from_sign_due_at: Timestamp | null;
  from_claimed_at: Timestamp | null;
  handed_at: Timestamp;
  /** 提级办 (set by the escalated_level event of the same move). */
  lifted: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface ScheduledRunsTable {
  key: string;
  ran_at: Timestamp;
}

export interface LabelledExamplesTable {
  id: Generated<number>;
  text: string;
  is_issue: boolean;
  category: string | null;
  type: string | null;
  source: string;
  ticket_id: number | null;
  actor_id: string;
  created_at: Timestamp;
}

export interface CallbackSignaturesTable {
  key: string;
  message_id: string;
  expires_at: Timestamp;
}

export interface ApiTokensTable {
  id: Generated<number>;
  token_hash: string;
  staff_id: string;
  name: string;
  created_at: Timestamp;
  revoked_at: Timestamp | null;
  expires_at: Timestamp;
}

export interface ConsoleAccountsTable {
  staff_id: string;
  password_hash: string;
  password_changed_at: Timestamp;
  created_at: Timestamp;
  disabled_at: Timestamp | null;
}

export interface TicketLinksTable {
  token_hash: string;
  ticket_id: number;
  requester_id: number;
  created_at: Timestamp;
}

export interface AttachmentsTable {
  id: Generated<number>;
  /** Null while a chat photo sent alone waits for its sender's next report (see src/pipeline/attachments.ts). */
  ticket_id: number | null;
  requester_id: number;
  /** `platform:chatId` of a waiting chat photo. */
  origin_chat: ColumnType<string | null, string | null | undefined, string | null>;
  content_type: string;
  bytes: number;
  sha256: string;
  data: Uint8Array;
  created_at: Timestamp;
}

export interface RateLimitsTable {
  key: string;
  window_start: Timestamp;
  count: number;
}

export interface WebhookEndpointsTable {
  id: string;
  url: string;
  events: ColumnType<string[] | null, string | null, string | null>;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: string;
  event_id: number;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  delivered_at: Timestamp | null;
  dead_at: Timestamp | null;
  last_error: string | null;
}

export interface TopicsTable {
  id: Generated<number>;
  status: ColumnType<string, string | undefined, string>;
  category: string;
  title: string;
  terms: JsonDefault<string[]>;
  first_at: Timestamp;
  last_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  decided_by: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface TopicTicketsTable {
  ticket_id: number;
  topic_id: number;
  pinned: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface TopicRefreshesTable {
  id: number;
  ran_at: Timestamp;
  watermark: string;
  tickets: number;
  topics: number;
  millis: number;
}

export interface JointCasesTable {
  id: Generated<number>;
  number: string;
  topic_id: number | null;
  title: string;
  lead_department_id: string;
  co_department_ids: JsonDefault<string[]>;
  status: ColumnType<string, string | undefined, string>;
  due_at: Timestamp;
  result: string | null;
  created_by: string;
  created_at: Timestamp;
  resolved_by: string | null;
  resolved_at: Timestamp | null;
}

export interface JointCaseTicketsTable {
  ticket_id: number;
  case_id: number;
}

export interface SurveyCampaignsTable {
  id: Generated<number>;
  key: string;
  title: string;
  period_from: Timestamp;
  period_to: Timestamp;
  questions: Json<Array<{ id: string; text: string }>>;
  opened_at: Timestamp;
  remind_at: Timestamp;
  closes_at: Timestamp;
  reminded: ColumnType<boolean, boolean | undefined, boolean>;
  closed: ColumnType<boolean, boolean | undefined, boolean>;
  /** survey.minAnswers when the campaign opened (null: opened before it was kept). */
  min_answers: ColumnType<number | null, number | null | undefined, number | null>;
}

export interface SurveyInvitationsTable {
  id: Generated<number>;
  campaign_id: number;
  requester_id: number;
  token_hash: string;
  department_ids: Json<string[]>;
  regions: Json<string[]>;
  channel: string;
  answered: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface SurveyResponsesTable {
  id: Generated<number>;
  campaign_id: number;
  department_ids: Json<string[]>;
  regions: Json<string[]>;
  scores: Json<Record<string, number>>;
}

export interface Database {
  topics: TopicsTable;
  topic_tickets: TopicTicketsTable;
  topic_refreshes: TopicRefreshesTable;
  joint_cases: JointCasesTable;
  joint_case_tickets: JointCaseTicketsTable;
  survey_campaigns: SurveyCampaignsTable;
  survey_invitations: SurveyInvitationsTable;
  survey_responses: SurveyResponsesTable;
  api_tokens: ApiTokensTable;
  callback_signatures: CallbackSignaturesTable;
  console_accounts: ConsoleAccountsTable;
  rate_limits: RateLimitsTable;
  ticket_links: TicketLinksTable;
  attachments: AttachmentsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  labelled_examples: LabelledExamplesTable;
  escalation_documents: EscalationDocumentsTable;
  report_day_counts: ReportDayCountsTable;
  report_dirty_days: ReportDirtyDaysTable;
  report_rollup_state: ReportRollupStateTable;
  ticket_handovers: TicketHandoversTable;
  scheduled_runs: ScheduledRunsTable;
  departments: DepartmentsTable;
  groups: GroupsTable;
  staff: StaffTable;
  staff_accounts: StaffAccountsTable;
  requesters: RequestersTable;
  ticket_counters: TicketCountersTable;
  tickets: TicketsTable;
  ticket_supporters: TicketSupportersTable;
  ticket_events: TicketEventsTable;
  audit_chain_head: AuditChainHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  runtime_switches: RuntimeSwitchesTable;
  inbound_messages: InboundMessagesTable;
  outbox: OutboxTable;
  ticket_cards: TicketCardsTable;
  platform_tokens: PlatformTokensTable;
}

export type TicketRow = Selectable<TicketsTable>;
export type NewTicket = Insertable<TicketsTable>;
export type TicketUpdate = Updateable<TicketsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type TicketEventRow = Selectable<TicketEventsTable>;
