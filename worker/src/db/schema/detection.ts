import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp, DayColumn } from './collection';

// The vocabulary is the contract's (one definition for the worker, its API and the plugin).
import type { IncidentStatus, NotificationChannel, ResolutionReason, Severity } from '@cursor-cost-watch/contract';

export type { Severity, IncidentStatus, ResolutionReason };
export type { Scope } from '../../detection/types';
import type { Scope } from '../../detection/types';
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_at: Defaulted<Date>;
  updated_by: Defaulted<string>;
}

export interface SettingsAuditTable {
  id: Generated<number>;
  key: string;
  old_value: ColumnType<unknown, string | null, string | null>;
  new_value: ColumnType<unknown, string, string>;
  changed_by: string;
  changed_at: Defaulted<Date>;
  /** sql/012_identity.sql: whether changed_by was verified, and where it came from. */
  identity_verified: Defaulted<boolean>;
  identity_source: Defaulted<IdentitySource>;
}

/** Where a recorded actor came from (sql/012_identity.sql). */
export type IdentitySource = 'grafana-id-token' | 'x-grafana-context' | 'none';

export interface IncidentsTable {
  id: Generated<number>;
  scope: Scope;
  subject: string;
  detector: string;
  status: IncidentStatus;
  severity: Severity;
  max_severity: Severity;
  onset_at: Timestamp;
  detected_at: Timestamp;
  last_detected_at: Timestamp;
  alerted_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  acknowledged_by: string | null;
  resolved_at: Timestamp | null;
  resolved_by: string | null;
  resolution_reason: ResolutionReason | null;
  resolution_note: string | null;
  observed: number;
  expected: number;
  band_low: number | null;
  band_high: number | null;
  unit: Defaulted<string>;
  impact_cents: Defaulted<number>;
  top_model: string | null;
  why: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  summary: Defaulted<string>;
  normal_days: Defaulted<number>;
  last_evaluated_day: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface IncidentEventsTable {
  id: Generated<number>;
  incident_id: number;
  at: Defaulted<Date>;
  actor: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  details: JSONColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface AnomaliesTable {
  id: Generated<number>;
  as_of: DayColumn;
  scope: Scope;
  subject: string;
  detector: string;
  severity: Severity;
  onset_at: Timestamp;
  observed: number;
  expected: number;
  band_low: number | null;
  band_high: number | null;
  unit: Defaulted<string>;
  impact_cents: Defaulted<number>;
  why: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  incident_id: number | null;
  detected_at: Defaulted<Date>;
}

/** sql/022_detection_days.sql: each day a detection pass evaluated (the detect job catches up the days after the last). */
export interface DetectionDaysTable {
  as_of: DayColumn;
  passes: Defaulted<number>;
  first_pass_at: Defaulted<Date>;
  last_pass_at: Defaulted<Date>;
  owed: ColumnType<number[], number[] | undefined, number[]>;
  caught_up: Defaulted<boolean>;
}

export interface SnoozesTable {
  id: Generated<number>;
  scope: Scope;
  subject: string;
  until: Timestamp;
  reason: string;
  created_by: string;
  created_at: Defaulted<Date>;
}

export interface NotificationsTable {
  id: Generated<number>;
  channel: NotificationChannel;
  kind: 'alert' | 'digest' | 'test';
  incident_ids: Defaulted<number[]>;
  status: 'pending' | 'sent' | 'failed';
  attempts: Defaulted<number>;
  last_error: string | null;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  dedupe_key: string;
  created_at: Defaulted<Date>;
  sent_at: Timestamp | null;
}

export interface NotificationIncidentsTable {
  channel: NotificationChannel;
  incident_id: number;
  severity: Severity;
  notification_id: number;
}
