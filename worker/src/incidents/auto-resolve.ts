import { sql } from 'kysely';
import type { Tx } from '../db/database';
import { appendIncidentEvents } from './events';

/**
 * Counts one more normal day for each unresolved incident whose signal was absent on `asOf` (once per day, so a
 * re-run changes nothing) and resolves those normal for `afterDays` consecutive evaluated days. Two statements for
 * all of them, and one for the timeline, in incident order.
 */
export async function advanceNormalDays(
  tx: Tx,
  { asOf, seenKeys, afterDays, now }: { asOf: string; seenKeys: Set<string>; afterDays: number; now: Date },
): Promise<number[]> {
  const candidates = await tx
    .selectFrom('incidents')
    .select(['id', 'scope', 'subject', 'detector', 'status', 'normal_days'])
    .where('status', '<>', 'resolved')
    .where((eb) => eb.or([eb('last_evaluated_day', 'is', null), eb('last_evaluated_day', '<', asOf)]))
    .orderBy('id')
    .forUpdate()
    .execute();
  const absent = candidates.filter((inc) => !seenKeys.has(`${inc.scope}\u0000${inc.subject}\u0000${inc.detector}`));
  if (absent.length === 0) return [];
  const counted = absent.map((inc) => ({ ...inc, normalDays: inc.normal_days + 1 }));
  const resolving = counted.filter((inc) => inc.normalDays >= afterDays);
  const note = (normalDays: number) => `Signal normal for ${normalDays} consecutive evaluated day(s), through ${asOf}`;
  await sql`
    UPDATE incidents i SET normal_days = v.normal_days, last_evaluated_day = ${asOf}::date
    FROM unnest(${counted.map((c) => c.id)}::bigint[], ${counted.map((c) => c.normalDays)}::int[]) AS v(id, normal_days)
    WHERE i.id = v.id`.execute(tx);
  if (resolving.length === 0) return [];
  await sql`
    UPDATE incidents i SET status = 'resolved', resolved_at = ${now.toISOString()}::timestamptz, resolved_by = 'system',
      resolution_reason = 'auto', resolution_note = v.note
    FROM unnest(${resolving.map((c) => c.id)}::bigint[], ${resolving.map((c) => note(c.normalDays))}::text[]) AS v(id, note)
    WHERE i.id = v.id`.execute(tx);
  await appendIncidentEvents(
    tx,
    resolving.map((inc) => ({
      incidentId: inc.id,
      actor: 'system',
      action: 'auto_resolved' as const,
      from: inc.status,
      to: 'resolved',
      details: { reason: 'auto', note: note(inc.normalDays), normalDays: inc.normalDays, asOf },
      at: now,
    })),
  );
  return resolving.map((inc) => inc.id);
}
