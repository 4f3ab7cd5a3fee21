import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Timestamp } from './collection';

type Defaulted<T> = ColumnType<T, T | undefined, T>;

export type NudgeStatus = 'pending' | 'sent' | 'failed' | 'skipped';
export type NudgeOutcome = 'escalated' | 'fixed_after_nudge' | 'closed';

/** sql/010_nudge.sql: one personal email per incident at most, the outbox its job sends. */
export interface NudgesTable {
  id: Generated<number>;
  incident_id: number;
  email: string;
  status: NudgeStatus;
  skip_reason: string | null;
  attempts: Defaulted<number>;
  last_error: string | null;
  payload: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  evidence: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  escalate_after_days: number;
  created_at: Defaulted<Date>;
  sent_at: Timestamp | null;
  escalated_at: Timestamp | null;
  outcome: NudgeOutcome | null;
  decided_at: Timestamp | null;
}

export interface NudgeOptOutsTable {
  email: string;
  reason: Defaulted<string>;
  created_by: string;
  created_at: Defaulted<Date>;
}
