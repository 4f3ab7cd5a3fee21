/**
 * The scan's vocabulary: what a detection scan keeps per developer and for the team, what every developer's day is
 * judged with, and two constants its files share (a day's cap in a sum of z, the idle gap that ends a walk back over
 * days). The scan (scan.ts) fills these; the tests of a day read them.
 */
import type { Settings } from '../settings/schema';
import type { DetectorName } from './types';
import type { UserSeries } from './series';
import type { BaselineDays } from './baseline';

/** Each z contributes at most this much to the drift sum: one huge day is a spike, not a drift. */
export const Z_CAP = 3;

/** Idle days (a user's weekend, a day too quiet to judge the team) inside an episode do not end it, up to this many in a row. */
export const MAX_IDLE_GAP = 3;

export type AlarmPath = 'spike' | 'drift' | 'model' | 'runaway';

/** A user's evaluated days (index = day in the series); NaN / -1 / 0 where not evaluated or inactive. */
export interface UserScan {
  user: UserSeries;
  /** `user` with the spend detection judges (judgedSpend: a habit's day on a pricier mix at its volume), or `user`. */
  judged: UserSeries;
  /** Baselines of the evaluated days (from evalFrom). */
  baseline: BaselineDays;
  z: Float64Array;
  expected: Float64Array;
  bandLow: Float64Array;
  bandHigh: Float64Array;
  flagged: Uint8Array;
  /** Onset day index of the episode this day belongs to, or -1. */
  onset: Int32Array;
  /** Dollars (cents) above expected from the onset to this day. */
  impact: Float64Array;
  /** The detector the episode was classified as when it first alarmed (set from that day on), or null. */
  detector: (DetectorName | null)[];
  /**
   * 1 on a weekend day under the reference that an open drift, model shift or new user's level was held over
   * (episode.ts weekendLull: neither extended nor ended); onset, impact and detector are not set on it.
   */
  lull: Uint8Array;
}

export interface TeamScan {
  factor: Float64Array; // team day effect (≥ 1) applied to everyone's expected
  level: Float64Array; // log ratio to expected of the (1 − teamShiftFraction) quantile user; NaN when not judged
  shift: Uint8Array; // a team-wide shift that day
  z: Float64Array; // the level's rise over its own recent history, in its scale; NaN when not judged (for traces)
  observed: Float64Array; // cents of established active users (their spend as judged, UserScan.judged)
  spent: Float64Array; // the same users' cents as they were: what a team alert reports
  expected: Float64Array; // their expected cents without the day effect
  onset: Int32Array;
  impact: Float64Array;
  alarmed: Uint8Array;
  /** A step episode: the onset of the open episode it stepped up from (stepOver), or -1. */
  stepFrom: Int32Array;
  /** Spend over expected the episode's impact is counted above: 1, or the level a step episode stepped up from. */
  base: Float64Array;
}

export interface ScanResult {
  users: UserScan[];
  team: TeamScan;
  expensive: Set<string>;
}

/** What every user's day of one scan is judged with. */
export interface ScanContext {
  settings: Settings;
  evalFrom: number;
  /** minImpactDollars in cents: the least an episode must be worth to alarm. */
  minImpact: number;
  expensive: Set<string>;
  /** 0 workday, 1 weekend, per day index. */
  dayClass: Uint8Array;
  /** The team's day effect (TeamScan.factor), per day index: every expected is the baseline times it. */
  teamFactor: Float64Array;
  /** TeamScan.alarmed: days of an alarmed team episode. */
  teamAlarmed: Uint8Array;
  /** mixHabitDays, per day index: 1 where the team tries pricier models for a day as ordinary work (oneMixDay). */
  mixHabit: Uint8Array;
  /** stretchFactor of the team's noise correlation: how many times more a median of n days errs than one of n
   * independent ones. */
  stretch: number;
}

/** One active day of a user measured against their baseline (times the team's day effect). */
export interface DayReading {
  t: number;
  /** Judged against the team (a new user or one back from a long absence). */
  teamLike: boolean;
  /** Days behind the baseline's scale (Baseline.days). */
  days: number;
  /** The day's spend as judged (UserScan.judged). */
  x: number;
  /** (log spend − center) / scale, before the t-to-z discount (0 on a tie with expected: scan.ts isTie). */
  tRaw: number;
  z: number;
  expected: number;
  /** x above expected, at the day's own price (atDayPrice). */
  excess: number;
  elevated: boolean;
}

/** A candidate episode: its onset and the cents above expected since then. */
export interface Span {
  onset: number;
  impact: number;
}

export interface EpisodeState {
  cusum: number;
  runOnset: number; // first day of the current CUSUM run (it left zero), -1 when none
  runImpact: number; // net cents above expected over the run
  provisional: number[]; // days the run keeps out of the baseline until it alarms or ends
  onset: number; // onset of the alarmed episode
  impact: number; // net cents above expected since that onset
  detector: DetectorName | null; // set while an alarmed episode lasts
  normalStreak: number; // active days in a row within the reference during an alarmed episode (not lull days)
  /** The day the last alarmed episode ended (or evalFrom): a new episode's onset is never before it. */
  floor: number;
}
