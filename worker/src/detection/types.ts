import type { DETECTORS, Severity } from '@cursor-cost-watch/contract';

/** What an anomaly is about: one developer, or the whole team. */
export type Scope = 'user' | 'team';

/** One user's day, as read from user_daily_rollup (cents and counts are plain numbers). */
export interface UserDay {
  email: string;
  day: string; // YYYY-MM-DD (UTC)
  events: number;
  requestsCosts: number;
  chargedCents: number;
  totalTokens: number;
  maxModeEvents: number;
  headlessEvents: number;
  maxModeCents: number;
  headlessCents: number;
}

/** One user's day on one model, from user_model_daily_rollup. */
export interface UserModelDay {
  email: string;
  day: string;
  model: string;
  events: number;
  chargedCents: number;
  totalTokens: number;
}

/** The detectors, listed once in the contract shared with the plugin. */
export type DetectorName = (typeof DETECTORS)[number];

/**
 * The other names of a developer's spike episode: one episode under either name, same onset, for incidents (upsert.ts,
 * suppression.ts) and for bench:detect's grouping (episodes.ts). The lasting rises a spike that goes on is renamed to
 * (episode.ts, lastingSpike), and a runaway agent: hourly passes on a growing day read one runaway as a runaway at 03:00
 * (its burst), a spike at 05:00 (its requests not yet runawayMinVolumeFactor times a whole day's) and a runaway again
 * at noon, two incidents and two messages before (bench:detect-hourly, Dec 5 2026).
 */
export const SPIKE_RENAMES: readonly DetectorName[] = ['model_shift', 'sustained_drift', 'runaway_agent'];

/**
 * The spike's other names that read it as lasting: a spike may be renamed to one of these read from a later onset
 * (detection/episodes.ts continuesSpike). A runaway agent is one day's excess: from another day it is a new one.
 */
export const LASTING_RISES: readonly DetectorName[] = ['model_shift', 'sustained_drift'];

/** A developer's spike episode under any of its names: the spike and SPIKE_RENAMES. */
export const SPIKE_NAMES: readonly DetectorName[] = ['personal_spike', ...SPIKE_RENAMES];

/**
 * A developer's episode of one day's excess (a spike, a runaway agent): it ends on the next ordinary active day. Every
 * other one (a drift, a model shift, a new user's level of more than one day) lasts, over idle days and weekend lulls
 * alike (user-days.ts isOneDayEpisode, for episode.ts weekendLull and detect.ts heldOverIdleDays).
 */
export const isOneDayExcess = (detector: DetectorName | null) =>
  detector === 'personal_spike' || detector === 'runaway_agent';

/** Why the cost moved: volume vs cost per request vs model mix, plus the context a manager asks for. */
export interface Why {
  driver: 'volume' | 'cost_per_request' | 'model_mix' | 'mixed';
  volumeFactor: number; // events now / events expected
  costPerRequestFactor: number; // cents per event now / expected
  topModel: string | null;
  topModelShare: number; // of cents, 0..1
  maxModeShare: number; // of cents
  headlessShare: number; // of cents
  premiumShareBefore?: number; // share of cents on expensive models in the baseline
  premiumShareAfter?: number;
  modelsBefore?: Record<string, number>; // cents share per model
  modelsAfter?: Record<string, number>;
  limit?: number; // threshold detectors: the configured limit (dollars, requests or tokens)
  limitsCrossed?: string[]; // limits (cycle_spend, daily_requests, daily_tokens) crossed during this anomaly
  newUser?: boolean;
  /** The episode's day of largest excess (the headline reports it, not the last evaluated day). */
  peakDay?: string;
  peakCents?: number;
  peakExpectedCents?: number; // compared with the (shrunken) team baseline rather than their own history
  firstSeenDay?: string | null;
  /**
   * A team episode that began as a further step of the team's level while an earlier team episode was open: that
   * episode's onset (YYYY-MM-DD). The incident layer opens a new team incident for it rather than moving the open
   * one's onset.
   */
  stepAfter?: string;
  /**
   * A team anomaly: the first day (YYYY-MM-DD) from which the pass judged every day's team level against a full
   * reference of its own class of day. A pass whose window begins after an open team incident's onset, or inside a
   * team-wide jump, has too little history for the days before it: its later onset is not evidence against the
   * incident's, which keeps it (incidents/upsert.ts, detection/episodes.ts).
   */
  judgedFrom?: string;
  /**
   * A team anomaly: the onsets (YYYY-MM-DD) of every alarmed team episode the pass saw in its window, oldest first,
   * this one's last (a step's list includes the episode it stepped over; the step opens its own incident first,
   * incidents/team-steps.ts). An open team incident keeps an onset the pass still reads as an alarmed episode's: a
   * later onset of that pass is its reading of where the latest stretch began (one day under the bar in between
   * ended the earlier stretch in its reading, while earlier passes joined them), not evidence that the earlier day was
   * no shift (bench:detect's T1-steady, Nov 2 -> Nov 10).
   */
  alarmedOnsets?: string[];
  /**
   * A team anomaly reported because the team's spend stayed up against before an open team incident's onset, though
   * the pass's own reading of the team level no longer shows it (team-scan.ts spendSince, heldRun): the day read
   * (YYYY-MM-DD) and its spend over what its developers paid before the onset (×); the evidence that holds it (z, in
   * that ratio's day-to-day spread), of that day alone or read together with the workdays before it (`workdays` in
   * all; absent from anomalies stored before Dec 8 2026, which read the day alone).
   */
  heldUp?: { day: string; factor: number; z: number; workdays?: number };
}

/** An anomaly as a detector reports it; incidents are opened or updated from these. */
export interface Anomaly {
  scope: Scope;
  subject: string; // email, or 'team'
  detector: DetectorName;
  severity: Severity;
  asOf: string; // the evaluated day, YYYY-MM-DD
  onsetAt: string; // ISO timestamp when the excess began (start of the first anomalous day)
  observed: number;
  expected: number;
  bandLow: number | null;
  bandHigh: number | null;
  unit: 'cents' | 'requests' | 'tokens' | 'share';
  impactCents: number; // dollars (in cents) spent above expected since onset
  topModel: string | null;
  why: Why;
  summary: string; // one line a human reads in Slack
}
