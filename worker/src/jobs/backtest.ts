import { DETECTORS, addDays, toDay } from '@cursor-cost-watch/contract';
import type { Db } from '../db/database';
import { getSettings, type Settings } from '../settings';
import type { DetectorName } from '../detection/types';
import type { DetectionInput } from '../detection/input';
import { detect, historyDays } from '../detection/detect';
import { loadDetectionInput } from '../db/repositories/detection-input';
import { toEpisodes, type Detection, type Episode } from '../detection/episodes';

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

/** Rows sorted by day: the input as of `day` is a prefix. */
function upTo<T extends { day: string }>(rows: T[], day: string): T[] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].day <= day) lo = mid + 1;
    else hi = mid;
  }
  return rows.slice(0, lo);
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
  const all = await loadDetectionInput(db, to, {
    days: opts.days + historyDays(settings),
    withoutReportedSpend: true,
    now: new Date(0),
  });
  const detections: Detection[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const input: DetectionInput = {
      ...all,
      asOf: day,
      partialDay: false,
      userDays: upTo(all.userDays, day),
      userModelDays: upTo(all.userModelDays, day),
      cycleSpend: all.cycleSpend.filter((c) => c.cycleStart <= day),
    };
    for (const a of detect(input, settings))
      detections.push({ day, scope: a.scope, subject: a.subject, detector: a.detector });
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
