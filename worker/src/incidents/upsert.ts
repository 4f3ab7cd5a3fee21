import type { Tx } from '../db/database';
import type { Anomaly } from '../detection/types';
import { appendIncidentEvent } from './events';
import { maxSeverity, severityRank } from './severity';

export type UpsertOutcome =
  | { kind: 'opened'; id: number }
  | { kind: 'updated'; id: number; escalated: boolean; neverAnnounced: boolean }
  | { kind: 'stale'; id: number }; // an older day replayed after a newer one: leave the incident alone

function anomalyValues(a: Anomaly) {
  return {
    severity: a.severity,
    observed: a.observed,
    expected: a.expected,
    band_low: a.bandLow,
    band_high: a.bandHigh,
    unit: a.unit,
    impact_cents: a.impactCents,
    top_model: a.topModel,
    why: JSON.stringify(a.why),
    summary: a.summary,
  };
}

const facts = (a: Anomaly) => ({
  asOf: a.asOf,
  severity: a.severity,
  observed: a.observed,
  expected: a.expected,
  unit: a.unit,
  impactCents: a.impactCents,
  summary: a.summary,
});

/**
 * Opens the subject's incident for this detector, or updates the unresolved one. The insert relies on the partial
 * unique index incidents_one_open_idx, so two passes racing on the same subject end with one incident.
 */
export async function upsertIncident(tx: Tx, a: Anomaly, now: Date): Promise<UpsertOutcome> {
  const inserted = await tx
    .insertInto('incidents')
    .values({
      ...anomalyValues(a),
      scope: a.scope,
      subject: a.subject,
      detector: a.detector,
      status: 'open',
      max_severity: a.severity,
      onset_at: a.onsetAt,
      detected_at: now,
      last_detected_at: now,
      last_evaluated_day: a.asOf,
    })
    .onConflict((oc) => oc.columns(['scope', 'subject', 'detector']).where('status', '<>', 'resolved').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    await appendIncidentEvent(tx, {
      incidentId: inserted.id,
      actor: 'detector',
      action: 'opened',
      from: null,
      to: 'open',
      details: facts(a),
      at: now,
    });
    return { kind: 'opened', id: inserted.id };
  }

  const cur = await tx
    .selectFrom('incidents')
    .selectAll()
    .where('scope', '=', a.scope)
    .where('subject', '=', a.subject)
    .where('detector', '=', a.detector)
    .where('status', '<>', 'resolved')
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (cur.last_evaluated_day !== null && a.asOf < cur.last_evaluated_day) return { kind: 'stale', id: cur.id };

  const newDay = cur.last_evaluated_day === null || a.asOf > cur.last_evaluated_day;
  const escalated = severityRank(a.severity) > severityRank(cur.max_severity);
  // The onset moves only when a pass on data at least as new reports a different one (detection is deterministic:
  // re-running a day on the same data reports the same onset), and every move is on the timeline (issue #12).
  const onsetMs = Date.parse(a.onsetAt);
  const onsetMoved = Number.isFinite(onsetMs) && onsetMs !== cur.onset_at.getTime();
  await tx
    .updateTable('incidents')
    .set({
      ...anomalyValues(a),
      max_severity: maxSeverity(cur.max_severity, a.severity),
      onset_at: onsetMoved ? new Date(onsetMs) : cur.onset_at,
      last_detected_at: now,
      last_evaluated_day: a.asOf,
      normal_days: 0,
    })
    .where('id', '=', cur.id)
    .execute();
  if (onsetMoved) {
    await appendIncidentEvent(tx, {
      incidentId: cur.id,
      actor: 'detector',
      action: 'onset_moved',
      from: cur.status,
      to: cur.status,
      details: { asOf: a.asOf, fromOnset: cur.onset_at.toISOString(), toOnset: new Date(onsetMs).toISOString() },
      at: now,
    });
  }
  if (escalated) {
    await appendIncidentEvent(tx, {
      incidentId: cur.id,
      actor: 'detector',
      action: 'escalated',
      from: cur.status,
      to: cur.status,
      details: { ...facts(a), fromSeverity: cur.max_severity, toSeverity: a.severity },
      at: now,
    });
  } else if (newDay) {
    // One timeline entry per day the signal persists, not one per hourly pass.
    await appendIncidentEvent(tx, {
      incidentId: cur.id,
      actor: 'detector',
      action: 'updated',
      from: cur.status,
      to: cur.status,
      details: facts(a),
      at: now,
    });
  }
  return { kind: 'updated', id: cur.id, escalated, neverAnnounced: cur.alerted_at === null && cur.status === 'open' };
}
