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
  return resolveAutomatically(
    tx,
    resolving.map((inc) => ({
      id: inc.id,
      status: inc.status,
      note: note(inc.normalDays),
      asOf,
      details: { normalDays: inc.normalDays },
    })),
    now,
  );
}

/**
 * Resolves incidents by the system ('auto', with a note), each evaluated through `asOf` at least, and records each on
 * its timeline as auto_resolved (details: the reason, the note, asOf and `details`). Returns their ids, in order.
 */
export async function resolveAutomatically(
  tx: Tx,
  incidents: { id: number; status: string; note: string; asOf: string; details: Record<string, unknown> }[],
  now: Date,
): Promise<number[]> {
  if (incidents.length === 0) return [];
  await sql`
    UPDATE incidents i SET status = 'resolved', resolved_at = ${now.toISOString()}::timestamptz, resolved_by = 'system',
      resolution_reason = 'auto', resolution_note = v.note, last_evaluated_day = GREATEST(i.last_evaluated_day, v.as_of)
    FROM unnest(${incidents.map((c) => c.id)}::bigint[], ${incidents.map((c) => c.note)}::text[],
      ${incidents.map((c) => c.asOf)}::date[]) AS v(id, note, as_of)
    WHERE i.id = v.id`.execute(tx);
  await appendIncidentEvents(
    tx,
    incidents.map((inc) => ({
      incidentId: inc.id,
      actor: 'system',
      action: 'auto_resolved' as const,
      from: inc.status,
      to: 'resolved',
      details: { reason: 'auto', note: inc.note, ...inc.details, asOf: inc.asOf },
      at: now,
    })),
  );
  return incidents.map((inc) => inc.id);
}
