import { DETECTORS, addDays, toDay } from '@cursor-cost-watch/contract';
import type { Db } from '../db/database';
import { getSettings, type Settings } from '../settings';
import type { DetectorName } from '../detection/types';
import { detectOnSeries, historyDays, olderDays } from '../detection/detect';
import { loadCycleSpend, loadFirstSeen } from '../db/repositories/detection-members';
import { loadSeriesInput } from '../db/repositories/detection-series-set';
import { backtestDetection, openTeamOnset, toEpisodes, type Detection, type Episode } from '../detection/episodes';

export { DETECTORS };

export interface BacktestResult {
  days: number;
  from: string;
  to: string;
  perDetector: Record<DetectorName, number>;
  total: number;
  /** The incidents that would have opened, oldest first. */
  incidents: Episode[];
}

/**
 * Replays the last `days` days one by one with the given (or stored) settings, exactly as the hourly pass would
 * have judged each finished day, and counts the incidents each detector would have opened (detections of one
 * subject and detector within autoResolveAfterDays of each other are one incident). Nothing is written.
 */
export async function backtest(
  db: Db,
  opts: { days: number; settings?: Settings; endDay?: string },
): Promise<BacktestResult> {
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 365)
    throw new RangeError(`days must be a whole number from 1 to 365 (got ${opts.days})`);
  const settings = opts.settings ?? (await getSettings(db));
  const to = opts.endDay ?? (await latestDay(db)) ?? toDay(Date.now());
  const from = addDays(to, -(opts.days - 1));
  // Read once, as of the last day: who was first seen when, and each member's latest cycle by then without Cursor's
  // reported total (a replayed day must not see a later day's total), kept on the days it had started.
  const firstSeen = await loadFirstSeen(db, to);
  const cycles = await loadCycleSpend(db, `${addDays(to, 1)}T00:00:00.000Z`, true);
  const detections: Detection[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    // Each day as the hourly pass reads it (detection-series-set.ts), a finished day.
    const cycleSpend = cycles.filter((c) => c.cycleStart <= day);
    const { series } = await loadSeriesInput(db, day, {
      days: historyDays(settings),
      olderDays: olderDays(settings),
      weekdayAware: settings.weekdayAware,
      firstSeen,
      cycleSpend,
    });
    // The team incident the replay holds open so far, as the worker's pass reads it from the database.
    const openTeam = openTeamOnset(detections, day, settings.autoResolveAfterDays);
    const input = { cycleSpend, partialDay: false, ...(openTeam && { openTeamOnset: openTeam }) };
    for (const a of detectOnSeries(series, input, settings)) detections.push(backtestDetection(day, a));
  }
  const incidents = toEpisodes(detections, settings.autoResolveAfterDays);
  const perDetector = Object.fromEntries(DETECTORS.map((d) => [d, 0])) as Record<DetectorName, number>;
  for (const e of incidents) perDetector[e.detector as DetectorName]++;
  return { days: opts.days, from, to, perDetector, total: incidents.length, incidents };
}

async function latestDay(db: Db): Promise<string | null> {
  const row = await db
    .selectFrom('user_daily_rollup')
    .select((eb) => eb.fn.max('day').as('day'))
    .executeTakeFirst();
  return (row?.day as string | null | undefined) ?? null;
}
