import type { Tx } from '../db/database';
import { appendIncidentEvent } from './events';

/**
 * Counts one more normal day for each unresolved incident whose signal was absent on `asOf` (once per day, so a
 * re-run changes nothing) and resolves those normal for `afterDays` consecutive evaluated days.
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
  const resolved: number[] = [];
  for (const inc of candidates) {
    if (seenKeys.has(`${inc.scope}\u0000${inc.subject}\u0000${inc.detector}`)) continue;
    const normalDays = inc.normal_days + 1;
    if (normalDays < afterDays) {
      await tx
        .updateTable('incidents')
        .set({ normal_days: normalDays, last_evaluated_day: asOf })
        .where('id', '=', inc.id)
        .execute();
      continue;
    }
    const note = `Signal normal for ${normalDays} consecutive evaluated day(s), through ${asOf}`;
    await tx
      .updateTable('incidents')
      .set({
        normal_days: normalDays,
        last_evaluated_day: asOf,
        status: 'resolved',
        resolved_at: now,
        resolved_by: 'system',
        resolution_reason: 'auto',
        resolution_note: note,
      })
      .where('id', '=', inc.id)
      .execute();
    await appendIncidentEvent(tx, {
      incidentId: inc.id,
      actor: 'system',
      action: 'auto_resolved',
      from: inc.status,
      to: 'resolved',
      details: { reason: 'auto', note, normalDays, asOf },
      at: now,
    });
    resolved.push(inc.id);
  }
  return resolved;
}
