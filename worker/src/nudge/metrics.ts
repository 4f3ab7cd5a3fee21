import type { NudgeComparison } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/database';
import { durationStat } from '../incidents/metrics-math';

const seconds = (from: Date, to: Date | null) => (to ? (to.getTime() - from.getTime()) / 1000 : null);

/**
 * MTTR (onset → resolved) and dollars above expected for the incidents first detected in [from, to) whose
 * developer received a nudge, against all the others. A skipped nudge (opt-out, cap) counts as not nudged.
 */
export async function nudgeComparison(db: DbOrTx, { from, to }: { from: Date; to: Date }): Promise<NudgeComparison> {
  const rows = await db
    .selectFrom('incidents as i')
    .leftJoin('nudges as n', (j) => j.onRef('n.incident_id', '=', 'i.id').on('n.status', '=', 'sent'))
    .select([
      'i.onset_at',
      'i.resolved_at',
      'i.resolution_reason',
      'i.impact_cents',
      'n.outcome',
      sql<boolean>`n.id IS NOT NULL`.as('nudged'),
    ])
    .where('i.detected_at', '>=', from)
    .where('i.detected_at', '<', to)
    .execute();
  const cohort = (rs: typeof rows) => {
    const mttr = durationStat(rs.map((r) => seconds(r.onset_at, r.resolved_at)));
    return {
      total: rs.length,
      resolved: rs.filter((r) => r.resolved_at !== null).length,
      mttr: { mean: mttr.meanSeconds, median: mttr.medianSeconds },
      impactCents: Math.round(rs.reduce((s, r) => s + Number(r.impact_cents), 0)),
    };
  };
  const nudged = rows.filter((r) => r.nudged);
  return {
    nudged: {
      ...cohort(nudged),
      fixedAfterNudge: nudged.filter((r) => r.resolution_reason === 'fixed_after_nudge').length,
      escalated: nudged.filter((r) => r.outcome === 'escalated').length,
    },
    notNudged: cohort(rows.filter((r) => !r.nudged)),
  };
}
