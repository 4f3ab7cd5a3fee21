import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection';
import { backtestDetection, openTeamOnset, toEpisodes, type Detection } from '../../src/detection/episodes';
import type { Anomaly } from '../../src/detection/types';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings';
import { inputAsOf, type Scenario } from '../scenarios/team';
import { score, type Score } from './score';

/** The alert floor (minImpactDollars' default): recall is over the labelled anomalies worth at least this. */
export const MIN_CENTS = 2_000;
/** Days after an anomaly's extra reached $20 by which it must be found (issue #12's worst delay): later is not judged. */
export const DUE_DAYS = 3;

/** One anomaly of a day's detection pass as bench:detect records it, as the backtest does (an incident's first day,
 * onset, step). */
export const toDetection = (a: Anomaly, day: string): Detection => backtestDetection(day, a);

/** score()'s options for a team replayed from its replayFrom day to its last day. */
export function scoreOptions(sc: Scenario, days: number) {
  return { minCents: MIN_CENTS, developers: sc.shape.size, days, lastDay: sc.shape.lastDay, dueDays: DUE_DAYS };
}

/**
 * A team's input as of `day` with what the incidents of the replay so far hold, as the worker's pass reads them: the
 * onset of the team incident still open (DetectionInput.openTeamOnset), from the detections of the days before.
 */
export function inputWithIncidents(sc: Scenario, day: string, before: Detection[], settings: Settings) {
  const onset = openTeamOnset(before, day, settings.autoResolveAfterDays);
  return { ...inputAsOf(sc, day), ...(onset === undefined ? {} : { openTeamOnset: onset }) };
}

/**
 * The engine replayed day by day on a team as bench:detect replays it (a pass as of each day from replayFrom, the
 * detections grouped into episodes as incidents would hold them) and scored: bench:detect's engine figures, without
 * the original rules' comparison and the timing.
 */
export function replayEngine(sc: Scenario, settings: Settings = DEFAULT_SETTINGS): { score: Score; days: number } {
  const engine: Detection[] = [];
  const from = addDays(sc.firstDay, sc.shape.replayFrom);
  for (let day = from; day <= sc.shape.lastDay; day = addDays(day, 1))
    for (const a of detect(inputWithIncidents(sc, day, engine, settings), settings)) engine.push(toDetection(a, day));
  const days = daysBetween(from, sc.shape.lastDay) + 1;
  const episodes = toEpisodes(engine, settings.autoResolveAfterDays);
  return { score: score(episodes, sc.truth, scoreOptions(sc, days)), days };
}
