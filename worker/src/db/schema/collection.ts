import type { ColumnType, Generated } from 'kysely';

/** A timestamp: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A date column ("YYYY-MM-DD"): pg's date parser is set to return the string as is (see db/pool.ts). */
export type DayColumn = ColumnType<string, string, string>;
/** numeric/bigint columns are parsed to JS numbers (see db/pool.ts). */
type Num = ColumnType<number, number | string | undefined, number | string>;

export interface MembersTable {
  email: string;
  cursor_user_id: string | null;
  name: string | null;
  role: ColumnType<string, string | undefined, string>;
  is_removed: ColumnType<boolean, boolean | undefined, boolean>;
  first_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  removed_at: Timestamp | null;
}

export interface MemberSpendTable {
  email: string;
  cycle_start: Timestamp;
  spend_cents: Num;
  overall_spend_cents: Num;
  fast_premium_requests: number | null;
  hard_limit_override_dollars: number | null;
  monthly_limit_dollars: number | null;
  effective_per_user_limit_dollars: number | null;
  collected_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface DailyUsageTable {
  email: string;
  day: DayColumn;
  cursor_user_id: string | null;
  is_active: boolean;
  total_lines_added: number;
  total_lines_deleted: number;
  accepted_lines_added: number;
  accepted_lines_deleted: number;
  total_applies: number;
  total_accepts: number;
  total_rejects: number;
  total_tabs_shown: number;
  total_tabs_accepted: number;
  composer_requests: number;
  chat_requests: number;
  agent_requests: number;
  cmdk_usages: number;
  subscription_included_reqs: number;
  api_key_reqs: number;
  usage_based_reqs: number;
  bugbot_usages: number;
  most_used_model: string | null;
  apply_most_used_extension: string | null;
  tab_most_used_extension: string | null;
  client_version: string | null;
  collected_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface UsageEventsTable {
  event_ts: Timestamp;
  dedupe_key: Buffer;
  day: DayColumn;
  user_email: string;
  model: string;
  kind: string;
  max_mode: boolean;
  requests_costs: Num;
  is_token_based_call: boolean;
  is_chargeable: boolean;
  is_headless: boolean;
  input_tokens: Num;
  output_tokens: Num;
  cache_write_tokens: Num;
  cache_read_tokens: Num;
  token_total_cents: Num;
  discount_percent_off: number | null;
  charged_cents: Num;
  cursor_token_fee: Num;
  conversation_id: string | null;
  service_account_id: string | null;
  service_account_name: string | null;
  cloud_agent_id: string | null;
  automation_id: string | null;
  is_free_bugbot: boolean | null;
  collected_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Shared columns of the two daily rollups. */
export interface RollupMeasures {
  events: Num;
  requests_costs: Num;
  charged_cents: Num;
  token_fee_cents: Num;
  input_tokens: Num;
  output_tokens: Num;
  cache_write_tokens: Num;
  cache_read_tokens: Num;
  max_mode_events: Num;
  headless_events: Num;
  chargeable_events: Num;
  max_mode_cents: Num;
  headless_cents: Num;
}

export interface UserDailyRollupTable extends RollupMeasures {
  user_email: string;
  day: DayColumn;
}

export interface UserModelDailyRollupTable extends RollupMeasures {
  user_email: string;
  day: DayColumn;
  model: string;
}

/** Team-wide per model and day (sql/005_dashboard_rollups.sql), maintained with the other rollups. */
export interface ModelDailyRollupTable extends RollupMeasures {
  day: DayColumn;
  model: string;
}

export interface HourlyRollupTable {
  hour: Timestamp;
  model: string;
  events: Num;
  charged_cents: Num;
  total_tokens: Num;
}

/** What stored pages changed, not yet added to the rollups (sql/017_rollup_pending.sql). */
export interface RollupPendingTable extends RollupMeasures {
  user_email: string;
  day: DayColumn;
  model: string;
  kind: string;
  hour: Timestamp;
}

/** Days whose rollups the next flush sums from their stored events (sql/018_rollup_fresh_days.sql). */
export interface RollupFreshDaysTable {
  day: DayColumn;
}

/**
 * Each developer's sums per calendar month and model, kept by triggers on user_model_daily_rollup
 * (sql/019_monthly_rollups.sql): written by PostgreSQL only, read by the dashboards.
 */
export interface UserModelMonthlyRollupTable {
  user_email: string;
  month: DayColumn;
  model: string;
  /** The month's daily rows: a month is stored exactly when it has some, whatever they sum to. */
  days: number;
  events: Num;
  charged_cents: Num;
}

export interface BillingGroupsTable {
  group_id: string;
  name: string;
  spend_cents: Num;
  billing_cycle: DayColumn | null;
  billing_cycle_end: ColumnType<string | null, string | null | undefined, string | null>;
  raw: ColumnType<unknown, string | null | undefined, string | null>;
  collected_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface BillingGroupMembersTable {
  group_id: string;
  email: string;
}

export interface BillingGroupDailySpendTable {
  group_id: string;
  day: DayColumn;
  spend_cents: Num;
}

export interface AnalyticsDauTable {
  day: DayColumn;
  dau: number;
  collected_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface AnalyticsModelUsageTable {
  day: DayColumn;
  model: string;
  messages: number;
  users: number;
  collected_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type CollectionStatus = 'running' | 'ok' | 'failed';

export interface CollectionRunsTable {
  id: Generated<number>;
  run_id: string;
  endpoint: string;
  trigger: string;
  status: CollectionStatus;
  window_start: Timestamp | null;
  window_end: Timestamp | null;
  pages: ColumnType<number, number | undefined, number>;
  rows_fetched: ColumnType<number, number | undefined, number>;
  rows_new: ColumnType<number, number | undefined, number>;
  rows_updated: ColumnType<number, number | undefined, number>;
  rows_refused: ColumnType<number, number | undefined, number>;
  rate_limited: ColumnType<number, number | undefined, number>;
  retries: ColumnType<number, number | undefined, number>;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: Timestamp | null;
  duration_ms: number | null;
  error: string | null;
  watermark: Timestamp | null;
  /** Schema drift seen in this run (sql/006_schema_drift.sql): DriftEntry[] as JSON. */
  drift: ColumnType<unknown, string | undefined, string>;
}

export interface CollectionWatermarksTable {
  endpoint: string;
  watermark: Timestamp;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** GET /teams/audit-logs (sql/007_audit_logs.sql). */
export interface AuditLogsTable {
  event_id: string;
  event_ts: Timestamp;
  event_type: string;
  category: 'spend_limit' | 'membership' | 'other';
  actor_email: string | null;
  target_email: string | null;
  event_data: ColumnType<unknown, string | null, string | null>;
  collected_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** sql/008_quarantine.sql: events the collector refused, kept raw with the reason. */
export interface QuarantinedEventsTable {
  id: Generated<number>;
  endpoint: string;
  reason: string;
  raw: string;
  raw_hash: string;
  window_start: Timestamp | null;
  window_end: Timestamp | null;
  first_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  times_seen: ColumnType<number, number | undefined, number>;
}
