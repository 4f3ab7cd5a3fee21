import { toDay } from '@cursor-cost-watch/contract';
import type { DbOrTx } from '../db/database';

/**
 * The onset (YYYY-MM-DD) of the team incident still open on `asOf` (the latest one, with an onset on or before it):
 * what a detection pass is told (DetectionInput.openTeamOnset), so that it goes on reporting a team jump whose price
 * the team still pays after developers' baselines have taken it in. A pass as of a past day (`npm run detect --
 * --as-of`) is told the incident open now, as it records into the incidents as they are now.
 */
export async function openTeamIncidentOnset(db: DbOrTx, asOf: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('incidents')
    .select('onset_at')
    .where('scope', '=', 'team')
    .where('detector', '=', 'team_shift')
    .where('status', '<>', 'resolved')
    .where('onset_at', '<', new Date(Date.parse(`${asOf}T00:00:00Z`) + 86_400_000))
    .orderBy('onset_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toDay(new Date(row.onset_at).getTime()) : undefined;
}
