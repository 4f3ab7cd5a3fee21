import { DAY_MS, dayToMs, toDay } from '@cursor-cost-watch/contract';
import { runDetectionPass, type DetectionPassDeps, type DetectionPassSummary } from './detection-pass';

/**
 * Replays detection over the `days` days before `now`'s day, oldest first, each evaluated as of its last
 * millisecond, as the hourly pass would have seen it: incidents get their history from day one. Past days notify
 * nobody (no queue is passed on). The caller then runs today's pass.
 */
export async function replayDetection(
  deps: Omit<DetectionPassDeps, 'boss'>,
  { days, now }: { days: number; now: Date },
): Promise<DetectionPassSummary[]> {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const passes: DetectionPassSummary[] = [];
  for (let n = days; n >= 1; n--) passes.push(await replayDay(deps, toDay(today - n * DAY_MS)));
  return passes;
}

/**
 * One past day's pass, as of its last millisecond, with no queue: it notifies nobody. A day the worker missed `owes`
 * what it would have announced to the detect job's pass of today (catch-up-detection.ts).
 */
export async function replayDay(
  { db, config, log }: Omit<DetectionPassDeps, 'boss'>,
  day: string,
  { owes = false }: { owes?: boolean } = {},
): Promise<DetectionPassSummary> {
  const dayEnd = new Date(dayToMs(day) + DAY_MS - 1);
  return runDetectionPass({ db, config, log }, { asOf: day, now: dayEnd, owes });
}
