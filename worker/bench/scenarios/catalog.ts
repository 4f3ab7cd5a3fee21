import type { TeamShape } from './team';

const LAST_DAY = '2026-11-20';

const shape = (s: Partial<TeamShape> & Pick<TeamShape, 'name' | 'set' | 'seed' | 'size'>): TeamShape => ({
  historyDays: 84,
  lastDay: LAST_DAY,
  replayFrom: 21,
  powerShare: 0.08,
  partTimeShare: 0.05,
  joinerShare: 0.04,
  leaverShare: 0.03,
  weekendActive: 0.2,
  weekendVolume: 0.5,
  holidays: 0,
  vacationShare: 0.15,
  teamEvents: 1,
  earlyAnomalies: 1,
  anomaliesPer100: 8,
  ...s,
});

/** A team without busy days (`<prefix>-plain`) and its twin with `share` of them (`<prefix>-busy<percent>`). */
const busyTwins = (prefix: string, share: number, s: Omit<Parameters<typeof shape>[0], 'name'>): TeamShape[] => [
  shape({ ...s, name: `${prefix}-plain` }),
  shape({ ...s, name: `${prefix}-busy${Math.round(share * 100)}`, busyDayShare: share }),
];

/** A team without mix days (`<prefix>-plain`) and its twin with `share` of them (`<prefix>-mix<percent>`). */
const mixTwins = (prefix: string, share: number, s: Omit<Parameters<typeof shape>[0], 'name'>): TeamShape[] => [
  shape({ ...s, name: `${prefix}-plain` }),
  shape({ ...s, name: `${prefix}-mix${Math.round(share * 100)}`, mixDayShare: share }),
];

/** A team whose noise is drawn day by day (`<prefix>-plain`) and its twin with it correlated `rho` with the day before. */
const autocorrTwins = (prefix: string, rho: number, s: Omit<Parameters<typeof shape>[0], 'name'>): TeamShape[] => [
  shape({ ...s, name: `${prefix}-plain` }),
  shape({ ...s, name: `${prefix}-ar${Math.round(rho * 100)}`, noiseCorrelation: rho }),
];

/** A team (`<prefix>-plain`) and its twin whose developers share a day factor in stretches (`<prefix>-shared<sd %>`). */
const sharedTwins = (
  prefix: string,
  sd: number,
  rho: number,
  s: Omit<Parameters<typeof shape>[0], 'name'>,
): TeamShape[] => [
  shape({ ...s, name: `${prefix}-plain` }),
  shape({ ...s, name: `${prefix}-shared${Math.round(sd * 100)}`, sharedNoise: { sd, rho } }),
];

/** A team judged after 21 days of history (`<prefix>-short`) and its twin judged after 77 (`<prefix>-long`). */
const backfillTwins = (prefix: string, s: Omit<Parameters<typeof shape>[0], 'name' | 'historyDays' | 'replayFrom'>) => [
  shape({ ...s, name: `${prefix}-short`, historyDays: 140, replayFrom: 77, backfillDays: 21 }),
  shape({ ...s, name: `${prefix}-long`, historyDays: 140, replayFrom: 77 }),
];

/**
 * The benchmark's teams. Thresholds were tuned on the TUNING set only; the HELD-OUT set was written before the fixes
 * were tuned and is never used to choose a setting: its rows are the figures the README quotes. The FRESH set was
 * added after designs had read held-out misses; the UNSEEN set after rules had read fresh and held-out results.
 * Seeds never repeat between the sets.
 */
export const SCENARIOS: TeamShape[] = [
  // --- tuning ---
  shape({ name: 'T1-steady', set: 'tuning', seed: 101, size: 120 }),
  shape({
    name: 'T2-weekend',
    set: 'tuning',
    seed: 102,
    size: 300,
    weekendActive: 0.55,
    weekendVolume: 0.8,
    teamEvents: 2,
  }),
  shape({ name: 'T3-power', set: 'tuning', seed: 103, size: 60, powerShare: 0.35, replayFrom: 14, earlyAnomalies: 2 }),
  shape({
    name: 'T4-churn',
    set: 'tuning',
    seed: 104,
    size: 500,
    joinerShare: 0.15,
    leaverShare: 0.1,
    partTimeShare: 0.15,
  }),
  shape({ name: 'T5-holidays', set: 'tuning', seed: 105, size: 200, holidays: 4, vacationShare: 0.4, teamEvents: 3 }),
  // Added Dec 4 2026 (07:10 UTC): five tuning teams had 3 false alerts between them, too few to choose a rule for false
  // alerts by, and none of a fresh install or of a large team with churn. New seeds; held-out and fresh results had
  // been read by then, and T6, T7, T9 take H5's, H7's and H2's settings, T8 nearly F1's.
  shape({
    name: 'T6-churn',
    set: 'tuning',
    seed: 106,
    size: 700,
    joinerShare: 0.2,
    leaverShare: 0.12,
    partTimeShare: 0.2,
  }),
  shape({
    name: 'T7-newinstall',
    set: 'tuning',
    seed: 107,
    size: 150,
    historyDays: 45,
    replayFrom: 10,
    earlyAnomalies: 3,
    powerShare: 0.15,
  }),
  shape({
    name: 'T8-mixed',
    set: 'tuning',
    seed: 108,
    size: 400,
    powerShare: 0.2,
    partTimeShare: 0.15,
    joinerShare: 0.1,
    weekendActive: 0.4,
    holidays: 2,
    teamEvents: 2,
    earlyAnomalies: 3,
  }),
  shape({ name: 'T9-power', set: 'tuning', seed: 109, size: 120, powerShare: 0.3, replayFrom: 14, earlyAnomalies: 2 }),
  // --- held-out ---
  shape({ name: 'H1-small', set: 'held-out', seed: 201, size: 50, partTimeShare: 0.2, earlyAnomalies: 2 }),
  shape({
    name: 'H2-power',
    set: 'held-out',
    seed: 202,
    size: 120,
    powerShare: 0.3,
    replayFrom: 14,
    earlyAnomalies: 2,
  }),
  shape({
    name: 'H3-weekend',
    set: 'held-out',
    seed: 203,
    size: 300,
    weekendActive: 0.6,
    weekendVolume: 0.9,
    teamEvents: 3,
  }),
  shape({ name: 'H4-holidays', set: 'held-out', seed: 204, size: 250, holidays: 5, vacationShare: 0.5, teamEvents: 2 }),
  shape({
    name: 'H5-churn',
    set: 'held-out',
    seed: 205,
    size: 800,
    joinerShare: 0.2,
    leaverShare: 0.12,
    partTimeShare: 0.2,
  }),
  shape({
    name: 'H6-large',
    set: 'held-out',
    seed: 206,
    size: 2000,
    replayFrom: 49, // 35 replayed days: a pass on 2,000 developers takes seconds
    teamEvents: 2,
    earlyAnomalies: 3,
    anomaliesPer100: 3,
  }),
  shape({
    name: 'H7-newinstall',
    set: 'held-out',
    seed: 207,
    size: 150,
    historyDays: 45,
    replayFrom: 10,
    earlyAnomalies: 3,
    powerShare: 0.15,
  }),
  // --- fresh: added Dec 3 2026 after the last detection changes, two of which were designed from held-out misses
  // (the large-spike path, read from H5/H6's misses). Never looked at for design: the honest check of those rules.
  shape({
    name: 'F1-mixed',
    set: 'fresh',
    seed: 301,
    size: 400,
    powerShare: 0.2,
    partTimeShare: 0.1,
    joinerShare: 0.1,
    weekendActive: 0.4,
    holidays: 2,
    teamEvents: 2,
    earlyAnomalies: 2,
  }),
  shape({
    name: 'F2-parttime',
    set: 'fresh',
    seed: 302,
    size: 200,
    partTimeShare: 0.3,
    vacationShare: 0.35,
    historyDays: 60,
    replayFrom: 14,
  }),
  // --- unseen: added Dec 3 2026 (20:50 UTC) after the rules that read held-out and fresh results (the headless burst
  // was designed from H5-churn's misses); new seeds and shapes, measured once with the session's last detection change
  // in, never used to choose or design anything. Their rows are the honest check of every rule tuned or read so far.
  shape({ name: 'U1-startup', set: 'unseen', seed: 901, size: 60, powerShare: 0.25, teamEvents: 2 }),
  shape({ name: 'U2-agency', set: 'unseen', seed: 902, size: 180, partTimeShare: 0.3, weekendActive: 0.4 }),
  shape({
    name: 'U3-growth',
    set: 'unseen',
    seed: 903,
    size: 350,
    joinerShare: 0.25,
    leaverShare: 0.05,
    teamEvents: 2,
  }),
  shape({ name: 'U4-holidays', set: 'unseen', seed: 904, size: 250, holidays: 6, vacationShare: 0.45 }),
  shape({
    name: 'U5-weekend',
    set: 'unseen',
    seed: 905,
    size: 300,
    weekendActive: 0.65,
    weekendVolume: 1,
    teamEvents: 3,
  }),
  shape({
    name: 'U6-enterprise',
    set: 'unseen',
    seed: 906,
    size: 1200,
    replayFrom: 49,
    teamEvents: 2,
    anomaliesPer100: 4,
  }),
  shape({ name: 'U7-newinstall', set: 'unseen', seed: 907, size: 100, historyDays: 40, replayFrom: 10 }),
  shape({
    name: 'U8-mixed',
    set: 'unseen',
    seed: 908,
    size: 500,
    powerShare: 0.15,
    partTimeShare: 0.15,
    joinerShare: 0.1,
    leaverShare: 0.1,
    weekendActive: 0.35,
    holidays: 2,
    teamEvents: 3,
    earlyAnomalies: 3,
  }),
  // --- busy days (Dec 4 2026, 12:05 UTC): a share of every developer's days at 2-4 times their usual, as ordinary work;
  // added after every earlier detection change; the scale's upper tail (d45a1ec) was designed on these two. Does the
  // false-alert rate hold when high days are far more common than a log-normal has them? Each comes with its twin
  // without busy days: the same seed draws the same developers, anomalies, working days and noise (busy days have a
  // stream of their own), and only the busy days' factors differ.
  ...busyTwins('R1', 0.1, { set: 'busy', seed: 1001, size: 200 }),
  ...busyTwins('R2', 0.2, {
    set: 'busy',
    seed: 1002,
    size: 300,
    powerShare: 0.2,
    partTimeShare: 0.15,
    weekendActive: 0.35,
    vacationShare: 0.3,
    teamEvents: 2,
  }),
  // --- busy days, held out (Dec 4 2026, 12:05 UTC): written before any rule for busy days, read only as summary rows
  // until one is kept.
  ...busyTwins('R3', 0.2, {
    set: 'busy-held-out',
    seed: 1003,
    size: 500,
    joinerShare: 0.15,
    leaverShare: 0.1,
    partTimeShare: 0.1,
    holidays: 2,
    teamEvents: 2,
    earlyAnomalies: 2,
  }),
  ...busyTwins('R4', 0.1, {
    set: 'busy-held-out',
    seed: 1004,
    size: 150,
    powerShare: 0.3,
    replayFrom: 14,
    weekendActive: 0.3,
  }),
  // --- model-mix days (Dec 4 2026, 21:30 UTC): a share of every developer's days with 30-70% of their requests on the
  // premium model, as ordinary work. Added after the model shift was judged on its new mix's days (3b8221e), to measure
  // what rules that read the model mix cost where people switch models often; the rule for mix days (familiarMix, now in
  // mix-shift.ts, Dec 4 2026 22:30 UTC) was drafted and chosen on them. Twins as above (mix days have a stream of their own).
  ...mixTwins('M1', 0.1, { set: 'mix', seed: 1101, size: 200 }),
  ...mixTwins('M2', 0.2, { set: 'mix', seed: 1102, size: 300, powerShare: 0.2, partTimeShare: 0.1 }),
  // --- model-mix days held out (Dec 4 2026, 22:47 UTC): added once a rule for mix days had been drafted on M1 and M2
  // (familiarMix in mix-shift.ts), before its window and count were chosen, and not run until they were.
  ...mixTwins('M3', 0.15, {
    set: 'mix-held-out',
    seed: 1103,
    size: 400,
    weekendActive: 0.3,
    joinerShare: 0.1,
    holidays: 1,
    teamEvents: 2,
  }),
  ...mixTwins('M4', 0.05, { set: 'mix-held-out', seed: 1104, size: 120, powerShare: 0.25, replayFrom: 14 }),
  // --- the first backfill's length (Dec 4 2026, 23:00 UTC): most teams above are judged from their 22nd day of
  // history on (replayFrom 21), as an install with a short first backfill is (BACKFILL_DAYS is 30 by default, and the
  // first pass judges its last 14 days). Each B team has two twins: the same developers, anomalies and noise, replayed
  // over the same days, one with 21 days of history before the first replayed day, one with 77 (all a pass reads: 57
  // days, and the 28 before them for the scale). No rule is chosen on them.
  ...backfillTwins('B1', { set: 'backfill', seed: 1201, size: 300 }),
  ...backfillTwins('B2', { set: 'backfill', seed: 1202, size: 300, mixDayShare: 0.15, powerShare: 0.15 }),
  // --- stretches (Dec 5 2026, 11:35 UTC): each developer's log noise correlated with the day before (an AR(1) with the
  // same spread), so good and bad stretches last a few days, as a project or a quiet week makes them. Added after every
  // earlier detection change, to ask whether tests that add up several days' evidence hold when days are not
  // independent. Twins as above (the same draws, reshaped). A1 and A2 are for designing a rule; A3 and A4 were written
  // with them and are read only as summary rows until a rule is kept.
  ...autocorrTwins('A1', 0.5, { set: 'autocorr', seed: 1301, size: 200 }),
  ...autocorrTwins('A2', 0.7, {
    set: 'autocorr',
    seed: 1302,
    size: 300,
    powerShare: 0.2,
    partTimeShare: 0.15,
    weekendActive: 0.35,
    teamEvents: 2,
  }),
  ...autocorrTwins('A3', 0.6, {
    set: 'autocorr-held-out',
    seed: 1303,
    size: 500,
    joinerShare: 0.15,
    leaverShare: 0.1,
    partTimeShare: 0.1,
    holidays: 2,
    teamEvents: 2,
    earlyAnomalies: 2,
  }),
  ...autocorrTwins('A4', 0.4, {
    set: 'autocorr-held-out',
    seed: 1304,
    size: 150,
    powerShare: 0.3,
    replayFrom: 14,
    weekendActive: 0.3,
  }),
  // --- shared noise (Dec 6 2026, 02:18 UTC): every team above has its developers vary on their own, so its team level
  // (the median developer's) hardly moves unless something happened. Here a day factor moves all of them together,
  // in stretches, unlabelled: what the team-wide test and its reference make of ordinary team-wide weeks. Written
  // after a rule that summed several days of the team level was not landed on such noise (docs/benchmarks.md).
  ...sharedTwins('S1', 0.05, 0.5, { set: 'shared', seed: 1401, size: 200 }),
  ...sharedTwins('S2', 0.08, 0.7, { set: 'shared', seed: 1402, size: 60, powerShare: 0.15, partTimeShare: 0.15 }),
  ...sharedTwins('S3', 0.05, 0.7, { set: 'shared', seed: 1403, size: 800, joinerShare: 0.1, teamEvents: 2 }),
  // Held out (Dec 6 2026, 02:24 UTC, after S1–S3 were read and before any rule for them): only measured.
  ...sharedTwins('S4', 0.06, 0.6, {
    set: 'shared-held-out',
    seed: 1404,
    size: 120,
    powerShare: 0.2,
    weekendActive: 0.3,
    replayFrom: 14,
  }),
  ...sharedTwins('S5', 0.04, 0.8, {
    set: 'shared-held-out',
    seed: 1405,
    size: 400,
    joinerShare: 0.1,
    holidays: 1,
    teamEvents: 2,
    earlyAnomalies: 2,
  }),
];
