import { sql } from 'kysely';
import type { Tx } from '../db/database';
import type { Anomaly } from '../detection/types';

/**
 * True when this anomaly belongs to an episode that is already closed: a person resolved the incident after the
 * excess began (same onset, same episode: do not reopen what they judged), or a pass for an older day is replayed
 * after the incident resolved itself on a later day.
 */
export async function belongsToClosedEpisode(tx: Tx, a: Anomaly): Promise<boolean> {
  const row = await tx
    .selectFrom('incidents')
    .select('id')
    .where('scope', '=', a.scope)
    .where('subject', '=', a.subject)
    .where('detector', '=', a.detector)
    .where('status', '=', 'resolved')
    .where((eb) =>
      eb.or([
        eb('last_evaluated_day', '>=', a.asOf),
        // A system verdict (auto, fixed after nudge) judged no episode: the spend coming back opens a new incident.
        eb.and([
          eb('resolution_reason', 'not in', ['auto', 'fixed_after_nudge']),
          eb('resolved_at', '>=', sql<Date>`${a.onsetAt}::timestamptz`),
        ]),
      ]),
    )
    // An episode that is open again (reopened, or a newer one) takes the anomaly instead.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('incidents as o')
            .select('o.id')
            .whereRef('o.scope', '=', 'incidents.scope')
            .whereRef('o.subject', '=', 'incidents.subject')
            .whereRef('o.detector', '=', 'incidents.detector')
            .where('o.status', '<>', 'resolved'),
        ),
      ),
    )
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
