import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../db/database';

/**
 * True for an incident whose developer was nudged and that has not been escalated: the team channels (immediate
 * alerts and the digest) leave it alone. A skipped nudge holds nothing back; an escalation releases the incident.
 */
export function heldForNudge(eb: ExpressionBuilder<Database & { i: Database['incidents'] }, 'i'>) {
  return eb.exists(
    eb
      .selectFrom('nudges as n')
      .select('n.id')
      .whereRef('n.incident_id', '=', 'i.id')
      .where('n.status', '<>', 'skipped')
      .where('n.escalated_at', 'is', null),
  );
}
