import { SEVERITY_RANK } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { Config } from '../config/config';
import type { Tx } from '../db/database';
import type { Severity } from '../db/schema/detection';
import { heldForNudge } from '../nudge/held';
import type { Channel } from './channels';
import { toNotice, type IncidentNotice } from './message';

export type Selection = { ids: number[] } | { detectedSince: Date };

/**
 * Incidents not yet announced on `channel` at their highest severity, at or above `minSeverity`. An immediate
 * alert takes the given unresolved incidents; a digest takes everything detected since a time, resolved or not.
 */
export async function unannounced(
  tx: Tx,
  channel: Channel,
  sel: Selection,
  minSeverity: Severity,
  config: Config,
): Promise<IncidentNotice[]> {
  let q = tx
    .selectFrom('incidents as i')
    .selectAll('i')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('notification_incidents as ni')
            .select('ni.incident_id')
            .whereRef('ni.incident_id', '=', 'i.id')
            .where('ni.channel', '=', channel)
            .whereRef('ni.severity', '=', 'i.max_severity'),
        ),
      ),
    )
    // The developer was nudged first: the channels hear about it only once it escalates (../nudge).
    .where((eb) => eb.not(heldForNudge(eb)));
  if ('ids' in sel) {
    if (sel.ids.length === 0) return [];
    q = q.where('i.id', 'in', sel.ids).where('i.status', '<>', 'resolved');
  } else {
    // Or found on a day caught up since, after the worker was down (detection_days): its incidents carry that day's
    // time. (A first backfill's replayed days are not: the digest's week is theirs as before.) Their ids first, so the
    // main query keeps its index on detected_at.
    const since = sel.detectedSince;
    const { rows: late } = await sql<{ id: number }>`
      SELECT i.id FROM detection_days d
      JOIN incidents i ON i.detected_at >= d.as_of::timestamp AT TIME ZONE 'UTC'
                      AND i.detected_at < (d.as_of + 1)::timestamp AT TIME ZONE 'UTC'
      WHERE d.caught_up AND d.first_pass_at >= ${since}`.execute(tx);
    q = q.where((eb) =>
      late.length === 0
        ? eb('i.detected_at', '>=', since)
        : eb.or([
            eb('i.detected_at', '>=', since),
            eb(
              'i.id',
              'in',
              late.map((r) => r.id),
            ),
          ]),
    );
  }
  const rows = (await q.orderBy('i.id').execute()).filter(
    (r) => SEVERITY_RANK[r.max_severity] >= SEVERITY_RANK[minSeverity],
  );
  if (rows.length === 0) return [];
  const before = await tx
    .selectFrom('notification_incidents')
    .select(['incident_id', 'severity'])
    .where('channel', '=', channel)
    .where(
      'incident_id',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const announced = new Map<number, Severity>();
  for (const b of before) {
    const prev = announced.get(b.incident_id);
    if (!prev || SEVERITY_RANK[b.severity] > SEVERITY_RANK[prev]) announced.set(b.incident_id, b.severity);
  }
  return rows.map((r) => toNotice(r, config, announced.get(r.id) ?? null));
}

/** Serialises queueing on one channel across processes, so two passes never split or repeat an announcement. */
export async function lockChannel(tx: Tx, channel: Channel): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`cursorwatch.notify.${channel}`}))`.execute(tx);
}
