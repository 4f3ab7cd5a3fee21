import { sql } from 'kysely';
import type { Db, Tx } from '../db/database';
import type { Anomaly } from '../detection/types';
import { advanceNormalDays } from './auto-resolve';
import type { IncidentPolicy } from './policy';
import { anomalyKey, uniqueSorted, validateRecordInput } from './record-input';
import { activeSnoozedSubjects } from './snoozes';
import { belongsToClosedEpisode } from './suppression';
import type { RecordResult } from './types';
import { upsertIncident } from './upsert';

export interface RecordInput {
  asOf: string;
  anomalies: Anomaly[];
  /** When the pass ran; defaults to now. Timestamps on incidents and their timeline use it. */
  evaluatedAt?: Date;
  settings: IncidentPolicy;
}

/**
 * Turns one detection pass into incident changes: opens, updates, escalates, auto-resolves. One pass at a time
 * (a transaction-scoped advisory lock), all or nothing, and re-running the same day changes nothing new.
 */
export async function recordDetections(db: Db, input: RecordInput): Promise<RecordResult> {
  validateRecordInput(input.asOf, input.anomalies);
  const now = input.evaluatedAt ?? new Date();
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('cursorwatch.record_detections'))`.execute(tx);
    return recordInTx(tx, input, now);
  });
}

async function recordInTx(tx: Tx, input: RecordInput, now: Date): Promise<RecordResult> {
  const result: RecordResult = {
    opened: [],
    updated: [],
    escalated: [],
    autoResolved: [],
    snoozed: 0,
    suppressed: 0,
    toNotify: [],
  };
  const snoozed = await activeSnoozedSubjects(tx, now);
  const seenKeys = new Set<string>();
  for (const a of uniqueSorted(input.anomalies)) {
    seenKeys.add(anomalyKey(a));
    if (snoozed.has(`${a.scope}\u0000${a.subject}`)) {
      result.snoozed += 1;
      continue;
    }
    if (await belongsToClosedEpisode(tx, a)) {
      result.suppressed += 1;
      continue;
    }
    const outcome = await upsertIncident(tx, a, now);
    await linkAnomaly(tx, a, outcome.id);
    if (outcome.kind === 'opened') {
      result.opened.push(outcome.id);
      result.toNotify.push(outcome.id);
    } else if (outcome.kind === 'updated') {
      result.updated.push(outcome.id);
      if (outcome.escalated) result.escalated.push(outcome.id);
      if (outcome.escalated || outcome.neverAnnounced) result.toNotify.push(outcome.id);
    }
  }
  result.autoResolved = await advanceNormalDays(tx, {
    asOf: input.asOf,
    seenKeys,
    afterDays: input.settings.autoResolveAfterDays,
    now,
  });
  return result;
}

/** Points the pass's stored anomaly row (if the pass stored one) at its incident. */
async function linkAnomaly(tx: Tx, a: Anomaly, incidentId: number): Promise<void> {
  await tx
    .updateTable('anomalies')
    .set({ incident_id: incidentId })
    .where('as_of', '=', a.asOf)
    .where('scope', '=', a.scope)
    .where('subject', '=', a.subject)
    .where('detector', '=', a.detector)
    .execute();
}
