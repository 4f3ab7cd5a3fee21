import { DETECTORS, SPEND_LIMIT_FEATURE_MODES } from '@cursor-cost-watch/contract';
import { z } from 'zod';

/**
 * Every detection threshold and notification option, with its default and what it does. Stored one row per key in
 * the `settings` table (worker/src/settings/store.ts); a key missing there takes the default below.
 * The first block keeps the original tool's published defaults; the second is this engine's own.
 */

const num = (min: number, max: number, fallback: number, description: string) =>
  z
    .number({ message: 'must be a number' })
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback)
    .describe(description);
const int = (min: number, max: number, fallback: number, description: string) =>
  z
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback)
    .describe(description);
const delivery = (channel: string) =>
  z
    .enum(['immediate', 'digest', 'off'], { message: 'must be "immediate", "digest" or "off"' })
    .default('immediate')
    .describe(
      `${channel}: send each alert at once ("immediate"), once a day in the digest ("digest"), or never ("off")`,
    );

export const settingsShape = {
  // --- The original tool's three layers, with its published defaults ---
  cycleSpendLimitDollars: num(
    0,
    1_000_000,
    50,
    'Thresholds: alert when a user spends more than this (dollars) in the current billing cycle',
  ),
  dailyRequestLimit: int(
    0,
    10_000_000,
    500,
    'Thresholds: alert when a user makes more than this many requests in a day',
  ),
  dailyTokenLimit: int(0, 1e12, 5_000_000, 'Thresholds: alert when a user uses more than this many tokens in a day'),
  thresholdsOnlyWhenUnusual: z
    .boolean({ message: 'must be true or false' })
    .default(true)
    .describe(
      'Thresholds: true = a limit crossing is reported inside the personal anomaly it belongs to (why.limitsCrossed), and only when unusual for the user (their normal day would not cross it); false = every crossing is its own alert, as the original did',
    ),
  teamZThreshold: num(
    0.5,
    20,
    2.0,
    'Team z-score: how far (robust z on log spend) above the team a user with little history of their own must be',
  ),
  teamZWindowDays: int(3, 90, 14, 'Team z-score: days of team history the team baseline is taken from'),
  spikeMultiplier: num(
    1,
    100,
    3.0,
    "Personal spike: a day counts as a spike when it is at least this many times the user's expected spend (and its robust z passes spikeZThreshold)",
  ),
  driftDaysAbove: int(
    1,
    30,
    3,
    "Drift: days above the user's own expected (robust z ≥ elevatedZ and above expected) needed within driftWindowDays, together with a sustained excess (cusumThreshold). The original compared with the team's P75, which only found power users",
  ),
  driftWindowDays: int(1, 60, 5, 'Drift: the last N days looked at for driftDaysAbove'),
  modelShiftMinShareRise: num(
    0.01,
    1,
    0.3,
    'Model shift: rise in the share of spend on expensive models (0..1) versus the baseline (the original: 5% to 45%)',
  ),
  modelShiftMinShareAfter: num(
    0.01,
    1,
    0.45,
    'Model shift: share of spend on expensive models (0..1) during the episode at least this',
  ),
  premiumCostFactor: num(
    1,
    100,
    2.5,
    "Model shift: a model is 'expensive' when its observed cost per request is at least this many times the team's typical cost per request (derived from the data, no list of names)",
  ),

  // --- This engine's own ---
  minImpactDollars: num(
    0,
    1_000_000,
    20,
    'Nothing alerts unless the dollars spent above expected since onset reach this',
  ),
  spikeZThreshold: num(
    0.5,
    50,
    4.5,
    "Personal spike: robust z (median/MAD on log spend) a single day must reach against the user's own baseline",
  ),
  elevatedZ: num(
    0.1,
    20,
    2.0,
    "A day is 'elevated' (counts towards drift, excluded from later baselines) from this robust z",
  ),
  onsetZ: num(
    0,
    20,
    1.0,
    'Episodes: the reference robust z of the cumulative sum (CUSUM); an episode starts (its onset) on the first day above it and lasts while the sum stays above zero',
  ),
  cusumThreshold: num(
    0.5,
    100,
    4.0,
    'Drift: the cumulative sum of (z - onsetZ) over an episode that makes a sustained excess (also its cap, so an episode ends within a few normal days)',
  ),
  baselineDays: int(7, 120, 28, "Days of the user's own history the baseline (median/MAD) is taken from"),
  adaptAfterDays: int(
    1,
    120,
    14,
    'An anomalous episode older than this becomes part of the baseline again (a lasting change becomes the new normal)',
  ),
  weekdayAware: z
    .boolean({ message: 'must be true or false' })
    .default(true)
    .describe(
      "Compare workdays with workdays and weekends with weekends (someone without a level of their own is compared with the team's heavy users on the class of day where those spend more)",
    ),
  newUserDays: int(
    0,
    120,
    10,
    'Users with fewer active days of history than this are compared with a shrunken team baseline (reported as team_zscore)',
  ),
  newUserPriorDays: num(
    0,
    60,
    3,
    "Weight (in days) of the team's level in a new user's baseline: on day one they are compared with the team, after a few days mostly with themselves",
  ),
  shrinkageDays: num(
    0,
    120,
    10,
    "Weight (in days) of the team's typical day-to-day spread mixed into everyone's own, so a few quiet weeks do not make a hair trigger",
  ),
  teamShiftFraction: num(
    0.05,
    1,
    0.5,
    "Team shift: share of the team whose spend must have risen together (against each one's own expected) to call a team-wide shift: one team incident instead of one per developer",
  ),
  // 1.07 since Dec 4 2026 (1.1 before): a pricier model for most of a team moves the median developer by ×1.07–1.09
  // (bench:detect's U6-enterprise, an unseen team: $800 a day over expected, 26 days without a team incident); on the
  // tuning teams and R1/R2, 1.05 and 1.06 gave R2-busy20 a false team shift, 1.07 none. With the team rules of Dec 6,
  // 1.05 over all 64 teams: U5's $2,406 jump found, but 5 false team incidents more, one of which took in A2-plain's
  // $20,587 jump (found 35 days late; docs/benchmarks.md).
  teamShiftMinFactor: num(
    1,
    100,
    1.07,
    "Team shift: how much that share of the team must have risen (1.07 = 7%) compared with the team's usual level; to open a team incident, also compared with their own usual, and the whole team's spend over expected by as much. Lower (1.05) tells sooner of a price change that hits only part of the team, at the price of more false team incidents (a noisy day opening one, which can then take in a real jump that follows)",
  ),
  runawayMinHeadlessShare: num(
    0,
    1,
    0.5,
    'Runaway agent: share of the episode spend that is headless (background/cloud agents) at least this',
  ),
  runawayMinVolumeFactor: num(1, 1000, 3, 'Runaway agent: requests at least this many times the expected'),
  mixHabitVolumeDays: int(
    1,
    5,
    1,
    "Model shift: on a team where taking a pricier model for a day is ordinary (a tenth of its developers had a lone such day in the last baselineDays), the first N days in a row on a new mix are judged by their volume, at the developer's usual cost per request (one day more for a developer who had such a day in the baselineDays before, or whose use began within them); the next day is judged at its cost and raises an alert when it alarms. A day is on a new mix when its share of spend, or of requests, on expensive models passes modelShiftMinShareAfter and modelShiftMinShareRise. 2 raises fewer false model shifts on such teams and tells a lasting switch a day or more later",
  ),
  autoResolveAfterDays: int(
    2,
    60,
    3,
    'An incident whose signal has been normal for this many evaluated days resolves itself',
  ),
  severityWarningDollars: num(
    0,
    1_000_000,
    100,
    'Severity: impact since onset from this many dollars is a warning (below it: info)',
  ),
  severityCriticalDollars: num(0, 1_000_000, 500, 'Severity: impact since onset from this many dollars is critical'),
  disabledDetectors: z
    .array(z.enum(DETECTORS, { message: `must be one of ${DETECTORS.join(', ')}` }))
    .default([])
    .describe('Detectors that report nothing'),

  // --- Notifications ---
  notifySlack: delivery('Slack'),
  notifyEmail: delivery('Email'),
  notifyWebhook: delivery('Webhook'),
  notifyMinSeverity: z
    .enum(['info', 'warning', 'critical'], { message: 'must be "info", "warning" or "critical"' })
    .default('info')
    .describe('Notifications: the lowest severity that is sent at all'),
  digestHourUtc: int(0, 23, 9, 'Notifications: hour of the day (UTC) the daily digest is sent'),
  teamBudgetDollars: num(
    0,
    100_000_000,
    0,
    "Team budget in dollars per billing cycle (0: none). The overview dashboard's forecast and Grafana's forecast-over-budget alert compare the cycle's projected spend with it",
  ),
  // --- Spend limits set from Grafana (issue 15) ---
  spendLimitFeature: z
    .enum(SPEND_LIMIT_FEATURE_MODES, { message: 'must be "auto", "on" or "off"' })
    .default('auto')
    .describe(
      'Spend limits: lets Admins set, change or remove a developer\'s Cursor spend limit from an incident or the Users page. "auto": on in demo mode (the simulated team), off when a real CURSOR_ADMIN_API_KEY is configured; "on"; "off"',
    ),
  spendLimitSuggestionFactor: num(
    1,
    20,
    1.5,
    "Spend limits: the suggested limit is the developer's usual cycle spend (average daily spend over the 28 days before the anomaly, times the days of the billing cycle) times this, rounded up to whole dollars",
  ),

  // --- Nudge the developer first (worker/src/nudge) ---
  nudgeDetectors: z
    .array(z.enum(DETECTORS, { message: `must be one of ${DETECTORS.join(', ')}` }))
    .default([])
    .describe(
      "Nudge first: for a developer's anomaly from these detectors, the developer gets a personal email before the team channels hear about it (empty: nobody is nudged)",
    ),
  nudgeEscalateAfterDays: int(
    1,
    30,
    2,
    'Nudge first: the team channels hear about the incident when the anomaly is still active this many days after the nudge; if it ends first, the incident resolves as "fixed after nudge"',
  ),
  nudgeDailyCapPerDeveloper: int(
    1,
    50,
    2,
    'Nudge first: at most this many nudges a developer gets per day (UTC); further anomalies that day go to the team channels as usual',
  ),
};

export const settingsSchema = z
  .object(settingsShape)
  .strict()
  .superRefine((s, ctx) => {
    if (s.driftDaysAbove > s.driftWindowDays)
      ctx.addIssue({
        code: 'custom',
        path: ['driftDaysAbove'],
        message: `must not exceed driftWindowDays (${s.driftWindowDays})`,
      });
    if (s.severityCriticalDollars < s.severityWarningDollars)
      ctx.addIssue({
        code: 'custom',
        path: ['severityCriticalDollars'],
        message: `must be at least severityWarningDollars (${s.severityWarningDollars})`,
      });
    if (s.onsetZ > s.elevatedZ)
      ctx.addIssue({ code: 'custom', path: ['onsetZ'], message: `must not exceed elevatedZ (${s.elevatedZ})` });
  });

export type Settings = z.output<typeof settingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(settingsShape) as SettingKey[];
export const DEFAULT_SETTINGS: Settings = Object.freeze(settingsSchema.parse({})) as Settings;

/** Every setting with what it does and its default, for the API and the Grafana settings page. */
export function describeSettings(): { key: SettingKey; description: string; default: unknown }[] {
  return SETTING_KEYS.map((key) => ({
    key,
    description: settingsShape[key].description ?? '',
    default: DEFAULT_SETTINGS[key],
  }));
}
