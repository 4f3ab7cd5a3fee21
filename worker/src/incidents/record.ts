import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { Anomaly } from '../detection/types';
import { advanceNormalDays } from './auto-resolve';
import type { IncidentPolicy } from './policy';
import { anomalyKey, uniqueSorted, validateRecordInput } from './record-input';
import { activeSnoozedSubjects } from './snoozes';
import { closedEpisodes } from './suppression';
import type { RecordResult } from './types';
import { closeSteppedOver } from './team-steps';
import { upsertIncidents } from './upsert';

export interface RecordInput {
  asOf: string;
  anomalies: Anomaly[];
  /** When the pass ran; defaults to now. Timestamps on incidents and their timeline use it. */
  evaluatedAt?: Date;
  settings: IncidentPolicy;
  /** Runs last in the pass's transaction: what must commit with its incidents (the pass marks its day evaluated). */
  alsoInTransaction?: (tx: Tx, result: RecordResult) => Promise<void>;
}

/**
 * Turns one detection pass into incident changes: opens, updates, escalates, auto-resolves. One pass at a time
 * (a transaction-scoped advisory lock), all or nothing, and re-running the same day changes nothing new. A pass is a
 * handful of set-based statements however many anomalies it found (not a few per anomaly), with the same rows,
 * timeline entries and ids as taking the anomalies one by one in key order.
 */
export async function recordDetections(db: Db, input: RecordInput): Promise<RecordResult> {
  validateRecordInput(input.asOf, input.anomalies);
  const now = input.evaluatedAt ?? new Date();
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('cursorwatch.record_detections'))`.execute(tx);
    const result = await recordInTx(tx, input, now);
    await input.alsoInTransaction?.(tx, result);
    return result;
  });
}

async function recordInTx(tx: Tx, input: RecordInput, now: Date): Promise<RecordResult> {
  const result: RecordResult = {
    opened: [],
    updated: [],
    escalated: [],
    autoResolved: [],
    reopened: [],
    renamed: [],
    snoozed: 0,
    suppressed: 0,
    toNotify: [],
  };
  const snoozed = await activeSnoozedSubjects(tx, now);
  const anomalies = uniqueSorted(input.anomalies);
  const seenKeys = new Set(anomalies.map(anomalyKey));
  const awake = anomalies.filter((a) => !snoozed.has(`${a.scope}\u0000${a.subject}`));
  result.snoozed = anomalies.length - awake.length;
  const closed = await closedEpisodes(tx, awake, input.settings.autoResolveAfterDays);
  result.suppressed = closed.size;
  const live = awake.filter((_, i) => !closed.has(i));
  const steppedOver = await closeSteppedOver(tx, live, now);
  const outcomes = await upsertIncidents(tx, live, now, input.settings, anomalies);
  await linkAnomalies(
    tx,
    input.asOf,
    live,
    outcomes.map((o) => o.id),
  );
  for (const outcome of outcomes) {
    if (outcome.kind === 'opened') {
      result.opened.push(outcome.id);
      result.toNotify.push(outcome.id);
    } else if (outcome.kind === 'updated') {
      result.updated.push(outcome.id);
      if (outcome.reopened) result.reopened.push(outcome.id);
      if (outcome.renamed) result.renamed.push(outcome.id);
      if (outcome.escalated) result.escalated.push(outcome.id);
      if (outcome.escalated || outcome.neverAnnounced) result.toNotify.push(outcome.id);
    }
  }
  result.autoResolved = [
    ...steppedOver,
    ...(await advanceNormalDays(tx, {
      asOf: input.asOf,
      seenKeys,
      afterDays: input.settings.autoResolveAfterDays,
      now,
    })),
  ];
  return result;
}

/** Points the pass's stored anomaly rows (those the pass stored) at their incidents, in one statement. */
async function linkAnomalies(tx: Tx, asOf: string, anomalies: Anomaly[], incidentIds: number[]): Promise<void> {
  if (anomalies.length === 0) return;
  await sql`
    UPDATE anomalies a SET incident_id = v.incident_id
    FROM unnest(${anomalies.map((x) => x.scope)}::text[], ${anomalies.map((x) => x.subject)}::text[],
      ${anomalies.map((x) => x.detector)}::text[], ${incidentIds}::bigint[]) AS v(scope, subject, detector, incident_id)
    WHERE a.as_of = ${asOf}::date AND a.scope = v.scope AND a.subject = v.subject AND a.detector = v.detector`.execute(
    tx,
  );
}
