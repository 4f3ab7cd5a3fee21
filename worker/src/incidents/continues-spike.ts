import { sql, type RawBuilder } from 'kysely';
import { LASTING_RISES } from '../detection/types';

type Expr = RawBuilder<unknown>;

/**
 * SQL for detection/episodes.ts continuesSpike: whether a reading named `detector` from `onsetAt` (its UTC day
 * `onsetDay`) is the same excess as spike incident `spike` (a row with onset_at, last_evaluated_day and normal_days):
 * its own onset, or, for a lasting rise, a later day at most `withinDays` after the last day the spike was seen (its
 * last evaluated day less its normal days). The later onset is compared by its UTC day, as episodes.ts compares days;
 * the same onset by its timestamp, which is its day: recordDetections takes only onsets at a UTC day's start
 * (record-input.ts).
 */
export function continuesSpikeSql(spike: Expr, detector: Expr, onsetAt: Expr, onsetDay: Expr, withinDays: number) {
  return sql`(${spike}.onset_at = ${onsetAt} OR (${detector} = ANY(${LASTING_RISES}::text[])
    AND ${onsetDay} > (${spike}.onset_at AT TIME ZONE 'UTC')::date
    AND ${onsetDay} <= ${spike}.last_evaluated_day - ${spike}.normal_days + ${withinDays}::int))`;
}

/**
 * Whether incident `inc` holds `onsetAt`: its own onset, or that of a lasting rise read from a later onset it was
 * renamed for (its `reclassified` events' onset; episodes.ts hasOnset). A spike reading or a person's verdict goes by
 * either.
 */
export function holdsOnsetSql(inc: Expr, onsetAt: Expr) {
  return sql`(${inc}.onset_at = ${onsetAt} OR EXISTS (
    SELECT 1 FROM incident_events e
    WHERE e.incident_id = ${inc}.id AND e.action = 'reclassified' AND (e.details->>'onset')::timestamptz = ${onsetAt}))`;
}
