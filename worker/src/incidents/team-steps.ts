import { sql } from 'kysely';
import type { Tx } from '../db/database';
import type { Anomaly } from '../detection/types';
import { resolveAutomatically } from './auto-resolve';

/**
 * A team anomaly that is a further step of the team's level over an earlier team episode (why.stepAfter: a second
 * price rise while the first one's incident is open) is a new episode: the open team incident that began before it
 * resolves itself ('auto', with a note naming the step) so that the step opens its own incident, with its own onset.
 * Before, incidents being one per subject and detector while open, the step only moved the open incident's onset
 * (or showed as its larger impact): issue #12's failure kind 2, a later real jump absorbed into an open team
 * incident (bench:detect's H3-weekend). Nothing happens when the open incident already holds the step's onset or a
 * later one (a re-run, a later day of the step), or when the pass is older than the day it was last evaluated.
 * Returns the ids resolved, in incident order.
 */
export async function closeSteppedOver(tx: Tx, anomalies: Anomaly[], now: Date): Promise<number[]> {
  const steps = anomalies.filter((a) => a.scope === 'team' && typeof a.why.stepAfter === 'string');
  if (steps.length === 0) return [];
  const { rows } = await sql<{
    id: string | number;
    subject: string;
    detector: string;
    status: string;
    onset_at: Date;
    last_evaluated_day: string | null;
  }>`
    SELECT id, subject, detector, status, onset_at, last_evaluated_day FROM incidents
    WHERE status <> 'resolved' AND scope = 'team'
      AND (subject, detector) IN (
        SELECT * FROM unnest(${steps.map((a) => a.subject)}::text[], ${steps.map((a) => a.detector)}::text[]))
    ORDER BY id
    FOR UPDATE`.execute(tx);
  const closing: Parameters<typeof resolveAutomatically>[1] = [];
  for (const r of rows) {
    const a = steps.find((s) => s.subject === r.subject && s.detector === r.detector);
    if (!a) continue;
    const onsetMs = Date.parse(a.onsetAt);
    if (!(onsetMs > r.onset_at.getTime())) continue;
    if (r.last_evaluated_day !== null && a.asOf < r.last_evaluated_day) continue;
    const onsetDay = a.onsetAt.slice(0, 10);
    closing.push({
      id: Number(r.id),
      status: r.status,
      note: `A further team-wide step began on ${onsetDay}, over this episode's level: a new incident follows it`,
      asOf: a.asOf,
      details: { stepOnset: onsetDay, stepAfter: a.why.stepAfter },
    });
  }
  return resolveAutomatically(tx, closing, now);
}
