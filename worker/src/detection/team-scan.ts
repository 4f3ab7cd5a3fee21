/** The team level: a team-wide shift on a day (isTeamShift), and the team episode it opens or continues (scanTeamDay). */
import type { Settings } from '../settings/schema';
import { median, robustScale } from './stats';
import { LOG_OFFSET } from './log-spend';
import { MEDIAN_VARIANCE } from './baseline';
import { Z_CAP, type TeamScan, type UserScan } from './scan-types';

/** Days of the team's own history (same class, no shift) needed before a team shift can be judged. */
const MIN_TEAM_HISTORY = 5;

/** A team-wide day effect needs at least this many established users active that day (so does spendSince). */
export const MIN_TEAM_USERS = 8;

/** Floor of the team level's robust scale: the median of a hundred people hardly moves by itself. */
export const MIN_TEAM_SCALE = 0.02;

/**
 * Day t's team level against its own recent history of the same class of day: a team shift when it rose by
 * teamShiftMinFactor and by elevatedZ of the history's scale. The history leaves out shift days, and days that rose
 * by elevatedZ but less than teamShiftMinFactor: a lasting jump whose median developer moved only ×1.07–1.09 (with
 * the bar at ×1.1, as it was then) sat at z 2.5–4 for a week, those days became the reference, and so did the
 * following weeks in which developers' own baselines absorbed the jump (their level still ×1.05–1.12); a second jump
 * three weeks later then read as z 1, and was never a team incident (bench:detect's F1-mixed;
 * test/detection/team-jumps.test.ts). As a developer's elevated days stay out of their baseline, the reference is the
 * team's level when nothing is happening.
 *
 * The days the pass could not judge (the first MIN_TEAM_HISTORY of each class in its window) were never checked for
 * a shift or an elevated level, so they make the reference only until MIN_TEAM_HISTORY judged days exist. A jump from
 * before the window, still being absorbed into developers' baselines, sits in them at its height: H3-weekend's third
 * jump (×1.22 of 65% of the team, $2,891 over four days) read as z 1.0 against a reference whose first week was the
 * second jump's tail four weeks earlier (levels ×1.2–1.28, then falling to ×1.01–1.06), and was never a team incident.
 * Until five judged days exist (the pass's second week) the unjudged days still make the reference, so a jump in that
 * week is judged against them as before.
 */
export function isTeamShift(
  team: TeamScan,
  t: number,
  evalFrom: number,
  dayClass: Uint8Array,
  settings: Settings,
  noiseFloor: number,
): boolean {
  const reference: number[] = []; // the judged days, topped up with the unjudged ones while too few
  const unjudged: number[] = [];
  for (let d = Math.max(evalFrom, t - settings.baselineDays); d < t; d++) {
    if (dayClass[d] !== dayClass[t] || Number.isNaN(team.level[d]) || team.shift[d] === 1) continue;
    if (team.z[d] >= settings.elevatedZ) continue; // elevated, if by less than teamShiftMinFactor
    (Number.isNaN(team.z[d]) ? unjudged : reference).push(team.level[d]);
  }
  if (reference.length < MIN_TEAM_HISTORY) reference.push(...unjudged);
  if (reference.length < MIN_TEAM_HISTORY) return false;
  const { z, shifted } = teamRise(team.level[t], reference, noiseFloor, settings);
  team.z[t] = z;
  if (!shifted) return false;
  if (openEpisodeDay(team, t, evalFrom, settings) >= 0) return true;
  return aboveOwnUsual(team, t, settings) && (z >= ONE_DAY_TEAM_Z || withDayBefore(team, t, z, evalFrom, dayClass));
}

/**
 * A new team episode also needs the level itself up by teamShiftMinFactor: the team's (1 − teamShiftFraction) developer
 * (the median one by default) that far over their own usual (their baseline), not only over the team's level on the
 * reference's days. Where a team's days move together, a week or two of them is a stretch, a little low or high, and a
 * day only ×1.02–1.07 over the developers' usual passed the bar against a reference 3–5% low (bench:detect, Dec 6 2026:
 * S1-shared5's Sep 24, ×1.068 over a reference at ×0.97; S4-shared6's Oct 5, ×1.069, whose false episode then took in
 * the team's real jump of the next day, found 3 days late; B2-short's Sep 22, ×1.02 over a first week read at ×0.95).
 * An open episode's later days do not need it: developers' baselines take in a lasting jump within weeks, and its days
 * still count over the reference.
 */
function aboveOwnUsual(team: TeamScan, t: number, settings: Settings): boolean {
  return team.level[t] >= Math.log(settings.teamShiftMinFactor);
}

/**
 * The z a team level must reach on a day of its own to open a team episode: one day of the usual bar (elevatedZ, 2)
 * is passed by about 2% of ordinary days, and where the team's days move together (a team-wide busy stretch, a
 * shared deadline) a rise of teamShiftMinFactor is only 2–3 of the level's scales, so a noisy day opened a team
 * incident (bench:detect's shared-noise teams: S1–S5, 60–400 developers; a 150-developer team whose days share a
 * factor of sd 5% read a false team shift in 14 of 16 seeds' four weeks). Under it, the day together with the one
 * before it of its class: (z + that day's z, capped at Z_CAP, 0 if lower) / √2 must reach it, as a developer's
 * sustained rise adds its days' z. 2.75 (one day in ~330 by itself): 3 found six team jumps 1–4 days later, 2.5 let a
 * noisy day open the episode that then swallowed S4-plain's jump (bench:detect, Dec 6 2026).
 */
const ONE_DAY_TEAM_Z = 2.75;

/** Days back to the previous day of the same class whose level was read (a Monday's is the Friday before). */
const DAY_BEFORE_WITHIN = 7;

/**
 * The last day of the team episode open before day t: its latest shift day within autoResolveAfterDays (the days
 * without a shift between do not end it), if that day is an episode's; else -1. Day t continues that episode
 * (scanTeamDay), and needs no more than elevatedZ to (isTeamShift).
 */
function openEpisodeDay(team: TeamScan, t: number, evalFrom: number, settings: Settings): number {
  for (let d = t - 1; d >= evalFrom && d >= t - settings.autoResolveAfterDays; d--)
    if (team.shift[d] === 1) return team.onset[d] >= 0 ? d : -1;
  return -1;
}

/** Day t's z and that of the previous day of its class whose level was read, together, reach ONE_DAY_TEAM_Z. */
function withDayBefore(team: TeamScan, t: number, z: number, evalFrom: number, dayClass: Uint8Array): boolean {
  for (let d = t - 1; d >= evalFrom && d >= t - DAY_BEFORE_WITHIN; d--) {
    if (dayClass[d] !== dayClass[t] || Number.isNaN(team.level[d])) continue;
    const before = team.z[d] > 0 ? Math.min(Z_CAP, team.z[d]) : 0; // an unjudged day (NaN z) adds nothing
    return (z + before) / Math.SQRT2 >= ONE_DAY_TEAM_Z;
  }
  return false;
}

/**
 * A team level against a reference of levels: its z over their median (on their robust scale, floored by
 * MIN_TEAM_SCALE and the day's noise floor), and whether it rose by teamShiftMinFactor and by elevatedZ. The test of
 * a team shift (isTeamShift) and of a further step over an open episode (stepOver).
 */
function teamRise(
  level: number,
  reference: number[],
  noiseFloor: number,
  settings: Settings,
): { z: number; shifted: boolean } {
  const center = median(reference);
  const scale = Math.max(MIN_TEAM_SCALE, noiseFloor, robustScale(reference, center));
  const rise = level - center;
  return {
    z: rise / scale,
    shifted: rise >= Math.log(settings.teamShiftMinFactor) && rise / scale >= settings.elevatedZ,
  };
}

/**
 * A team episode opens only on a workday whose whole-team spend is up by teamShiftMinFactor too (issue #12: a $22
 * Saturday bump of a few weekend workers opened one, then absorbed Monday's real jump and walked its onset back).
 * Days without a shift do not end an episode while its incident would still be open (fewer than
 * autoResolveAfterDays of them in a row): a shift after them continues it, with its onset. Before, only weekend and
 * quiet days were bridged: one workday on which the level dipped under the bar ended the episode, the next shift day
 * opened a new one, and the incident, still open, had its onset moved to that day (bench:detect's T2-weekend and
 * H5-churn, and H2-power's and H6-large's team incidents, whose onsets moved 11 and 16 days late). A further step of
 * the level over what the open episode settled at starts a new episode with its own onset (stepOver).
 */
export function scanTeamDay(
  team: TeamScan,
  t: number,
  evalFrom: number,
  minImpact: number,
  dayClass: Uint8Array,
  settings: Settings,
  noiseFloor: number,
): void {
  if (team.shift[t] !== 1) return;
  const prev = openEpisodeDay(team, t, evalFrom, settings);
  let continues = prev >= 0;
  if (!continues && (dayClass[t] === 1 || team.observed[t] < team.expected[t] * settings.teamShiftMinFactor)) return;
  let base = continues ? team.base[prev] : 1;
  if (continues) {
    const step = stepOver(team, t, prev, dayClass, settings, noiseFloor);
    if (step > 0) {
      team.stepFrom[t] = team.onset[prev];
      continues = false;
      base = step;
    } else team.stepFrom[t] = team.stepFrom[prev];
  }
  const onset = continues ? team.onset[prev] : base === 1 ? leadingOnset(team, t, evalFrom, dayClass, settings) : t;
  let impact = continues ? team.impact[prev] : 0;
  if (!continues)
    for (let d = onset; d < t; d++)
      if (dayClass[d] === dayClass[t]) impact += Math.max(0, team.observed[d] - team.expected[d]);
  team.onset[t] = onset;
  team.base[t] = base;
  team.impact[t] = impact + Math.max(0, team.observed[t] - team.expected[t] * base);
  team.alarmed[t] = (continues && team.alarmed[prev] === 1) || team.impact[t] >= minImpact ? 1 : 0;
}

/** Days back over which a new team episode's onset reaches across the elevated days just before its first shift. */
const MAX_LEAD_DAYS = 7;

/**
 * A new team episode's onset: its first shift day t, or the earliest of the days of its class just before it that
 * rose by elevatedZ but less than teamShiftMinFactor (within MAX_LEAD_DAYS; days of the other class in between are
 * passed over), as a developer's episode starts where its excess began, not where it crossed the bar. A jump's first
 * day that rose a little less than the bar otherwise flipped the onset as passes slid: F1-mixed's Oct 12 (×1.076 at
 * z 3.0–3.2, under the bar by a hair depending on the window) was read as the onset by some passes and not by others,
 * and the incident's onset moved three times between Oct 12 and Oct 13.
 */
function leadingOnset(team: TeamScan, t: number, evalFrom: number, dayClass: Uint8Array, settings: Settings): number {
  let onset = t;
  for (let d = t - 1; d >= evalFrom && d >= t - MAX_LEAD_DAYS; d--) {
    if (dayClass[d] !== dayClass[t]) continue;
    if (!(team.z[d] >= settings.elevatedZ) || team.shift[d] === 1) break;
    onset = d;
  }
  return onset;
}

/** Days back within which an open team episode's days make the level it settled at. */
const STEP_WINDOW_DAYS = 7;

/** Days of an open episode (same class, shift days) needed before a further step over its level can be judged. */
const MIN_STEP_HISTORY = 3;

/**
 * A further team-wide jump while a team episode is open (a second price rise a week into the first): on a workday,
 * the team level rose by teamShiftMinFactor and by elevatedZ (the test of isTeamShift) over the level the open
 * episode settled at (the median of its shift days of the same class in the last STEP_WINDOW_DAYS days, at least
 * MIN_STEP_HISTORY of them). It starts a new team episode with its own onset, whose impact is counted over the spend
 * the open one settled at; the incident layer opens a new team incident for it (why.stepAfter) instead of moving
 * the open incident's onset. Before, the open episode absorbed it: its extra showed only as a larger impact of the
 * first incident (bench:detect's H3-weekend, a $16,800 second jump two weeks into the first; issue #12's failure
 * kind 2). Returns the spend over expected the open episode settled at (> 0) when day t is such a step, else 0.
 */
function stepOver(
  team: TeamScan,
  t: number,
  prev: number,
  dayClass: Uint8Array,
  settings: Settings,
  noiseFloor: number,
): number {
  if (dayClass[t] !== 0 || Number.isNaN(team.level[t])) return 0;
  const onset = team.onset[prev];
  const levels: number[] = [];
  const spend: number[] = [];
  for (let d = Math.max(onset, t - STEP_WINDOW_DAYS); d < t; d++) {
    if (dayClass[d] !== dayClass[t] || team.shift[d] !== 1 || team.onset[d] !== onset) continue;
    levels.push(team.level[d]);
    spend.push(team.expected[d] > 0 ? team.observed[d] / team.expected[d] : 1);
  }
  if (levels.length < MIN_STEP_HISTORY) return 0;
  if (!teamRise(team.level[t], levels, noiseFloor, settings).shifted) return 0;
  return Math.max(1, median(spend));
}

/**
 * The level a held team incident's spend stepped up from, when day t's team episode is a further jump over it (> 0),
 * else 0. The episode began after the incident's onset (`open`), and the pass no longer reads the episode the incident
 * began with as going on (its days up to the new onset read normal against developers' baselines, which took the
 * price in), so it is no step in the pass's own reading (stepOver). `hold` reads the team's spend against before
 * `open` as holding does (spendSince, the developer who adds most left out: one developer's days at the cap read
 * ×1.07–1.12 on a team of 40): the episode's first shift day against the days of its class in the STEP_WINDOW_DAYS
 * before its onset and after `open` (the level the incident held, elevated days in; shift days left out; at least
 * MIN_STEP_HISTORY of them read), by teamShiftMinFactor and by elevatedZ of that reading's spread (the test of
 * stepOver). Returns the median of those days' factors as `counted` reads them (every developer, as an impact counts),
 * at least 1: the step's impact counts over it (detect.ts teamDays). Since a held incident stays open while the team
 * pays more than before its onset (heldTeamAnomaly), it kept its onset against the later one (keepsOnset) and took a
 * new jump in: bench:detect's S3-shared5 (Dec 7 2026), a jump of Nov 17 (its spend ×1.16 over the ×1.09 the team held
 * since Nov 5) absorbed into an incident of Nov 5.
 */
export function stepsOverHeld(
  team: TeamScan,
  open: number,
  t: number,
  dayClass: Uint8Array,
  settings: Settings,
  hold: (d: number) => HeldSpend | null,
  counted: (d: number) => HeldSpend | null,
): number {
  const onset = team.onset[t];
  let first = Math.max(onset, open + 1);
  while (first <= t && team.shift[first] !== 1) first++;
  const now = first > t ? null : hold(first);
  if (now === null) return 0;
  const factors: number[] = [];
  const zs: number[] = [];
  const levels: number[] = [];
  for (let d = Math.max(open + 1, onset - STEP_WINDOW_DAYS); d < onset; d++) {
    if (dayClass[d] !== dayClass[first] || team.shift[d] === 1) continue;
    const h = hold(d);
    if (h === null) continue;
    factors.push(Math.log(h.factor));
    zs.push(h.z);
    const c = counted(d);
    if (c !== null) levels.push(Math.log(c.factor));
  }
  if (factors.length < MIN_STEP_HISTORY) return 0;
  const stepped =
    Math.log(now.factor) - median(factors) >= Math.log(settings.teamShiftMinFactor) &&
    now.z - median(zs) >= settings.elevatedZ;
  return stepped ? Math.max(1, levels.length > 0 ? Math.exp(median(levels)) : 1) : 0;
}

/**
 * The level a team incident's spend is counted over when the pass read its onset as a step's (stepOver: a further
 * jump over an earlier episode, `stepFrom`) though it no longer reads that episode as going on: the median factor,
 * read by `held` (spendSince of the onset), of the earlier episode's shift days in the STEP_WINDOW_DAYS before the
 * onset (at least MIN_STEP_HISTORY read), else 1. Without it the held days of a step counted both jumps' extra over
 * before the first: H3-weekend's second jump was told $2,941 as a step on Oct 24, $7,248 held on Oct 25, $2,694 as a
 * step again on Oct 26 (npm run bench:team-impact, Dec 7 2026).
 */
export function steppedLevel(team: TeamScan, onset: number, held: (d: number) => HeldSpend | null): number {
  let from = -1;
  for (let d = onset; d < team.onset.length && from < 0; d++)
    if (team.onset[d] === onset && team.stepFrom[d] >= 0) from = team.stepFrom[d];
  if (from < 0) return 1;
  const factors: number[] = [];
  for (let d = Math.max(from, onset - STEP_WINDOW_DAYS); d < onset; d++) {
    if (team.onset[d] !== from || team.shift[d] !== 1) continue;
    const h = held(d);
    if (h !== null) factors.push(Math.log(h.factor));
  }
  return factors.length >= MIN_STEP_HISTORY ? Math.max(1, Math.exp(median(factors))) : 1;
}

/** Days back from an onset a developer's baseline of a class of day is looked for (a weekend is 6 back). */
const FROZEN_REACH = 7;

/**
 * A developer's day counts in the team's held spend (spendSince) up to this many times their usual as of the onset: a
 * price the team pays moves developers' days ×1.1–2.5, while one developer's runaway agent on a thin Saturday (8 of
 * H1-small's 50 active, one of them at ×880 of their usual) made the whole team's day read ×23 of before (before
 * weekends were left unread, heldTeamAnomaly).
 */
const HELD_DAY_CAP = 5;

/** A team's spend on a day against what its developers paid before an onset (spendSince). */
export interface HeldSpend {
  /** Their spend against their baselines as of the onset, over the same ratio on the class's days before it. */
  factor: number;
  /** log(factor) in the scale of that ratio's day-to-day spread before the onset. */
  z: number;
  /** The reference's days: every day's z shares the error of their median (heldRun). */
  referenceDays: number;
}

/** What spendSince reads of a team's day: the judged spend and the usuals it is set against, and how many developers. */
interface HeldDay {
  judged: number;
  frozen: number;
  counted: number;
}

/**
 * The team's spend against before `onset`, for any day t (a reader built once per onset and pass): the developers
 * active on t (an own baseline, not a new user's), each against their baseline of t's class of day as it was on the
 * onset (the latest one within FROZEN_REACH days before it), each day counted up to HELD_DAY_CAP times it and the
 * developer who adds most left out (unless `leaveOutTop` is false); that ratio against the same ratio, read the same
 * way, on the days of t's class before the onset in the pass (shift and elevated days left out, as isTeamShift's
 * reference leaves them). Null with fewer than MIN_TEAM_HISTORY such days of at least MIN_TEAM_USERS developers, or
 * fewer such developers on t. Developers' own baselines take in a lasting price within days (a team episode's days are
 * not held out of them), so the team's level soon reads normal while the team still pays the new price: this reads the
 * price against before it began (heldTeamAnomaly, heldRun). A team incident's impact (detect.ts teamDays) reads it with
 * that developer counted (`leaveOutTop` false): the cost is the whole team's, and with them left out the impact read
 * ×0.90 of what a price cost (×0.68 on demo mode's 80 developers); counted, ×1.03 (with the reference of before).
 *
 * The reference days were once the team's spend over its expected (its developers' baselines of each day), a ratio of
 * another kind: T1-steady's ordinary workdays after an Oct 19 onset read ×0.89–0.97 of before (×0.96–1.16 now, the
 * ratio's day-to-day spread), and 3 of 120 new team incidents were first told "$0.00 above expected", none now
 * (npm run bench:team-impact, Dec 7 2026: the impact reads ×1.09 of what a price cost, ×1.03 before). The frozen
 * usuals and the reference depend only on the onset and the class of day, so each is read once.
 */
export function spendSince(
  users: UserScan[],
  team: TeamScan,
  onset: number,
  evalFrom: number,
  dayClass: Uint8Array,
  settings: Settings,
  leaveOutTop = true,
): (t: number) => HeldSpend | null {
  // Each developer's usual of a class of day as of the onset (NaN: none within FROZEN_REACH days).
  const usuals = new Map<number, Float64Array>();
  const usualsOf = (cls: number): Float64Array => {
    let out = usuals.get(cls);
    if (out) return out;
    out = new Float64Array(users.length).fill(Number.NaN);
    users.forEach((s, i) => {
      const b = s.baseline;
      let r = onset;
      const stop = Math.max(b.from, onset - FROZEN_REACH);
      while (r >= stop && (dayClass[r] !== cls || !b.has(r) || b.teamLike(r) || b.sparse(r))) r--;
      if (r >= stop) out![i] = Math.max(0, Math.exp(b.center[r - b.from]) - LOG_OFFSET);
    });
    usuals.set(cls, out);
    return out;
  };
  const readDay = (d: number): HeldDay | null => {
    const usual = usualsOf(dayClass[d]);
    const day: HeldDay = { judged: 0, frozen: 0, counted: 0 };
    // The developer whose day adds most over their usual, left out below (for holding, not for an impact).
    const top = { judged: 0, frozen: 0, extra: Number.NEGATIVE_INFINITY };
    users.forEach((s, i) => {
      const b = s.baseline;
      if (Number.isNaN(usual[i]) || s.user.events[d] <= 0 || !b.has(d) || b.teamLike(d) || b.sparse(d)) return;
      const spent = Math.min(s.judged.cents[d], HELD_DAY_CAP * usual[i]);
      day.judged += spent;
      day.frozen += usual[i];
      day.counted++;
      if (spent - usual[i] > top.extra)
        Object.assign(top, { judged: spent, frozen: usual[i], extra: spent - usual[i] });
    });
    // A price the team pays shows without any one developer: on a team of 40, one developer's runaway days at the
    // cap still read ×1.07–1.12 of before and held a one-week rise's incident a week past its end.
    if (leaveOutTop) {
      day.judged -= top.judged;
      day.frozen -= top.frozen;
      day.counted--;
    }
    return day.counted < MIN_TEAM_USERS || !(day.frozen > 0) || !(day.judged > 0) ? null : day;
  };
  const references = new Map<number, { center: number; scale: number; days: number } | null>();
  const referenceOf = (cls: number) => {
    if (references.has(cls)) return references.get(cls)!;
    const ratios: number[] = [];
    for (let d = Math.max(evalFrom, onset - settings.baselineDays); d < onset; d++) {
      if (dayClass[d] !== cls || team.shift[d] === 1 || team.z[d] >= settings.elevatedZ) continue;
      const day = readDay(d);
      if (day !== null) ratios.push(Math.log(day.judged / day.frozen));
    }
    let reference: { center: number; scale: number; days: number } | null = null;
    if (ratios.length >= MIN_TEAM_HISTORY) {
      const center = median(ratios);
      reference = { center, scale: Math.max(MIN_TEAM_SCALE, robustScale(ratios, center)), days: ratios.length };
    }
    references.set(cls, reference);
    return reference;
  };
  // A pass reads some days more than once (the day held and its run, a step's window and the impact's days).
  const read = new Map<number, HeldSpend | null>();
  return (t) => {
    if (read.has(t)) return read.get(t)!;
    const reference = referenceOf(dayClass[t]);
    const day = reference === null ? null : readDay(t);
    let held: HeldSpend | null = null;
    if (reference !== null && day !== null) {
      const rise = Math.log(day.judged / day.frozen) - reference.center;
      held = { factor: Math.exp(rise), z: rise / reference.scale, referenceDays: reference.days };
    }
    read.set(t, held);
    return held;
  };
}

/** Workdays read together to hold a team incident (heldRun): the day read and up to two before it. */
const HELD_RUN_DAYS = 3;

/** Calendar days back from the day read that heldRun looks for the workdays before it (a weekend, a day not read). */
const HELD_RUN_REACH = 6;

/**
 * Whether a team's spend over before an onset (spendSince) keeps its incident open: day t, up by teamShiftMinFactor,
 * at z elevatedZ alone, or read together with the workdays before it (up to HELD_RUN_DAYS in all, none before the
 * onset, each up by teamShiftMinFactor: one under it ends the run) as one reading, (Σ z) / √(k + k(k − 1) · shared),
 * each day's z counted up to elevatedZ and `shared` what two days' z share through the reference's median (π/2 over
 * its days). The reading of most evidence is returned; null when none reaches elevatedZ.
 *
 * A lasting price shows on every workday. Where a team's days spread widely, each day of one read under the bar
 * alone, and its incident resolved while the team paid on: demo mode's 80 developers read ×1.17–1.19 of before on a
 * spread of ×1.09, z 1.7–1.9 (`npm run backtest` on its database, Dec 7 2026), resolved on the price's sixth day;
 * bench:detect's T5-holidays, held on Oct 26, 27 and 29, resolved on Nov 1. A day counts up to elevatedZ in a run:
 * one far over (often the onset's) would otherwise hold the days after it at ×1.07.
 */
export function heldRun(
  read: (d: number) => HeldSpend | null,
  t: number,
  onset: number,
  workday: (d: number) => boolean,
  settings: Settings,
): { day: HeldSpend; z: number; workdays: number } | null {
  const day = read(t);
  if (day === null || day.factor < settings.teamShiftMinFactor) return null;
  const shared = MEDIAN_VARIANCE / day.referenceDays;
  let best = { day, z: day.z, workdays: 1 };
  let sum = Math.min(day.z, settings.elevatedZ);
  let k = 1;
  for (let d = t - 1; d >= onset && d >= t - HELD_RUN_REACH && k < HELD_RUN_DAYS; d--) {
    if (!workday(d)) continue;
    const before = read(d);
    if (before === null) continue;
    if (before.factor < settings.teamShiftMinFactor) break;
    sum += Math.min(before.z, settings.elevatedZ);
    k++;
    const z = sum / Math.sqrt(k + k * (k - 1) * shared);
    if (z > best.z) best = { day, z, workdays: k };
  }
  return best.z >= settings.elevatedZ ? best : null;
}
