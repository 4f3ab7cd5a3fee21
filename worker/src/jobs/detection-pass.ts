import { toDay } from '@cursor-cost-watch/contract';
import type { PgBoss } from 'pg-boss';
import type { Config } from '../config/config';
import type { Logger } from '../config/log';
import type { Db, DbOrTx } from '../db/database';
import { openTeamIncidentOnset, recordDetections, type RecordResult } from '../incidents';
import { enqueueNotifications, type Queued } from '../notify';
import { runNudgePolicy, type NudgeRunResult } from '../nudge';
import { getSettings, type Settings } from '../settings';
import type { Anomaly, DetectorName } from '../detection/types';
import { detectOnSeries, historyDays, olderDays } from '../detection/detect';
import { loadSeriesInput, type SeriesInput } from '../db/repositories/detection-series-set';
import type { CacheLoad, DetectionSeriesCache } from '../db/repositories/detection-series-cache';
import { markDetectionDay, owedAnnouncements, settleOwed, usageCollectedUpTo } from '../db/repositories/detection-days';

export interface DetectionPassDeps {
  db: Db;
  boss?: PgBoss;
  config: Config;
  log: Logger;
  /** The worker's series kept between hourly passes (only the days collections changed are read again). */
  seriesCache?: DetectionSeriesCache;
}

export interface DetectionPassOptions {
  /** The day to evaluate (only data up to it is read); default today (UTC). */
  asOf?: string;
  /** The clock; default now. */
  now?: Date;
  /** Use these instead of the stored settings. */
  settings?: Settings;
  /**
   * A day the worker missed, evaluated by the detect job's catch-up (catch-up-detection.ts): what the pass would have
   * announced is kept as owed with the day's mark, for the detect job's pass of today to announce (announceOwed).
   */
  owes?: boolean;
  /**
   * Also announce what caught-up days owe (the detect job's pass of today: one at a time on its exclusive queue, so no
   * two passes settle the same lists; `npm run detect` does not).
   */
  announceOwed?: boolean;
}

export interface DetectionPassSummary {
  asOf: string;
  partialDay: boolean;
  users: number;
  anomalies: (Anomaly & { incidentId: number | null })[];
  byDetector: Partial<Record<DetectorName, number>>;
  incidents: RecordResult;
  queued: Queued[];
  /** The nudge policy's part of the pass (null without a queue: replays nudge nobody). */
  nudges: NudgeRunResult | null;
  durationMs: number;
  /** Where the time went: reading the rollups, the pure detection, storing anomalies and incidents, announcing. */
  phasesMs: { load: number; detect: number; record: number; announce: number };
  /** How the series cache served the load (with deps.seriesCache only). */
  cache?: CacheLoad;
}

/**
 * Fills the worker's series cache as its first pass would, without detecting: run at the worker's start, so its first
 * pass (after the next collection) re-reads only the days that collection changed, as an hourly pass does, instead of
 * the whole window. Returns how long it took.
 */
export async function warmSeriesCache(
  deps: { db: Db; seriesCache: DetectionSeriesCache },
  opts: DetectionPassOptions = {},
): Promise<number> {
  const started = performance.now();
  const { asOf, loadOptions } = await passWindow(deps.db, opts);
  await deps.seriesCache.load(deps.db, asOf, loadOptions);
  return performance.now() - started;
}

/** A pass's clock, day, settings and what it loads: the same for a pass and for the warm-up that stands in for one. */
async function passWindow(db: Db, opts: DetectionPassOptions) {
  const now = opts.now ?? new Date();
  const asOf = opts.asOf ?? toDay(now.getTime());
  const settings = opts.settings ?? (await getSettings(db));
  const loadOptions = {
    days: historyDays(settings),
    olderDays: olderDays(settings),
    weekdayAware: settings.weekdayAware,
    now,
  };
  return { now, asOf, settings, loadOptions };
}

/** One pass: load the rollups up to asOf → detect → store the anomalies → update incidents → queue notifications. */
export async function runDetectionPass(
  deps: DetectionPassDeps,
  opts: DetectionPassOptions = {},
): Promise<DetectionPassSummary> {
  const started = performance.now();
  const { db, boss, config, log } = deps;
  const { now, asOf, settings, loadOptions } = await passWindow(db, opts);
  const lap = stopwatch();
  const input: SeriesInput & { cache?: CacheLoad } = deps.seriesCache
    ? await deps.seriesCache.load(db, asOf, loadOptions)
    : await loadSeriesInput(db, asOf, loadOptions);
  const openTeamOnset = await openTeamIncidentOnset(db, asOf);
  const load = lap();
  const found = detectOnSeries(input.series, { ...input, ...(openTeamOnset && { openTeamOnset }) }, settings);
  const detect = lap();
  await storeAnomalies(db, found, now);
  // The day is marked evaluated (sql/022_detection_days.sql) with the incidents that counted it, all or nothing; not
  // when no usage was ever collected up to it (`npm run detect` before the first collection): the catch-up would take
  // the days after it for missed ones, the first backfill's among them, and announce their history.
  const marks = input.users > 0 || (await usageCollectedUpTo(db, asOf));
  const incidents = await recordDetections(db, {
    asOf,
    anomalies: found,
    evaluatedAt: now,
    settings,
    ...(marks && {
      alsoInTransaction: (tx, result) => markDetectionDay(tx, asOf, opts.owes ? { owed: result.toNotify } : undefined),
    }),
  });
  const record = lap();
  const { nudges, queued } = boss
    ? opts.announceOwed
      ? await announceWithOwed({ db, boss, config }, incidents.toNotify, settings, now)
      : await announce({ db, boss, config }, incidents.toNotify, settings, now)
    : { nudges: null, queued: [] };
  const links = await incidentLinks(db, asOf);
  const anomalies = found.map((a) => ({ ...a, incidentId: links.get(key(a)) ?? null }));
  const byDetector: Partial<Record<DetectorName, number>> = {};
  for (const a of found) byDetector[a.detector] = (byDetector[a.detector] ?? 0) + 1;
  const summary: DetectionPassSummary = {
    asOf,
    partialDay: input.partialDay === true,
    users: input.users,
    anomalies,
    byDetector,
    incidents,
    queued,
    nudges,
    durationMs: Math.round(performance.now() - started),
    phasesMs: { load, detect, record, announce: lap() },
    ...(input.cache ? { cache: input.cache } : {}),
  };
  log.info(
    {
      asOf,
      anomalies: found.length,
      byDetector,
      opened: incidents.opened.length,
      escalated: incidents.escalated.length,
      reopened: incidents.reopened.length,
      renamed: incidents.renamed.length,
      autoResolved: incidents.autoResolved.length,
      queued: queued.length,
      nudged: nudges?.created.queued.length ?? 0,
      durationMs: summary.durationMs,
      phasesMs: summary.phasesMs,
      ...(input.cache ? { reread: input.cache.readFrom ?? 'nothing' } : {}),
      ...(input.cache?.slid ? { slidDays: input.cache.slid } : {}),
    },
    'detection pass finished',
  );
  return summary;
}

/**
 * Tells people about a pass's incidents: the developers first for the detectors under the nudge policy (an incident
 * whose developer is nudged is held back from the channels until it escalates), then the team channels.
 */
export async function announce(
  { db, boss, config }: { db: Db; boss: PgBoss; config: Config },
  toNotify: number[],
  settings: Settings,
  now: Date,
): Promise<{ nudges: NudgeRunResult; queued: Queued[] }> {
  const nudges = await runNudgePolicy({ db, boss, config }, toNotify, settings, now);
  const queued = await enqueueNotifications(db, boss, toNotify, settings, config, now);
  return { nudges, queued };
}

/**
 * Announces the pass's incidents with those caught-up days owe (each once), then settles what was owed. The
 * announcement leaves out incidents resolved meanwhile and those already announced at their severity
 * (notify/pending.ts, nudge/create.ts): a crash before the settling announces nothing twice.
 */
async function announceWithOwed(
  deps: { db: Db; boss: PgBoss; config: Config },
  toNotify: number[],
  settings: Settings,
  now: Date,
): Promise<{ nudges: NudgeRunResult; queued: Queued[] }> {
  const owed = await owedAnnouncements(deps.db);
  const result = await announce(deps, [...new Set([...toNotify, ...owed.ids])], settings, now);
  await settleOwed(deps.db, owed);
  return result;
}

/** Milliseconds since the previous call (or since it was made). */
function stopwatch(): () => number {
  let last = performance.now();
  return () => {
    const t = performance.now();
    const ms = Math.round(t - last);
    last = t;
    return ms;
  };
}

const key = (a: { scope: string; subject: string; detector: string }) =>
  `${a.scope}\u0000${a.subject}\u0000${a.detector}`;

/** Upserts this pass's anomalies: one row per evaluated day, subject and detector, the latest pass's values. */
export async function storeAnomalies(db: DbOrTx, anomalies: Anomaly[], now: Date): Promise<void> {
  const CHUNK = 500;
  for (let i = 0; i < anomalies.length; i += CHUNK) {
    const rows = anomalies.slice(i, i + CHUNK).map((a) => ({
      as_of: a.asOf,
      scope: a.scope,
      subject: a.subject,
      detector: a.detector,
      severity: a.severity,
      onset_at: a.onsetAt,
      observed: a.observed,
      expected: a.expected,
      band_low: a.bandLow,
      band_high: a.bandHigh,
      unit: a.unit,
      impact_cents: a.impactCents,
      why: JSON.stringify({ ...a.why, summary: a.summary }),
      detected_at: now,
    }));
    await db
      .insertInto('anomalies')
      .values(rows)
      .onConflict((oc) =>
        oc.columns(['as_of', 'scope', 'subject', 'detector']).doUpdateSet((eb) => ({
          severity: eb.ref('excluded.severity'),
          onset_at: eb.ref('excluded.onset_at'),
          observed: eb.ref('excluded.observed'),
          expected: eb.ref('excluded.expected'),
          band_low: eb.ref('excluded.band_low'),
          band_high: eb.ref('excluded.band_high'),
          unit: eb.ref('excluded.unit'),
          impact_cents: eb.ref('excluded.impact_cents'),
          why: eb.ref('excluded.why'),
          detected_at: eb.ref('excluded.detected_at'),
        })),
      )
      .execute();
  }
}

async function incidentLinks(db: DbOrTx, asOf: string): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('anomalies')
    .select(['scope', 'subject', 'detector', 'incident_id'])
    .where('as_of', '=', asOf)
    .execute();
  const out = new Map<string, number>();
  for (const r of rows) if (r.incident_id !== null) out.set(key(r), r.incident_id);
  return out;
}
