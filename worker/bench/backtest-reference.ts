import { addDays } from '@cursor-cost-watch/contract';
import type { Db } from '../src/db/database';
import { detect, historyDays, olderDays, type DetectionInput } from '../src/detection';
import { backtestDetection, openTeamOnset, toEpisodes, type Detection, type Episode } from '../src/detection/episodes';
import type { Settings } from '../src/settings';
import { loadDetectionInput } from './load-arrays-reference';

/**
 * The backtest before it read each day with the hourly pass's series loader: every row up to `to` loaded once, then
 * detect() on each replayed day's prefix. Kept to prove src/jobs/backtest.ts opens the same incidents.
 */
export async function backtestOnRows(db: Db, to: string, days: number, settings: Settings): Promise<Episode[]> {
  const all = await loadDetectionInput(db, to, {
    days: days + historyDays(settings) + olderDays(settings),
    withoutReportedSpend: true,
    now: new Date(0),
  });
  const detections: Detection[] = [];
  for (let day = addDays(to, -(days - 1)); day <= to; day = addDays(day, 1)) {
    const input: DetectionInput = {
      ...all,
      asOf: day,
      partialDay: false,
      userDays: all.userDays.filter((r) => r.day <= day),
      userModelDays: all.userModelDays.filter((r) => r.day <= day),
      cycleSpend: all.cycleSpend.filter((c) => c.cycleStart <= day),
    };
    const openTeam = openTeamOnset(detections, day, settings.autoResolveAfterDays);
    if (openTeam) input.openTeamOnset = openTeam;
    for (const a of detect(input, settings)) detections.push(backtestDetection(day, a));
  }
  return toEpisodes(detections, settings.autoResolveAfterDays);
}
