import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
import type { IncidentDetail, ModelShare, SeriesPoint } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import { auditTimelineEntries } from './incident-audit';
import type { DbOrTx } from '../../db/database';
import { IncidentNotFoundError, listIncidentEvents, type IncidentRow } from '../../incidents';
import { toIncident, toTimelineEntry } from '../serialize';

const BASELINE_DAYS = 28;
const AFTER_DAYS = 7;
const dayOf = (d: Date) => toDay(d.getTime());
const addDays = (day: string, n: number) => dayOf(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));

/** The emails an incident's series covers: the user, a billing group's members, or everyone for 'team'. */
function subjectEmails(db: DbOrTx, inc: IncidentRow) {
  if (inc.scope === 'user') return [inc.subject];
  if (inc.subject === 'team') return null;
  return db.selectFrom('billing_group_members').select('email').where('group_id', '=', inc.subject);
}

/** Which rollup column the incident is measured in; shares and cycle totals are shown as daily spend. */
function seriesColumn(unit: string) {
  if (unit === 'requests') return { unit: 'requests', expr: sql<number>`sum(events)` };
  if (unit === 'tokens')
    return {
      unit: 'tokens',
      expr: sql<number>`sum(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens)`,
    };
  return { unit: 'cents', expr: sql<number>`sum(charged_cents)` };
}

/**
 * Detectors whose observed/expected are daily figures in the series' unit, so their band belongs on the chart.
 * model_shift is one of them: it is scored on the user's daily spend like the others (detection/scan.ts,
 * `scanUserDay` sets expected and the band for every user detector); leaving it out drew its evidence chart with
 * no expected line and no band while the legend still named them (issue #14).
 */
const DAILY_DETECTORS = new Set([
  'daily_requests',
  'daily_tokens',
  'team_zscore',
  'personal_spike',
  'sustained_drift',
  'model_shift',
  'runaway_agent',
  'team_shift',
]);

async function dailySeries(db: DbOrTx, inc: IncidentRow, start: string, end: string) {
  const col = seriesColumn(inc.unit);
  const emails = subjectEmails(db, inc);
  let q = db
    .selectFrom('user_daily_rollup')
    .select(['day', col.expr.as('value')])
    .where('day', '>=', start)
    .where('day', '<=', end);
  if (emails) q = q.where('user_email', 'in', emails);
  const rows = await q.groupBy('day').execute();
  const anomalies = await db
    .selectFrom('anomalies')
    .select(['as_of', 'expected', 'band_low', 'band_high'])
    .where('scope', '=', inc.scope)
    .where('subject', '=', inc.subject)
    // (a renamed spike's first days were stored under its old detector, and linked to it: upsert.ts)
    .where((eb) => eb.or([eb('detector', '=', inc.detector), eb('incident_id', '=', inc.id)]))
    .where('as_of', '>=', start)
    .where('as_of', '<=', end)
    .orderBy('detected_at') // the day's latest reading wins (the map below keeps the last; a re-read keeps its id)
    .orderBy('id')
    .execute();
  const observed = new Map(rows.map((r) => [r.day, Number(r.value)]));
  const perDay = new Map(anomalies.map((a) => [a.as_of, a]));
  const withBand = DAILY_DETECTORS.has(inc.detector) && inc.unit === col.unit;
  const points: SeriesPoint[] = [];
  for (let day = start; day <= end; day = addDays(day, 1)) {
    const a = perDay.get(day);
    points.push({
      day,
      observed: observed.get(day) ?? 0,
      expected: withBand ? (a?.expected ?? inc.expected) : null,
      bandLow: withBand ? (a ? a.band_low : inc.band_low) : null,
      bandHigh: withBand ? (a ? a.band_high : inc.band_high) : null,
    });
  }
  return { unit: col.unit, points };
}

async function modelShares(db: DbOrTx, inc: IncidentRow, start: string, end: string): Promise<ModelShare[]> {
  const emails = subjectEmails(db, inc);
  let q = db
    .selectFrom('user_model_daily_rollup')
    .select(['model', sql<number>`sum(charged_cents)`.as('cents')])
    .where('day', '>=', start)
    .where('day', '<=', end);
  if (emails) q = q.where('user_email', 'in', emails);
  const rows = await q.groupBy('model').orderBy('cents', 'desc').execute();
  const total = rows.reduce((s, r) => s + Number(r.cents), 0);
  return rows.map((r) => ({ model: r.model, cents: Number(r.cents), share: total > 0 ? Number(r.cents) / total : 0 }));
}

/** The incident with its evidence: daily series around the onset with the expected band, model mix, timeline. */
export async function incidentDetail(db: DbOrTx, id: number, now: Date): Promise<IncidentDetail> {
  const inc = await db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!inc) throw new IncidentNotFoundError(id);
  const onsetDay = dayOf(inc.onset_at);
  const lastDay = dayOf(inc.resolved_at ?? inc.last_detected_at);
  const today = dayOf(now);
  const end = addDays(lastDay, AFTER_DAYS) < today ? addDays(lastDay, AFTER_DAYS) : today < onsetDay ? onsetDay : today;
  const start = addDays(onsetDay, -BASELINE_DAYS);
  const [series, before, after, events, audit] = await Promise.all([
    dailySeries(db, inc, start, end),
    modelShares(db, inc, start, addDays(onsetDay, -1)),
    modelShares(db, inc, onsetDay, lastDay),
    listIncidentEvents(db, id),
    auditTimelineEntries(db, inc, now),
  ]);
  return {
    incident: toIncident(inc),
    why: inc.why ?? {},
    series: series.points,
    seriesUnit: series.unit,
    modelMix: { before, after },
    // Spend-limit and membership changes inside the episode (Cursor's audit log), in time order with the rest.
    timeline: [...events.map(toTimelineEntry), ...audit].sort((a, b) => a.at.localeCompare(b.at)),
  };
}
