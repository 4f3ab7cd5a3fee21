import { addDays, DAY_MS, toDay } from '@cursor-cost-watch/contract';
import { lastDetectionDay } from '../db/repositories/detection-days';
import { runDetectionPass, type DetectionPassDeps, type DetectionPassSummary } from './detection-pass';
import { replayDay } from './replay-detection';

/** At most this many missed days are caught up before today's pass; older ones are skipped (and logged). */
export const CATCH_UP_MAX_DAYS = 14;

export interface ReplayPlan {
  /** The past days to evaluate before today's pass, oldest first, each once. */
  days: { day: string; catchUp: boolean }[];
  /** Missed days older than the cap, left unevaluated. */
  skipped: { from: string; to: string; days: number } | null;
}

/**
 * The past days a detect job evaluates before today's pass: the `replayDays` days before `today` a backfill asks for,
 * and the days missed since `lastEvaluated` (the latest in detection_days) up to yesterday, the last
 * CATCH_UP_MAX_DAYS of them; their union, oldest first. A missed day is a catch-up day even when the backfill asks
 * for it too: the worker was running detection before it, so it should have told people. With no day evaluated yet
 * nothing is missed.
 */
export function replayPlan(lastEvaluated: string | null, today: string, replayDays: number): ReplayPlan {
  const yesterday = addDays(today, -1);
  const catchUp = new Set<string>();
  let skipped: ReplayPlan['skipped'] = null;
  if (lastEvaluated !== null && lastEvaluated < yesterday) {
    const firstMissed = addDays(lastEvaluated, 1);
    const from = addDays(today, -CATCH_UP_MAX_DAYS);
    if (firstMissed < from)
      skipped = { from: firstMissed, to: addDays(from, -1), days: daysBetween(firstMissed, from) };
    for (let day = firstMissed < from ? from : firstMissed; day <= yesterday; day = addDays(day, 1)) catchUp.add(day);
  }
  const all = new Set(catchUp);
  for (let n = replayDays; n >= 1; n--) all.add(addDays(today, -n));
  const days = [...all].sort().map((day) => ({ day, catchUp: catchUp.has(day) }));
  return { days, skipped };
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS);

export interface DetectionJobResult {
  /** The past days' passes, oldest first (a backfill's and the missed days'). */
  replayed: DetectionPassSummary[];
  /** The missed days among them. */
  caughtUp: string[];
  today: DetectionPassSummary;
}

/**
 * What a detect job runs (`now`: its clock, default the real one): the past days first, a backfill's `replayDays`
 * and the days missed since the last evaluated one, each as of its last millisecond, then today's pass.
 *
 * Past days notify nobody, but what a missed day's pass would have announced (its `toNotify`) is announced with
 * today's: the worker should have told people then, and an incident that opened while it was down and has gone quiet
 * since would otherwise never be told (today's pass announces only what it sees). It is kept with the day's mark
 * (detection_days.owed) until a pass with a queue has announced it, so a crash or a lost database in between loses
 * none; the announcement leaves out the incidents resolved meanwhile and those already announced at their severity
 * (notify/pending.ts, nudge/create.ts), so each is told once.
 */
export async function runDetectionJob(
  deps: DetectionPassDeps,
  { now, replayDays }: { now?: Date; replayDays: number },
): Promise<DetectionJobResult> {
  const { db, config, log } = deps;
  const today = toDay((now ?? new Date()).getTime());
  const plan = replayPlan(await lastDetectionDay(db, today), today, replayDays);
  if (plan.skipped)
    log.warn(
      { ...plan.skipped, maxDays: CATCH_UP_MAX_DAYS },
      `detection skipped ${plan.skipped.days} missed day(s) older than the last ${CATCH_UP_MAX_DAYS}`,
    );
  const replayed: DetectionPassSummary[] = [];
  const caughtUp: string[] = [];
  const owed = new Set<number>();
  for (const { day, catchUp } of plan.days) {
    const pass = await replayDay({ db, config, log }, day, { owes: catchUp });
    replayed.push(pass);
    if (!catchUp) continue;
    caughtUp.push(day);
    for (const id of pass.incidents.toNotify) owed.add(id);
  }
  if (caughtUp.length > 0)
    log.info(
      { days: caughtUp.length, from: caughtUp[0], to: caughtUp[caughtUp.length - 1], owed: owed.size },
      `detection caught up ${caughtUp.length} missed day(s)`,
    );
  // Today as planned, on the clock of now (the job's own unless given): past days take a while.
  const todays = await runDetectionPass(deps, { asOf: today, now: now ?? new Date() });
  return { replayed, caughtUp, today: todays };
}
