import { addDays, toDay } from '@cursor-cost-watch/contract';
import { markSkippedDays, missedBefore, unmarkedDays } from '../db/repositories/detection-days';
import { isConnectionError } from '../db/reconnect';
import { runDetectionPass, type DetectionPassDeps, type DetectionPassSummary } from './detection-pass';
import { replayDay } from './replay-detection';

/** At most this many missed days are caught up before today's pass; older ones are skipped (and logged once). */
export const CATCH_UP_MAX_DAYS = 14;

export interface ReplayPlan {
  /** The past days to evaluate before today's pass, oldest first, each once. */
  days: { day: string; catchUp: boolean }[];
  /** Missed days older than the catch-up reaches, left unevaluated. */
  skipped: string[];
}

/**
 * The past days a detect job evaluates before today's pass: the `replayDays` days before `today` a backfill asks for,
 * and the `missed` days (detection_days' unmarked days up to yesterday) of the last CATCH_UP_MAX_DAYS; their union,
 * oldest first. A missed day is a catch-up day even when the backfill asks for it too: the worker was running
 * detection before it, so it should have told people.
 */
export function replayPlan(missed: string[], today: string, replayDays: number): ReplayPlan {
  const from = addDays(today, -CATCH_UP_MAX_DAYS);
  const catchUp = new Set(missed.filter((d) => d >= from && d < today));
  const all = new Set(catchUp);
  for (let n = replayDays; n >= 1; n--) all.add(addDays(today, -n));
  const days = [...all].sort().map((day) => ({ day, catchUp: catchUp.has(day) }));
  return { days, skipped: missed.filter((d) => d < from) };
}

export interface DetectionJobResult {
  /** The past days' passes, oldest first (a backfill's and the missed days'). */
  replayed: DetectionPassSummary[];
  /** The missed days among them. */
  caughtUp: string[];
  /** Past days whose pass failed (logged; a missed one is tried again by the next job). */
  failed: string[];
  today: DetectionPassSummary;
}

/**
 * What a detect job runs (`now`: its clock, default the real one): the past days first, a backfill's `replayDays`
 * and the days missed while the worker was down, each as of its last millisecond, then today's pass.
 *
 * Past days notify nobody, but what a missed day's pass would have announced (its `toNotify`) is announced with
 * today's: the worker should have told people then, and an incident that opened while it was down and has gone quiet
 * since would otherwise never be told (today's pass announces only what it sees). It is kept with the day's mark
 * (detection_days.owed) until a detect job's pass of today has announced it, so a crash or a lost database in between
 * loses none; the announcement leaves out the incidents resolved meanwhile and those already announced at their severity
 * (notify/pending.ts, nudge/create.ts), so each is told once. A past day whose pass fails is logged and left: today's
 * pass still runs (a lost database is the caller's to wait for).
 */
export async function runDetectionJob(
  deps: DetectionPassDeps,
  { now, replayDays }: { now?: Date; replayDays: number },
): Promise<DetectionJobResult> {
  const { db, config, log } = deps;
  const today = toDay((now ?? new Date()).getTime());
  const from = addDays(today, -CATCH_UP_MAX_DAYS);
  const recent = await unmarkedDays(db, from, addDays(today, -1));
  // An outage that began before the days the catch-up reaches: its older days, to say they were skipped.
  const older = recent[0] === from ? await missedBefore(db, from) : [];
  const plan = replayPlan([...older, ...recent], today, replayDays);
  if (plan.skipped.length > 0) {
    await markSkippedDays(db, plan.skipped);
    log.warn(
      { days: plan.skipped.length, from: plan.skipped[0], to: plan.skipped.at(-1), maxDays: CATCH_UP_MAX_DAYS },
      `detection skipped ${plan.skipped.length} missed day(s) older than the last ${CATCH_UP_MAX_DAYS}`,
    );
  }
  const replayed: DetectionPassSummary[] = [];
  const caughtUp: string[] = [];
  const failed: string[] = [];
  const owed = new Set<number>();
  for (const { day, catchUp } of plan.days) {
    try {
      const pass = await replayDay({ db, config, log }, day, { owes: catchUp });
      replayed.push(pass);
      if (!catchUp) continue;
      caughtUp.push(day);
      for (const id of pass.incidents.toNotify) owed.add(id);
    } catch (err) {
      if (isConnectionError(err)) throw err;
      failed.push(day);
      log.error({ err, day }, `detection of past day ${day} failed; today's pass runs all the same`);
      // A backfill's day is not one the worker missed: the next job must not catch it up and announce its incidents.
      if (!catchUp) await markSkippedDays(db, [day]);
    }
  }
  if (caughtUp.length > 0)
    log.info(
      { days: caughtUp.length, from: caughtUp[0], to: caughtUp.at(-1), owed: owed.size },
      `detection caught up ${caughtUp.length} missed day(s)`,
    );
  // Today as planned, on the clock of now (the job's own unless given): past days take a while.
  const todays = await runDetectionPass(deps, { asOf: today, now: now ?? new Date(), announceOwed: true });
  return { replayed, caughtUp, failed, today: todays };
}
