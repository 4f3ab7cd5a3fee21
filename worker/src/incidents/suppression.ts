import { sql } from 'kysely';
import type { Tx } from '../db/database';
import { SPIKE_NAMES, type Anomaly } from '../detection/types';

/**
 * The anomalies (by index) that belong to an episode already closed: a person resolved the incident after the
 * excess began (same onset, same episode: do not reopen what they judged; a spike and the lasting rise read from its
 * day are one episode), or a pass for an older day is replayed after the incident resolved itself on a later day.
 * One statement for the whole pass.
 */
export async function closedEpisodes(tx: Tx, anomalies: Anomaly[]): Promise<Set<number>> {
  if (anomalies.length === 0) return new Set();
  const keys = anomalies.map((a, i) => ({
    i,
    scope: a.scope,
    subject: a.subject,
    detector: a.detector,
    as_of: a.asOf,
    onset_at: a.onsetAt,
  }));
  const { rows } = await sql<{ i: number }>`
    SELECT k.i FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
      AS k(i int, scope text, subject text, detector text, as_of date, onset_at timestamptz)
    WHERE EXISTS (
      SELECT 1 FROM incidents r
      WHERE r.scope = k.scope AND r.subject = k.subject AND r.status = 'resolved'
        AND (
          (r.detector = k.detector AND (
            r.last_evaluated_day >= k.as_of
            -- A system verdict (auto, fixed after nudge) judged no episode: the spend coming back is recorded (upsert.ts).
            OR (r.resolution_reason NOT IN ('auto', 'fixed_after_nudge') AND r.resolved_at >= k.onset_at)))
          -- A developer's episode under another of its names, with the same onset (SPIKE_NAMES: a spike read as the
          -- lasting rise it is from its day, or as the runaway it is, upsert.ts renameLastingSpikes; a renamed one read
          -- under another name again); closed by a person, or replayed for a day before the last it was evaluated
          -- through (a later pass of the day an early one resolved it on is its return: reopenSpikesCameBack).
          OR (k.scope = 'user' AND r.onset_at = k.onset_at
            AND k.detector = ANY(${SPIKE_NAMES}::text[]) AND r.detector = ANY(${SPIKE_NAMES}::text[])
            AND r.detector <> k.detector
            AND (r.last_evaluated_day > k.as_of OR r.resolution_reason NOT IN ('auto', 'fixed_after_nudge')))
        )
        -- An episode that is open again (reopened, or a newer one) takes the anomaly instead.
        AND NOT EXISTS (
          SELECT 1 FROM incidents o
          WHERE o.scope = k.scope AND o.subject = k.subject AND o.detector = k.detector AND o.status <> 'resolved'
        )
    )`.execute(tx);
  return new Set(rows.map((r) => r.i));
}
