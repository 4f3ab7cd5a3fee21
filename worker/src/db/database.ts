import type { Kysely, Transaction } from 'kysely';
import type * as C from './schema/collection';
import type * as D from './schema/detection';
import type * as N from './schema/nudge';

/** The typed view of the schema in sql/. Keep in step with the migrations. */
export interface Database {
  members: C.MembersTable;
  member_spend: C.MemberSpendTable;
  daily_usage: C.DailyUsageTable;
  usage_events: C.UsageEventsTable;
  user_daily_rollup: C.UserDailyRollupTable;
  user_model_daily_rollup: C.UserModelDailyRollupTable;
  user_model_monthly_rollup: C.UserModelMonthlyRollupTable;
  model_daily_rollup: C.ModelDailyRollupTable;
  hourly_rollup: C.HourlyRollupTable;
  rollup_pending: C.RollupPendingTable;
  rollup_fresh_days: C.RollupFreshDaysTable;
  billing_groups: C.BillingGroupsTable;
  billing_group_members: C.BillingGroupMembersTable;
  billing_group_daily_spend: C.BillingGroupDailySpendTable;
  analytics_dau: C.AnalyticsDauTable;
  analytics_model_usage: C.AnalyticsModelUsageTable;
  collection_runs: C.CollectionRunsTable;
  collection_watermarks: C.CollectionWatermarksTable;
  audit_logs: C.AuditLogsTable;
  quarantined_events: C.QuarantinedEventsTable;
  settings: D.SettingsTable;
  settings_audit: D.SettingsAuditTable;
  incidents: D.IncidentsTable;
  incident_events: D.IncidentEventsTable;
  anomalies: D.AnomaliesTable;
  detection_days: D.DetectionDaysTable;
  snoozes: D.SnoozesTable;
  notifications: D.NotificationsTable;
  notification_incidents: D.NotificationIncidentsTable;
  nudges: N.NudgesTable;
  nudge_opt_outs: N.NudgeOptOutsTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Repository functions take either the database or a transaction first. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
