import type { DbOrTx } from '../db/database';
import { computeMetrics, type MeasuredIncidentMetrics } from './metrics-math';

/** MTTD / time to alert / MTTI / MTTR, impact and per-detector precision over the incidents first detected in [from, to). */
export async function incidentMetrics(
  db: DbOrTx,
  { from, to }: { from: Date; to: Date },
): Promise<MeasuredIncidentMetrics> {
  const rows = await db
    .selectFrom('incidents')
    .select([
      'detector',
      'status',
      'resolution_reason',
      'onset_at',
      'detected_at',
      'alerted_at',
      'acknowledged_at',
      'resolved_at',
      'impact_cents',
    ])
    .where('detected_at', '>=', from)
    .where('detected_at', '<', to)
    .execute();
  return computeMetrics(rows, from, to);
}
