import { addDays, daysBetween, toDay } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import type { Db } from '../../src/db/database';
import type { DetectionSeriesCache } from '../../src/db/repositories/detection-series-cache';
import { detect, type Anomaly } from '../../src/detection';
import { toEpisodes, type Detection, type Episode } from '../../src/detection/episodes';
import { runDetectionPass } from '../../src/jobs/detection-pass';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings';
import type { Scenario } from '../scenarios/team';
import { storeTeam } from '../support/database';
import { inputWithIncidents, toDetection } from './replay';

/** A team replayed both ways: bench:detect's model of the incidents, and the incidents the database recorded. */
export interface IncidentsReplay {
  /** Days replayed: a pass each, from the team's replayFrom day to its last. */
  days: number;
  /** The pure passes' detections grouped by toEpisodes, as bench:detect scores them. */
  modelEpisodes: Episode[];
  /** The incidents runDetectionPass recorded, each as the episode score() reads. */
  recordedEpisodes: Episode[];
  /** The same incidents with their ids (what a notification names). */
  recorded: RecordedIncident[];
  /** Days on which the stored pass's anomalies differed from detect() on the in-memory input (subject, name, onset). */
  anomalyDaysDiffering: string[];
  /** Each stored pass's wall time (ms). */
  passMs: number[];
  /** With a series cache: the passes it served by sliding its series, and those that read everything. */
  cacheLoads?: { slid: number; full: number };
}

export interface RecordedIncident {
  id: number;
  episode: Episode;
}

export interface ReplayOptions {
  /** The passes keep their series in it as the hourly worker does: each slides it a day. */
  seriesCache?: DetectionSeriesCache;
  /** Both sides run on these instead of the defaults the database holds. */
  settings?: Settings;
  /** The passes announce what they record, as the worker's do: on this queue, to the channels `config` sets. */
  announce?: { boss: PgBoss; config: Config };
}

/** When the pass of `day` runs: half past midnight UTC the next day, as a nightly `npm run detect -- --as-of D`. */
export const passTime = (day: string): Date => new Date(`${addDays(day, 1)}T00:30:00Z`);

/** The day whose pass ran at `at` (passTime's inverse): what a message generated then was about. */
export const passDay = (at: string): string => addDays(toDay(Date.parse(at)), -1);

const anomalyKeys = (anomalies: Anomaly[]) =>
  anomalies
    .map((a) => `${a.scope}|${a.subject}|${a.detector}|${toDay(Date.parse(a.onsetAt))}`)
    .sort()
    .join(',');

/**
 * An episode as both sides are compared: who, under which name (and the one it was opened under, and the onsets of the
 * rises it was renamed for), over which days, from which onset, moved how often, reopened how often.
 */
export const episodeKey = (e: Episode) =>
  [
    e.scope,
    e.subject,
    e.detector,
    e.openedAs ?? '',
    (e.riseOnsets ?? []).join(','),
    `${e.firstDay}..${e.lastDay}`,
    e.onset,
    e.onsetMoves ?? 0,
    e.reopens ?? 0,
  ].join('|');

/**
 * Replays `sc` on an empty migrated database as issue #12 replayed its teams with `npm run detect -- --as-of D`: the
 * team's rollups and member list stored whole (a pass reads only days up to its as-of day), then one runDetectionPass
 * per day, each at 00:30 UTC the next day, on the settings the database holds (the defaults, as the CLI reads them).
 * Alongside, detect() on the same day's in-memory input with the default settings (bench:detect's replay), grouped by
 * toEpisodes. With `seriesCache`, the passes keep their series in it as the hourly worker does: each slides it a day.
 * (The rollups are stored before the cache's first load, so no collection run marks them changed.) With `announce`,
 * each pass announces as the worker's do (runDetectionPass's `announce`: a message per channel with the incidents it
 * opened or escalated); without, it announces nothing, as `npm run detect` does.
 */
export async function replayThroughIncidents(
  db: Db,
  sc: Scenario,
  { seriesCache, settings: chosen, announce }: ReplayOptions = {},
): Promise<IncidentsReplay> {
  await storeTeam(db, sc.input, sc.firstDay);
  const deps = {
    db,
    config: announce?.config ?? loadConfig({ LOG_LEVEL: 'silent' }),
    log: createLogger('silent'),
    seriesCache,
    boss: announce?.boss,
  };
  const settings = chosen ?? DEFAULT_SETTINGS;
  const from = addDays(sc.firstDay, sc.shape.replayFrom);
  const model: Detection[] = [];
  const anomalyDaysDiffering: string[] = [];
  const passMs: number[] = [];
  const cacheLoads = { slid: 0, full: 0 };
  for (let day = from; day <= sc.shape.lastDay; day = addDays(day, 1)) {
    const pure = detect(inputWithIncidents(sc, day, model, settings), settings);
    for (const a of pure) model.push(toDetection(a, day));
    const t0 = performance.now();
    const pass = await runDetectionPass(deps, { asOf: day, now: passTime(day), ...(chosen && { settings }) });
    passMs.push(performance.now() - t0);
    if (pass.cache) {
      cacheLoads.full += pass.cache.full ? 1 : 0;
      cacheLoads.slid += pass.cache.slid ? 1 : 0;
    }
    if (anomalyKeys(pure) !== anomalyKeys(pass.anomalies)) anomalyDaysDiffering.push(day);
  }
  const recorded = await recordedIncidents(db);
  return {
    days: daysBetween(from, sc.shape.lastDay) + 1,
    modelEpisodes: toEpisodes(model, settings.autoResolveAfterDays),
    recordedEpisodes: recorded.map((r) => r.episode),
    recorded,
    anomalyDaysDiffering,
    passMs,
    ...(seriesCache ? { cacheLoads } : {}),
  };
}

/**
 * The incidents the database holds, as score() reads episodes: each from the first to the last day a pass linked an
 * anomaly to it, with its onset, its onset moves, the name it was opened under (and each rename's onset) and its
 * reopenings from its timeline.
 */
export async function recordedIncidents(db: Db): Promise<RecordedIncident[]> {
  const rows = await sql<{
    id: number;
    scope: 'user' | 'team';
    subject: string;
    detector: string;
    onset: string;
    first_day: string;
    last_day: string;
    onset_moves: number;
    opened_as: string | null;
    rise_onsets: string[] | null;
    reopens: number;
  }>`
    SELECT i.id::int AS id, i.scope, i.subject, i.detector,
           to_char(i.onset_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS onset,
           to_char(min(a.as_of), 'YYYY-MM-DD') AS first_day,
           to_char(max(a.as_of), 'YYYY-MM-DD') AS last_day,
           (SELECT count(*)::int FROM incident_events e
             WHERE e.incident_id = i.id AND e.action = 'onset_moved') AS onset_moves,
           (SELECT e.details->>'fromDetector' FROM incident_events e
             WHERE e.incident_id = i.id AND e.action = 'reclassified' ORDER BY e.id LIMIT 1) AS opened_as,
           (SELECT array_agg(to_char((e.details->>'onset')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD') ORDER BY e.id)
             FROM incident_events e WHERE e.incident_id = i.id AND e.action = 'reclassified') AS rise_onsets,
           (SELECT count(*)::int FROM incident_events e
             WHERE e.incident_id = i.id AND e.action = 'reopened') AS reopens
    FROM incidents i JOIN anomalies a ON a.incident_id = i.id
    GROUP BY i.id
    ORDER BY i.id`.execute(db);
  return rows.rows.map((r) => ({
    id: r.id,
    episode: {
      scope: r.scope,
      subject: r.subject,
      detector: r.detector,
      firstDay: r.first_day,
      lastDay: r.last_day,
      onset: r.onset,
      onsetMoves: r.onset_moves,
      ...(r.opened_as ? { openedAs: r.opened_as } : {}),
      ...(r.rise_onsets ? { riseOnsets: r.rise_onsets } : {}),
      ...(r.reopens > 0 ? { reopens: r.reopens } : {}),
    },
  }));
}
