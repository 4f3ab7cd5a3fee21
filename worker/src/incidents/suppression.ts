import { sql } from 'kysely';
import type { Tx } from '../db/database';
import { SPIKE_NAMES, type Anomaly } from '../detection/types';
import { continuesSpikeSql, holdsOnsetSql } from './continues-spike';

/**
 * The anomalies (by index) that belong to an episode already closed: a person resolved the incident after the
 * excess began (same onset, same episode: do not reopen what they judged; a spike and the lasting rise read from its
 * day, or from a later one at most `withinDays` after the spike was last seen, are one episode: upsert.ts
 * renameLastingSpikes), or a pass for an older day is replayed after the incident resolved itself on a later day.
 * One statement for the whole pass.
 */
export async function closedEpisodes(tx: Tx, anomalies: Anomaly[], withinDays: number): Promise<Set<number>> {
  if (anomalies.length === 0) return new Set();
  const keys = anomalies.map((a, i) => ({
    i,
    scope: a.scope,
    subject: a.subject,
    detector: a.detector,
    as_of: a.asOf,
    onset_at: a.onsetAt,
    onset_day: a.onsetAt.slice(0, 10),
  }));
  const { rows } = await sql<{ i: number }>`
    SELECT k.i FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
      AS k(i int, scope text, subject text, detector text, as_of date, onset_at timestamptz, onset_day date)
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
          -- under another name again; or the onset of the lasting rise it was renamed for, holdsOnsetSql), or a spike's
          -- lasting rise read from a later onset it goes on from, once that had begun when the spike was resolved, and
          -- read within twice the window of the spike's last day, as toEpisodes joins them (reclassifies); closed by a
          -- person, or replayed for a day before the last it was evaluated through (a later pass of the day an early
          -- one resolved it on is its return: reopenSpikesCameBack).
          OR (k.scope = 'user'
            AND k.detector = ANY(${SPIKE_NAMES}::text[]) AND r.detector = ANY(${SPIKE_NAMES}::text[])
            AND r.detector <> k.detector
            -- (before the onset tests: the EXISTS of holdsOnsetSql runs only for the rows left)
            AND (r.last_evaluated_day > k.as_of OR r.resolution_reason NOT IN ('auto', 'fixed_after_nudge'))
            AND (${holdsOnsetSql(sql`r`, sql`k.onset_at`)}
              OR (r.detector = 'personal_spike' AND r.resolved_at >= k.onset_at
                AND k.as_of <= r.last_evaluated_day - r.normal_days + ${2 * withinDays}::int
                AND ${continuesSpikeSql(sql`r`, sql`k.detector`, sql`k.onset_at`, sql`k.onset_day`, withinDays)})))
        )
        -- An episode that is open again (reopened, or a newer one) takes the anomaly instead.
        AND NOT EXISTS (
          SELECT 1 FROM incidents o
          WHERE o.scope = k.scope AND o.subject = k.subject AND o.detector = k.detector AND o.status <> 'resolved'
        )
    )`.execute(tx);
  return new Set(rows.map((r) => r.i));
}
