import { DAY_MS, toDay } from '@cursor-cost-watch/contract';
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
  for (let n = days; n >= 1; n--) {
    const dayEnd = new Date(today - (n - 1) * DAY_MS - 1);
    const { db, config, log } = deps;
    passes.push(await runDetectionPass({ db, config, log }, { asOf: toDay(dayEnd.getTime()), now: dayEnd }));
  }
  return passes;
}
