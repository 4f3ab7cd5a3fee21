import { sql } from 'kysely';
import type { Tx } from '../db/database';
import { SPIKE_NAMES, SPIKE_RENAMES, type Anomaly } from '../detection/types';
import { keepsOnset } from '../detection/episodes';
import { continuesSpikeSql, holdsOnsetSql } from './continues-spike';
import { appendIncidentEvents, type IncidentEventInput } from './events';
import type { IncidentPolicy } from './policy';
import type { IncidentRow } from './types';
import { maxSeverity, severityRank } from './severity';

export type UpsertOutcome =
  | { kind: 'opened'; id: number }
  | {
      kind: 'updated';
      id: number;
      escalated: boolean;
      neverAnnounced: boolean;
      reopened: boolean;
      /** Renamed from a personal spike to this anomaly's detector (renameLastingSpikes). */
      renamed: boolean;
    }
  | { kind: 'stale'; id: number }; // an older day replayed after a newer one: leave the incident alone

type Event = IncidentEventInput & { at: Date };

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
    why: a.why,
    summary: a.summary,
  };
}

/** The columns anomalyValues() sets, typed for jsonb_to_recordset. */
const VALUE_COLUMNS = `severity text, observed float8, expected float8, band_low float8, band_high float8, unit text,
  impact_cents float8, top_model text, why jsonb, summary text`;

const facts = (a: Anomaly) => ({
  asOf: a.asOf,
  severity: a.severity,
  observed: a.observed,
  expected: a.expected,
  unit: a.unit,
  impactCents: a.impactCents,
  summary: a.summary,
});

const keyOf = (r: { scope: string; subject: string; detector: string }) =>
  `${r.scope}\u0000${r.subject}\u0000${r.detector}`;

/**
 * What a pass read each developer's current excess as, when it reported exactly one of a spike and its other names
 * for them (detection names one episode per developer and day); a developer with none of these, or more than one,
 * is not in the map and nothing is renamed or folded for them.
 */
function soleReadings(reported: Anomaly[]): Map<string, string> {
  const readings = new Map<string, Set<string>>();
  for (const a of reported)
    if (a.scope === 'user' && SPIKE_NAMES.includes(a.detector))
      readings.set(a.subject, (readings.get(a.subject) ?? new Set()).add(a.detector));
  const sole = new Map<string, string>();
  for (const [subject, detectors] of readings) if (detectors.size === 1) sole.set(subject, [...detectors][0]);
  return sole;
}

/** The developers' lasting-rise anomalies the pass read as their sole reading (soleReadings), as statement keys. */
function lastingRiseKeys(anomalies: Anomaly[], sole: Map<string, string>) {
  return anomalies
    .filter((a) => a.scope === 'user' && SPIKE_RENAMES.includes(a.detector) && sole.get(a.subject) === a.detector)
    .map((a) => ({
      subject: a.subject,
      detector: a.detector,
      onset_at: a.onsetAt,
      onset_day: a.onsetAt.slice(0, 10),
      as_of: a.asOf,
    }));
}

/** A resolved incident back to the state it had before its resolution (transitions.ts's reopen does the same). */
const REOPEN = sql`
  status = CASE WHEN i.acknowledged_at IS NOT NULL THEN 'acknowledged'
                WHEN i.alerted_at IS NOT NULL THEN 'alerted' ELSE 'open' END,
  resolved_at = NULL, resolved_by = NULL, resolution_reason = NULL, resolution_note = NULL, normal_days = 0`;

/**
 * For each anomaly (one per subject and detector), opens the subject's incident for its detector or updates the
 * unresolved one, in a few statements for the whole pass: the same rows, timeline entries and ids as one anomaly
 * after another in the given order. First, for developers: an excess that came back after its incident resolved
 * itself reopens that incident (reopenCameBack; a spike's, to be renamed: reopenSpikesCameBack); a spike that goes on
 * is renamed to the lasting rise (or runaway) read from its day (renameLastingSpikes); a spike reading of a renamed
 * episode updates it (lastingOfSpikes). `reported` is every anomaly the pass reported, snoozed and suppressed ones too: what the pass
 * read each developer as (soleReadings). The insert relies on the partial unique index incidents_one_open_idx, so two
 * passes racing on the same subject end with one incident.
 */
export async function upsertIncidents(
  tx: Tx,
  anomalies: Anomaly[],
  now: Date,
  policy: IncidentPolicy,
  reported: Anomaly[] = anomalies,
): Promise<UpsertOutcome[]> {
  if (anomalies.length === 0) return [];
  const nowIso = now.toISOString();
  const sole = soleReadings(reported);
  const reopened = await reopenCameBack(tx, anomalies, policy.autoResolveAfterDays);
  for (const [key, back] of await reopenSpikesCameBack(tx, anomalies, sole, policy.autoResolveAfterDays))
    reopened.set(key, back);
  const renamed = await renameLastingSpikes(tx, anomalies, sole, policy.autoResolveAfterDays);
  const absorbed = await lastingOfSpikes(tx, anomalies, sole);
  const opened = await insertNew(
    tx,
    anomalies.filter((a) => !absorbed.has(keyOf(a))),
    nowIso,
  );
  const existing = await lockOpen(
    tx,
    anomalies.filter((a) => !opened.has(keyOf(a)) && !absorbed.has(keyOf(a))),
  );
  const outcomes: UpsertOutcome[] = [];
  const updates: Record<string, unknown>[] = [];
  const events: Event[] = [];
  for (const a of anomalies) {
    const id = opened.get(keyOf(a));
    if (id !== undefined) {
      events.push({
        incidentId: id,
        actor: 'detector',
        action: 'opened',
        from: null,
        to: 'open',
        details: facts(a),
        at: now,
      });
      outcomes.push({ kind: 'opened', id });
      continue;
    }
    const cur = absorbed.get(keyOf(a)) ?? existing.get(keyOf(a));
    if (!cur)
      throw new Error(`no unresolved ${a.detector} incident for ${a.scope} ${a.subject} after its insert conflicted`);
    const back = reopened.get(keyOf(a));
    if (back) events.push(reopenedEvent(back, cur.status, a, now));
    const spike = renamed.get(keyOf(a));
    if (spike !== undefined) events.push(renamedEvent(spike, cur.status, a, now));
    outcomes.push(updateFrom(cur, a, now, updates, events, back !== undefined, spike !== undefined));
  }
  await applyUpdates(tx, updates, nowIso);
  await appendIncidentEvents(tx, events);
  return outcomes;
}

/** An auto-resolved incident as it was when its excess came back (reopenCameBack). */
interface CameBack {
  id: number;
  /** Its resolution note (what the system wrote when it closed it). */
  note: string | null;
}

/**
 * Reopens the incidents whose excess came back: for an anomaly with no unresolved incident of its subject and
 * detector, the latest incident of that key when the system resolved it (reason auto, after normal days), the
 * anomaly comes within `withinDays` of the resolution, and, for a developer, its onset is on or before the last day
 * that incident's signal was seen (its last evaluated day less its normal days); for the team, its onset is the
 * incident's own or on or before the day it resolved (its last evaluated day). The same excess then went on through
 * a few days within the noise that closed the incident (a noisy level shift, a drift that dipped; a team jump over
 * days too quiet to judge): before, it opened a second incident and sent a second message. It returns to the state it
 * had (alerted, acknowledged), so it is announced again only when its severity rises: within so few days of a
 * resolution nobody was told of, the first message still stands. Later than that, or a developer's excess that began
 * after their signal was last seen, is a new incident, announced as any. The team's level sinks under the bar while a
 * lasting jump goes on, as its developers' baselines take it in, and the next pass that reads it reports it from a
 * later day (bench:detect's H5-churn, Dec 6 2026: told Oct 5 to 21, then again from Oct 22). The cost: a new jump
 * whose onset falls in those normal days is told in the old incident, announced again only if its severity rises, its
 * onset moved to the new one unless the pass also alarmed the old. A step is a new episode whatever its onset: its
 * own episode reopens only the step's incident, with the step's onset (a step closes the incident before it on
 * purpose: team-steps.ts). A person's resolution is left alone (suppression.ts). One statement for the whole pass;
 * the reopened incidents by key.
 */
async function reopenCameBack(tx: Tx, anomalies: Anomaly[], withinDays: number): Promise<Map<string, CameBack>> {
  const keys = anomalies.map((a) => ({
    scope: a.scope,
    subject: a.subject,
    detector: a.detector,
    onset_at: a.onsetAt,
    onset_day: a.onsetAt.slice(0, 10),
    as_of: a.asOf,
    step: a.why.stepAfter !== undefined,
  }));
  if (keys.length === 0) return new Map();
  const { rows } = await sql<{
    id: string | number;
    scope: string;
    subject: string;
    detector: string;
    note: string | null;
  }>`
    WITH k AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
        AS k(scope text, subject text, detector text, onset_at timestamptz, onset_day date, as_of date, step boolean)
    ), latest AS (
      SELECT DISTINCT ON (i.scope, i.subject, i.detector) i.id, i.scope, i.subject, i.detector, i.status,
        i.resolution_reason, i.resolution_note, i.last_evaluated_day, i.normal_days, i.onset_at,
        k.onset_at AS k_onset_at, k.onset_day, k.as_of, k.step
      FROM incidents i JOIN k ON (i.scope, i.subject, i.detector) = (k.scope, k.subject, k.detector)
      ORDER BY i.scope, i.subject, i.detector, i.id DESC
    )
    UPDATE incidents i SET ${REOPEN}
    FROM latest l
    WHERE i.id = l.id AND l.status = 'resolved' AND l.resolution_reason = 'auto'
      AND CASE WHEN l.scope = 'user' THEN l.onset_day <= l.last_evaluated_day - l.normal_days
               ELSE l.k_onset_at = l.onset_at OR (NOT l.step AND l.onset_day <= l.last_evaluated_day) END
      AND l.as_of <= l.last_evaluated_day + ${withinDays}::int
      -- (an older incident a person reopened may be the unresolved one)
      AND NOT EXISTS (
        SELECT 1 FROM incidents o
        WHERE (o.scope, o.subject, o.detector) = (l.scope, l.subject, l.detector) AND o.status <> 'resolved')
    RETURNING i.id, i.scope, i.subject, i.detector, l.resolution_note AS note`.execute(tx);
  return new Map(rows.map((r) => [keyOf(r), { id: Number(r.id), note: r.note }]));
}

/**
 * Renames a developer's open personal-spike incident to the detector that now reads the same excess under another
 * name (SPIKE_RENAMES: a model shift or a sustained drift from the spike's own onset, detection's lastingSpike once the
 * rise has three active days and no earlier day holds most of its excess, or from a later onset at most `withinDays`
 * after the spike was last seen, detection/episodes.ts continuesSpike; or a runaway agent, which an hourly pass can
 * read as a spike early in its day), when none of theirs is open under that detector and the pass read them as that
 * only (soleReadings). The incident keeps the spike's onset (updateFrom, keepsOnset). Before,
 * the spike incident went on as a "spike" for as long as the rise lasted (up to 18 days in bench:detect) and the
 * lasting rise, once named, opened a second incident and sent a second message. One statement for the whole pass; the
 * renamed incidents' ids by key (under their new detector).
 */
async function renameLastingSpikes(
  tx: Tx,
  anomalies: Anomaly[],
  sole: Map<string, string>,
  withinDays: number,
): Promise<Map<string, number>> {
  const keys = lastingRiseKeys(anomalies, sole);
  if (keys.length === 0) return new Map();
  // (a replay of a day before the incident's last leaves it as it is: updateFrom, stale)
  const { rows } = await sql<{ id: string | number; scope: string; subject: string; detector: string }>`
    UPDATE incidents i SET detector = k.detector
    FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
      AS k(subject text, detector text, onset_at timestamptz, onset_day date, as_of date)
    WHERE i.scope = 'user' AND i.subject = k.subject AND i.detector = 'personal_spike' AND i.status <> 'resolved'
      AND ${continuesSpikeSql(sql`i`, sql`k.detector`, sql`k.onset_at`, sql`k.onset_day`, withinDays)}
      AND (i.last_evaluated_day IS NULL OR i.last_evaluated_day <= k.as_of)
      AND NOT EXISTS (
        SELECT 1 FROM incidents o
        WHERE o.scope = 'user' AND o.subject = k.subject AND o.detector = k.detector AND o.status <> 'resolved')
    RETURNING i.id, i.scope, i.subject, i.detector`.execute(tx);
  return new Map(rows.map((r) => [keyOf(r), Number(r.id)]));
}

/**
 * The spike incidents a lasting rise (or runaway) reopens to rename: for a developer's SPIKE_RENAMES anomaly with no
 * unresolved incident of its detector nor a spike, when the pass does not report the spike too, their latest spike
 * incident, when the system resolved it at most `withinDays` before and the anomaly's onset is its own or a later one
 * at most `withinDays` after it was last seen (continuesSpike). A spike that went
 * on over idle days resolved itself on them (a spike is not held over idle days), and its rise read on the next active
 * day would open a second incident. Reopened as reopenCameBack does (renameLastingSpikes then renames it); by the
 * anomaly's key.
 */
async function reopenSpikesCameBack(
  tx: Tx,
  anomalies: Anomaly[],
  sole: Map<string, string>,
  withinDays: number,
): Promise<Map<string, CameBack>> {
  const keys = lastingRiseKeys(anomalies, sole);
  if (keys.length === 0) return new Map();
  const { rows } = await sql<{ id: string | number; subject: string; detector: string; note: string | null }>`
    WITH k AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(keys)}::jsonb)
        AS k(subject text, detector text, onset_at timestamptz, onset_day date, as_of date)
    ), latest AS (
      SELECT DISTINCT ON (i.subject) i.id, i.subject, i.status, i.resolution_reason, i.resolution_note,
        i.last_evaluated_day, i.normal_days, i.onset_at, k.onset_at AS k_onset, k.onset_day AS k_onset_day, k.as_of,
        k.detector AS k_detector
      FROM incidents i JOIN k ON i.subject = k.subject
      WHERE i.scope = 'user' AND i.detector = 'personal_spike'
      ORDER BY i.subject, i.id DESC
    )
    UPDATE incidents i SET ${REOPEN}
    FROM latest l
    WHERE i.id = l.id AND l.status = 'resolved' AND l.resolution_reason = 'auto'
      AND ${continuesSpikeSql(sql`l`, sql`l.k_detector`, sql`l.k_onset`, sql`l.k_onset_day`, withinDays)}
      AND l.as_of >= l.last_evaluated_day AND l.as_of <= l.last_evaluated_day + ${withinDays}::int
      AND NOT EXISTS (
        SELECT 1 FROM incidents o
        WHERE o.scope = 'user' AND o.subject = l.subject AND o.detector IN ('personal_spike', l.k_detector)
          AND o.status <> 'resolved')
    RETURNING i.id, i.subject, l.k_detector AS detector, l.resolution_note AS note`.execute(tx);
  return new Map(rows.map((r) => [keyOf({ scope: 'user', ...r }), { id: Number(r.id), note: r.note }]));
}

/**
 * The open incidents under a spike's other names a spike reading belongs to: a developer's spike anomaly with no unresolved spike
 * incident of theirs, whose onset is that of their open model-shift, drift or runaway incident, or of the lasting rise
 * that incident was renamed for (holdsOnsetSql). The same episode, read as a
 * spike again (hourly passes on a growing day can read a renamed spike's newest day as a spike once more, and a replay
 * of an older day reads it as it was): it updates that incident under its lasting name (or is stale), instead of
 * opening a second one. Locked for this pass; by the anomaly's key.
 */
async function lastingOfSpikes(
  tx: Tx,
  anomalies: Anomaly[],
  sole: Map<string, string>,
): Promise<Map<string, IncidentRow>> {
  const keys = anomalies
    .filter((a) => a.scope === 'user' && a.detector === 'personal_spike' && sole.get(a.subject) === a.detector)
    .map((a) => ({ subject: a.subject, onset_at: a.onsetAt }));
  if (keys.length === 0) return new Map();
  const { rows } = await sql<IncidentRow>`
    SELECT i.* FROM incidents i
    WHERE i.id IN (
      SELECT DISTINCT ON (c.subject) c.id FROM incidents c
      JOIN jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) AS k(subject text, onset_at timestamptz)
        ON c.subject = k.subject AND ${holdsOnsetSql(sql`c`, sql`k.onset_at`)}
      WHERE c.scope = 'user' AND c.detector = ANY(${SPIKE_RENAMES}::text[]) AND c.status <> 'resolved'
        AND NOT EXISTS (
          SELECT 1 FROM incidents o
          WHERE o.scope = 'user' AND o.subject = c.subject AND o.detector = 'personal_spike' AND o.status <> 'resolved')
      ORDER BY c.subject, array_position(${SPIKE_RENAMES}::text[], c.detector))
    ORDER BY i.id
    FOR UPDATE`.execute(tx);
  return new Map(rows.map((r) => [keyOf({ scope: 'user', subject: r.subject, detector: 'personal_spike' }), r]));
}

/** The timeline entry of a spike incident renamed to anomaly `a`'s detector (its status unchanged: `status`). */
function renamedEvent(id: number, status: string, a: Anomaly, now: Date): Event {
  return {
    incidentId: id,
    actor: 'detector',
    action: 'reclassified',
    from: status,
    to: status,
    // (the onset as one ISO form: holdsOnsetSql reads it back)
    details: {
      asOf: a.asOf,
      fromDetector: 'personal_spike',
      toDetector: a.detector,
      onset: new Date(a.onsetAt).toISOString(),
    },
    at: now,
  };
}

/** The timeline entry of an incident reopened because its excess came back (`to`: the state it returned to). */
function reopenedEvent(back: CameBack, to: string, a: Anomaly, now: Date): Event {
  return {
    incidentId: back.id,
    actor: 'detector',
    action: 'reopened',
    from: 'resolved',
    to,
    details: { reason: 'came_back', asOf: a.asOf, onset: a.onsetAt, previousReason: 'auto', previousNote: back.note },
    at: now,
  };
}

/** Inserts an open incident for every anomaly, in order, skipping those with one already open: their ids by key. */
async function insertNew(tx: Tx, anomalies: Anomaly[], nowIso: string): Promise<Map<string, number>> {
  const rows = anomalies.map((a, i) => ({
    i,
    ...anomalyValues(a),
    scope: a.scope,
    subject: a.subject,
    detector: a.detector,
    onset_at: a.onsetAt,
    last_evaluated_day: a.asOf,
  }));
  const { rows: inserted } = await sql<{ id: string | number; scope: string; subject: string; detector: string }>`
    INSERT INTO incidents (severity, observed, expected, band_low, band_high, unit, impact_cents, top_model, why, summary,
      scope, subject, detector, status, max_severity, onset_at, detected_at, last_detected_at, last_evaluated_day)
    SELECT severity, observed, expected, band_low, band_high, unit, impact_cents, top_model, why, summary,
      scope, subject, detector, 'open', severity, onset_at, ${nowIso}::timestamptz, ${nowIso}::timestamptz, last_evaluated_day
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
      AS v(i int, ${sql.raw(VALUE_COLUMNS)}, scope text, subject text, detector text, onset_at timestamptz,
           last_evaluated_day date)
    ORDER BY v.i
    ON CONFLICT (scope, subject, detector) WHERE status <> 'resolved' DO NOTHING
    RETURNING id, scope, subject, detector`.execute(tx);
  return new Map(inserted.map((r) => [keyOf(r), Number(r.id)]));
}

/** The unresolved incidents of these anomalies' subjects and detectors, locked for this pass, by key. */
async function lockOpen(tx: Tx, anomalies: Anomaly[]): Promise<Map<string, IncidentRow>> {
  if (anomalies.length === 0) return new Map();
  const { rows } = await sql<IncidentRow>`
    SELECT i.* FROM incidents i
    WHERE i.status <> 'resolved'
      AND (i.scope, i.subject, i.detector) IN (
        SELECT * FROM unnest(${anomalies.map((a) => a.scope)}::text[], ${anomalies.map((a) => a.subject)}::text[],
          ${anomalies.map((a) => a.detector)}::text[]))
    ORDER BY i.id
    FOR UPDATE`.execute(tx);
  return new Map(rows.map((r) => [keyOf(r), r]));
}

/**
 * What a detection of `a` does to its unresolved incident `cur`: the row's new values (pushed to `updates`) and its
 * timeline entries (pushed to `events`), unless `a` is older than the day the incident was last evaluated.
 */
function updateFrom(
  cur: IncidentRow,
  a: Anomaly,
  now: Date,
  updates: Record<string, unknown>[],
  events: Event[],
  reopened = false,
  renamed = false,
): UpsertOutcome {
  const id = Number(cur.id);
  if (cur.last_evaluated_day !== null && a.asOf < cur.last_evaluated_day) return { kind: 'stale', id };
  const newDay = cur.last_evaluated_day === null || a.asOf > cur.last_evaluated_day;
  const escalated = severityRank(a.severity) > severityRank(cur.max_severity);
  // The onset moves only when a pass on data at least as new reports a different one (detection is deterministic:
  // re-running a day on the same data reports the same onset), and every move is on the timeline (issue #12).
  // A later onset moves it only for a team, and only from a pass that judged every day since the incident's onset
  // (keepsOnset) and no longer reads the incident's onset as an alarmed team episode's: a developer's later onset, a
  // team pass with too little history, or one that still sees the earlier episode, is the window sliding, not
  // evidence against the earlier onset. An earlier onset always moves it.
  const onsetMs = Date.parse(a.onsetAt);
  const onsetMoved =
    Number.isFinite(onsetMs) &&
    onsetMs !== cur.onset_at.getTime() &&
    !keepsOnset(a.scope, cur.onset_at.toISOString().slice(0, 10), a.onsetAt.slice(0, 10), a.why);
  updates.push({
    id,
    ...anomalyValues(a),
    max_severity: maxSeverity(cur.max_severity, a.severity),
    onset_at: (onsetMoved ? new Date(onsetMs) : cur.onset_at).toISOString(),
    last_evaluated_day: a.asOf,
  });
  const on = { incidentId: id, actor: 'detector', from: cur.status, to: cur.status, at: now } as const;
  if (onsetMoved) {
    events.push({
      ...on,
      action: 'onset_moved',
      details: { asOf: a.asOf, fromOnset: cur.onset_at.toISOString(), toOnset: new Date(onsetMs).toISOString() },
    });
  }
  if (escalated) {
    events.push({
      ...on,
      action: 'escalated',
      details: { ...facts(a), fromSeverity: cur.max_severity, toSeverity: a.severity },
    });
  } else if (newDay) {
    // One timeline entry per day the signal persists, not one per hourly pass.
    events.push({ ...on, action: 'updated', details: facts(a) });
  }
  return {
    kind: 'updated',
    id,
    escalated,
    neverAnnounced: cur.alerted_at === null && cur.status === 'open',
    reopened,
    renamed,
  };
}

/** Writes the updated incidents in one statement: the detection's values, and the signal seen again today. */
async function applyUpdates(tx: Tx, updates: Record<string, unknown>[], nowIso: string): Promise<void> {
  if (updates.length === 0) return;
  await sql`
    UPDATE incidents i SET
      severity = v.severity, observed = v.observed, expected = v.expected, band_low = v.band_low,
      band_high = v.band_high, unit = v.unit, impact_cents = v.impact_cents, top_model = v.top_model, why = v.why,
      summary = v.summary, max_severity = v.max_severity, onset_at = v.onset_at,
      last_detected_at = ${nowIso}::timestamptz, last_evaluated_day = v.last_evaluated_day, normal_days = 0
    FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb)
      AS v(id bigint, ${sql.raw(VALUE_COLUMNS)}, max_severity text, onset_at timestamptz, last_evaluated_day date)
    WHERE i.id = v.id`.execute(tx);
}
