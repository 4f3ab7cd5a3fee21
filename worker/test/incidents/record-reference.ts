/**
 * The incident recording as it was before it was batched (one anomaly after another, ~5 statements each), kept as
 * the reference the set-based recordDetections must match row for row (record-batch.test.ts). Test code only.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { Db, Tx } from '../../src/db/database';
import { SPIKE_NAMES, SPIKE_RENAMES, type Anomaly } from '../../src/detection/types';
import { continuesSpike, keepsOnset } from '../../src/detection/episodes';
import { appendIncidentEvent } from '../../src/incidents/events';
import { anomalyKey, uniqueSorted, validateRecordInput } from '../../src/incidents/record-input';
import { activeSnoozedSubjects } from '../../src/incidents/snoozes';
import { closeSteppedOver } from '../../src/incidents/team-steps';
import { maxSeverity, severityRank } from '../../src/incidents/severity';
import type { RecordInput } from '../../src/incidents/record';
import type { IncidentRow, RecordResult } from '../../src/incidents/types';

export async function recordDetectionsOneByOne(db: Db, input: RecordInput): Promise<RecordResult> {
  validateRecordInput(input.asOf, input.anomalies);
  const now = input.evaluatedAt ?? new Date();
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext('cursorwatch.record_detections'))`.execute(tx);
    return recordInTx(tx, input, now);
  });
}

async function recordInTx(tx: Tx, input: RecordInput, now: Date): Promise<RecordResult> {
  const result: RecordResult = {
    opened: [],
    updated: [],
    escalated: [],
    autoResolved: [],
    reopened: [],
    renamed: [],
    snoozed: 0,
    suppressed: 0,
    toNotify: [],
  };
  const snoozed = await activeSnoozedSubjects(tx, now);
  const seenKeys = new Set<string>();
  const steppedOver: number[] = [];
  for (const a of uniqueSorted(input.anomalies)) {
    seenKeys.add(anomalyKey(a));
    if (snoozed.has(`${a.scope}\u0000${a.subject}`)) {
      result.snoozed += 1;
      continue;
    }
    if (await belongsToClosedEpisode(tx, a, input.settings.autoResolveAfterDays)) {
      result.suppressed += 1;
      continue;
    }
    // A further team step resolves the open team incident it stepped over first (one team anomaly per pass).
    steppedOver.push(...(await closeSteppedOver(tx, [a], now)));
    // The pass's one reading of the developer among a spike and the lasting rises, if it has exactly one.
    const readings = new Set(
      input.anomalies
        .filter((b) => b.scope === 'user' && b.subject === a.subject)
        .map((b) => b.detector)
        .filter((d) => NAMES.includes(d)),
    );
    const sole = readings.size === 1 && readings.has(a.detector);
    const window = input.settings.autoResolveAfterDays;
    const reopened =
      (await reopenIfCameBack(tx, a, now, window)) || (sole && (await reopenSpikeIfCameBack(tx, a, now, window)));
    const renamed = sole && (await renameIfLastingSpike(tx, a, now, window));
    const lasting = sole ? await lastingOfSpike(tx, a) : undefined;
    const outcome = await upsertIncident(tx, a, now, reopened, renamed, lasting);
    await linkAnomaly(tx, a, outcome.id);
    if (outcome.kind === 'opened') {
      result.opened.push(outcome.id);
      result.toNotify.push(outcome.id);
    } else if (outcome.kind === 'updated') {
      result.updated.push(outcome.id);
      if (outcome.reopened) result.reopened.push(outcome.id);
      if (outcome.renamed) result.renamed.push(outcome.id);
      if (outcome.escalated) result.escalated.push(outcome.id);
      if (outcome.escalated || outcome.neverAnnounced) result.toNotify.push(outcome.id);
    }
  }
  result.autoResolved = [
    ...steppedOver,
    ...(await advanceNormalDays(tx, {
      asOf: input.asOf,
      seenKeys,
      afterDays: input.settings.autoResolveAfterDays,
      now,
    })),
  ];
  return result;
}

/** Points the pass's stored anomaly row (if the pass stored one) at its incident. */
async function linkAnomaly(tx: Tx, a: Anomaly, incidentId: number): Promise<void> {
  await tx
    .updateTable('anomalies')
    .set({ incident_id: incidentId })
    .where('as_of', '=', a.asOf)
    .where('scope', '=', a.scope)
    .where('subject', '=', a.subject)
    .where('detector', '=', a.detector)
    .execute();
}

/**
 * True when this anomaly belongs to an episode that is already closed: a person resolved the incident after the
 * excess began (same onset, same episode: do not reopen what they judged; a spike they judged counts for the lasting
 * rise read from its day), or a pass for an older day is replayed after the incident resolved itself on a later day.
 */
async function belongsToClosedEpisode(tx: Tx, a: Anomaly, withinDays: number): Promise<boolean> {
  const rows = await tx
    .selectFrom('incidents')
    .selectAll()
    .where('scope', '=', a.scope)
    .where('subject', '=', a.subject)
    .where('status', '=', 'resolved')
    .where((eb) =>
      eb.or([
        eb.and([
          eb('detector', '=', a.detector),
          eb.or([
            eb('last_evaluated_day', '>=', a.asOf),
            // A system verdict (auto, fixed after nudge) judged no episode: the spend coming back is recorded.
            eb.and([
              eb('resolution_reason', 'not in', ['auto', 'fixed_after_nudge']),
              eb('resolved_at', '>=', sql<Date>`${a.onsetAt}::timestamptz`),
            ]),
          ]),
        ]),
        // A developer's episode under its other name (a spike, the lasting rise read from it), closed by a person or
        // replayed for a day it had been evaluated through (its onset: below).
        eb.and([
          eb.val(a.scope === 'user'),
          eb('detector', 'in', NAMES.includes(a.detector) ? NAMES.filter((d) => d !== a.detector) : ['-']),
          eb.or([
            eb('last_evaluated_day', '>', a.asOf),
            eb('resolution_reason', 'not in', ['auto', 'fixed_after_nudge']),
          ]),
        ]),
      ]),
    )
    // An episode that is open again (reopened, or a newer one) takes the anomaly instead.
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('incidents as o')
            .select('o.id')
            .where('o.scope', '=', a.scope)
            .where('o.subject', '=', a.subject)
            .where('o.detector', '=', a.detector)
            .where('o.status', '<>', 'resolved'),
        ),
      ),
    )
    .execute();
  // The same detector's episode, or another name's holding the onset, or a spike the rise goes on from (read from a
  // later onset, which had begun when the spike was resolved: spikeGoesOnAs).
  for (const r of rows) {
    if (r.detector === a.detector || (await holdsOnset(tx, r, a))) return true;
    const judgedRise =
      r.resolved_at !== null &&
      r.resolved_at.getTime() >= Date.parse(a.onsetAt) &&
      r.last_evaluated_day !== null &&
      a.asOf <= addDays(r.last_evaluated_day, 2 * withinDays - r.normal_days);
    if (r.detector === 'personal_spike' && judgedRise && spikeGoesOnAs(r, a, withinDays)) return true;
  }
  return false;
}

/**
 * Reopens the subject's latest incident of this detector when the system resolved it, this anomaly's excess began
 * on or before the last day its signal was seen (the team's: at the incident's onset or, for any but a step, on or
 * before the day it resolved), it comes within `withinDays` of the resolution, and none of theirs is unresolved: the
 * excess came back. True when it did.
 */
async function reopenIfCameBack(tx: Tx, a: Anomaly, now: Date, withinDays: number): Promise<boolean> {
  const key = (q: typeof tx) =>
    q
      .selectFrom('incidents')
      .selectAll()
      .where('scope', '=', a.scope)
      .where('subject', '=', a.subject)
      .where('detector', '=', a.detector);
  if (await key(tx).where('status', '<>', 'resolved').executeTakeFirst()) return false;
  const last = await key(tx).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (
    !last ||
    last.resolution_reason !== 'auto' ||
    last.last_evaluated_day === null ||
    (a.scope === 'user'
      ? addDays(last.last_evaluated_day, -last.normal_days) < a.onsetAt.slice(0, 10)
      : last.onset_at.getTime() !== Date.parse(a.onsetAt) &&
        (a.why.stepAfter !== undefined || last.last_evaluated_day < a.onsetAt.slice(0, 10))) ||
    addDays(last.last_evaluated_day, withinDays) < a.asOf
  )
    return false;
  await reopenAsCameBack(tx, last, a, now);
  return true;
}

const RENAMES: readonly string[] = SPIKE_RENAMES;
const NAMES: readonly string[] = SPIKE_NAMES;

/** Returns incident `last` to the state it had before the system resolved it, the excess of `a` having come back. */
async function reopenAsCameBack(tx: Tx, last: IncidentRow, a: Anomaly, now: Date): Promise<void> {
  const status = last.acknowledged_at ? 'acknowledged' : last.alerted_at ? 'alerted' : 'open';
  await tx
    .updateTable('incidents')
    .set({
      status,
      resolved_at: null,
      resolved_by: null,
      resolution_reason: null,
      resolution_note: null,
      normal_days: 0,
    })
    .where('id', '=', last.id)
    .execute();
  await appendIncidentEvent(tx, {
    incidentId: last.id,
    actor: 'detector',
    action: 'reopened',
    from: 'resolved',
    to: status,
    details: {
      reason: 'came_back',
      asOf: a.asOf,
      onset: a.onsetAt,
      previousReason: 'auto',
      previousNote: last.resolution_note,
    },
    at: now,
  });
}

/** The open incident of a developer (their open incident of `detector`), if any. */
const openOf = (tx: Tx, subject: string, detector: string) =>
  tx
    .selectFrom('incidents')
    .selectAll()
    .where('scope', '=', 'user')
    .where('subject', '=', subject)
    .where('detector', '=', detector)
    .where('status', '<>', 'resolved')
    .executeTakeFirst();

/**
 * Whether spike incident `spike` and a lasting rise read from `a`'s onset are one excess (episodes.ts continuesSpike):
 * from the spike's onset, or a later one at most `withinDays` after the spike was last seen.
 */
function spikeGoesOnAs(spike: IncidentRow, a: Anomaly, withinDays: number): boolean {
  if (spike.onset_at.getTime() === Date.parse(a.onsetAt)) return true;
  const [spikeDay, day] = [spike.onset_at.toISOString().slice(0, 10), a.onsetAt.slice(0, 10)];
  if (spike.last_evaluated_day === null || day === spikeDay) return false;
  const lastSeen = addDays(spike.last_evaluated_day, -spike.normal_days);
  return continuesSpike(spikeDay, lastSeen, a.detector, day, withinDays);
}

/** Whether incident `inc` holds `a`'s onset: its own, or a lasting rise's it was renamed for (holdsOnsetSql). */
async function holdsOnset(tx: Tx, inc: IncidentRow, a: Anomaly): Promise<boolean> {
  if (inc.onset_at.getTime() === Date.parse(a.onsetAt)) return true;
  const renames = await tx
    .selectFrom('incident_events')
    .select('details')
    .where('incident_id', '=', inc.id)
    .where('action', '=', 'reclassified')
    .execute();
  return renames.some((e) => Date.parse(String((e.details as { onset?: string }).onset)) === Date.parse(a.onsetAt));
}

/**
 * Reopens the developer's latest spike incident for a lasting rise that goes on from it (spikeGoesOnAs), when the
 * system resolved it at most `withinDays` before and none of theirs is open under either detector. True when it did.
 */
async function reopenSpikeIfCameBack(tx: Tx, a: Anomaly, now: Date, withinDays: number): Promise<boolean> {
  if (a.scope !== 'user' || !RENAMES.includes(a.detector)) return false;
  if ((await openOf(tx, a.subject, a.detector)) || (await openOf(tx, a.subject, 'personal_spike'))) return false;
  const last = await tx
    .selectFrom('incidents')
    .selectAll()
    .where('scope', '=', 'user')
    .where('subject', '=', a.subject)
    .where('detector', '=', 'personal_spike')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (
    !last ||
    last.resolution_reason !== 'auto' ||
    last.last_evaluated_day === null ||
    !spikeGoesOnAs(last, a, withinDays) ||
    a.asOf < last.last_evaluated_day ||
    addDays(last.last_evaluated_day, withinDays) < a.asOf
  )
    return false;
  await reopenAsCameBack(tx, last, a, now);
  return true;
}

/** For a developer's spike with no open spike incident: their open lasting-rise incident with its onset, if any. */
async function lastingOfSpike(tx: Tx, a: Anomaly): Promise<number | undefined> {
  if (a.scope !== 'user' || a.detector !== 'personal_spike') return undefined;
  if (await openOf(tx, a.subject, 'personal_spike')) return undefined;
  for (const detector of RENAMES) {
    const inc = await openOf(tx, a.subject, detector);
    if (inc && (await holdsOnset(tx, inc, a))) return inc.id;
  }
  return undefined;
}

/**
 * Renames the developer's open personal-spike incident to this anomaly's detector, when that is a lasting rise (model
 * shift, sustained drift, runaway) that goes on from it (spikeGoesOnAs) and none of theirs is open under it. True when
 * it did.
 */
async function renameIfLastingSpike(tx: Tx, a: Anomaly, now: Date, withinDays: number): Promise<boolean> {
  if (a.scope !== 'user' || !RENAMES.includes(a.detector)) return false;
  const open = (detector: string) =>
    tx
      .selectFrom('incidents')
      .selectAll()
      .where('scope', '=', 'user')
      .where('subject', '=', a.subject)
      .where('detector', '=', detector)
      .where('status', '<>', 'resolved')
      .executeTakeFirst();
  if (await open(a.detector)) return false;
  const spike = await open('personal_spike');
  if (!spike || !spikeGoesOnAs(spike, a, withinDays)) return false;
  if (spike.last_evaluated_day !== null && spike.last_evaluated_day > a.asOf) return false;
  await tx.updateTable('incidents').set({ detector: a.detector }).where('id', '=', spike.id).execute();
  await appendIncidentEvent(tx, {
    incidentId: spike.id,
    actor: 'detector',
    action: 'reclassified',
    from: spike.status,
    to: spike.status,
    // (the onset as one ISO form: holdsOnsetSql reads it back)
    details: {
      asOf: a.asOf,
      fromDetector: 'personal_spike',
      toDetector: a.detector,
      onset: new Date(a.onsetAt).toISOString(),
    },
    at: now,
  });
  return true;
}

type UpsertOutcome =
  | { kind: 'opened'; id: number }
  | { kind: 'updated'; id: number; escalated: boolean; neverAnnounced: boolean; reopened: boolean; renamed: boolean }
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
async function upsertIncident(
  tx: Tx,
  a: Anomaly,
  now: Date,
  reopened: boolean,
  renamed: boolean,
  lasting: number | undefined,
): Promise<UpsertOutcome> {
  const inserted =
    lasting !== undefined
      ? undefined
      : await tx
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
          .onConflict((oc) =>
            oc.columns(['scope', 'subject', 'detector']).where('status', '<>', 'resolved').doNothing(),
          )
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

  const cur =
    lasting !== undefined
      ? await tx.selectFrom('incidents').selectAll().where('id', '=', lasting).forUpdate().executeTakeFirstOrThrow()
      : await tx
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
  const onsetMoved =
    Number.isFinite(onsetMs) &&
    onsetMs !== cur.onset_at.getTime() &&
    !keepsOnset(a.scope, cur.onset_at.toISOString().slice(0, 10), a.onsetAt.slice(0, 10), a.why);
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
  return {
    kind: 'updated',
    id: cur.id,
    escalated,
    neverAnnounced: cur.alerted_at === null && cur.status === 'open',
    reopened,
    renamed,
  };
}

/**
 * Counts one more normal day for each unresolved incident whose signal was absent on `asOf` (once per day, so a
 * re-run changes nothing) and resolves those normal for `afterDays` consecutive evaluated days.
 */
async function advanceNormalDays(
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
