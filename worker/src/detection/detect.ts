import { addDays, isWeekend, startOfDayIso } from '@cursor-cost-watch/contract';
import type { Settings } from '../settings/schema';
import type { Anomaly } from './types';
import { validateInput, type DetectionInput } from './input';
import { buildSeries, type SeriesSet } from './series';
import { expensiveModels } from './premium';
import { scan } from './scan';
import type { ScanResult, TeamScan, UserScan } from './scan-types';
import { heldRun, spendSince, steppedLevel, stepsOverHeld, type HeldSpend } from './team-scan';
import { baselineSkip, isOneDayEpisode, peakDay } from './user-days';
import { keepsOnset } from './episodes';
import { explain } from './why';
import { thresholdAnomalies } from './thresholds';
import { severityFor, summarize } from './report';

type Draft = Omit<Anomaly, 'summary' | 'severity'>;

/** Days judged one by one before asOf: long enough for an episode's onset and a lasting shift to adapt. */
export function evaluationDays(settings: Settings): number {
  return Math.max(28, settings.adaptAfterDays + 14);
}

/** Days of history one pass needs: the evaluated days plus a full baseline before the first of them. */
export function historyDays(settings: Settings): number {
  return evaluationDays(settings) + Math.max(settings.baselineDays, settings.teamZWindowDays) + 1;
}

/** Days before a pass's window whose spend it also reads (UserSeries.olderLog: for the baseline's scale, and its level
 * when the window has too few clean days). */
export function olderDays(settings: Settings): number {
  // Enough for every evaluated day (the first reaches 2·baselineDays − max(baselineDays, teamZWindowDays) − 1 days
  // back: one fewer with the defaults), and the same whatever teamZWindowDays is.
  return settings.baselineDays;
}

/**
 * Every anomaly current on `input.asOf`: pure, deterministic, no I/O. Throws DetectionInputError on bad rows.
 * Per user at most one personal anomaly (spike, drift, model shift, runaway agent, or team z-score for new users)
 * carrying the limits it crossed; with thresholdsOnlyWhenUnusual off, every limit crossing is its own anomaly too.
 * A team-wide shift is one team anomaly, and is taken out of everyone's expected.
 */
export function detect(input: DetectionInput, settings: Settings): Anomaly[] {
  validateInput(input);
  const firstDay = addDays(input.asOf, -historyDays(settings) + 1);
  return detectOnSeries(buildSeries(input, firstDay, settings.weekdayAware, olderDays(settings)), input, settings);
}

/**
 * detect() on series already laid out from `historyDays(settings)` days before asOf (buildSeries, or straight from
 * PostgreSQL by load-series-set.ts, which never makes one object per row).
 */
export function detectOnSeries(
  series: SeriesSet,
  input: Pick<DetectionInput, 'cycleSpend' | 'partialDay' | 'openTeamOnset'>,
  settings: Settings,
): Anomaly[] {
  const evalFrom = Math.max(0, series.asOfIdx - evaluationDays(settings) + 1);
  const expensive = expensiveModels(series, settings.premiumCostFactor);
  const result = scan(series, settings, evalFrom, expensive);
  const cycles = new Map(input.cycleSpend.map((c) => [c.email, c]));

  const drafts: Draft[] = [];
  const team =
    teamAnomaly(result, series, evalFrom, input, settings) ??
    heldTeamAnomaly(result, series, evalFrom, input, settings);
  if (team) drafts.push(team);
  for (const s of result.users) {
    const personal = personalAnomaly(s, series.days, series.asOfIdx, input.partialDay === true, settings, expensive);
    const limits = thresholdAnomalies(s, series, settings, cycles.get(s.user.email), expensive);
    if (!settings.thresholdsOnlyWhenUnusual) drafts.push(...limits);
    else if (personal && limits.length > 0) personal.why.limitsCrossed = limits.map((l) => l.detector);
    if (personal) drafts.push(personal);
  }
  const disabled = new Set(settings.disabledDetectors);
  return drafts
    .filter((d) => !disabled.has(d.detector))
    .map((d) => {
      const a = { ...d, impactCents: round(d.impactCents), observed: round(d.observed), expected: round(d.expected) };
      const severity = severityFor(a.impactCents, settings);
      return { ...a, severity, summary: summarize({ ...a, severity }) };
    })
    .sort((a, b) => b.impactCents - a.impactCents || (a.subject < b.subject ? -1 : 1));
}

const round = (v: number) => Math.round(v * 100) / 100;

function personalAnomaly(
  s: UserScan,
  days: string[],
  asOfIdx: number,
  partialDay: boolean,
  settings: Settings,
  expensive: Set<string>,
): Draft | null {
  const current = (i: number) => s.detector[i] !== null && s.judged.cents[i] > s.expected[i];
  let t = whileTodayRuns(asOfIdx, partialDay, current);
  if (!current(t)) t = heldOverIdleDays(s, t, current);
  const detector = s.detector[t];
  if (detector === null || !current(t)) return null;
  const onset = s.onset[t];
  const b = s.baseline.at(onset);
  const why = explain(
    [s.user],
    { from: onset, to: t },
    { from: onset - settings.baselineDays, to: onset - 1 },
    expensive,
    baselineSkip(s),
  );
  return {
    scope: 'user',
    subject: s.user.email,
    detector,
    asOf: days[asOfIdx],
    onsetAt: startOfDayIso(days[onset]),
    observed: s.user.cents[t],
    expected: s.expected[t],
    bandLow: s.bandLow[t],
    bandHigh: s.bandHigh[t],
    unit: 'cents',
    impactCents: s.impact[t],
    topModel: why.topModel,
    why: {
      ...why,
      newUser: b?.newUser ?? false,
      firstSeenDay: s.user.firstSeenDay,
      ...peakOf(s, onset, t, days),
    },
  };
}

/**
 * The day whose episode a pass reports: while today is still running (its spend so far is judged against a whole
 * day), yesterday's episode stays current until today proves normal.
 */
function whileTodayRuns(t: number, partialDay: boolean, current: (d: number) => boolean): number {
  return !current(t) && partialDay && t > 0 && current(t - 1) ? t - 1 : t;
}

/**
 * Idle (or weekend lull) days in a row over which a sustained episode's report is held (heldOverIdleDays): six, so
 * that someone who works one day a week keeps one incident. With three (it was MAX_IDLE_GAP), H5-churn's dev0338, who
 * shifted to the premium model on one weekday a week, had the same episode (same onset) opened again each week, four
 * incidents; over bench:detect's 46 teams (Dec 5 2026) six left 11 such repeats fewer and moved no find, miss, onset
 * or delay.
 */
const HOLD_OVER_IDLE_DAYS = 6;

/**
 * A sustained episode (a drift, a model shift, a new user's level) lasts over the developer's idle days in the scan:
 * they neither extend nor end it (scanUserDay). Its report must too, or each idle day counts as a normal one towards
 * auto-resolve: a weekend and one quieter workday resolved the incident, and the next workday's report of the same
 * episode (same onset) opened a second one (bench:detect's T1-steady and T4-churn: 2 of the tuning teams' 11 false
 * sustained drifts). So does a workday rise over the weekend days it passed through (UserScan.lull). On an idle or
 * lull day t, the episode current on the last active day before it that is not a lull day, within
 * HOLD_OVER_IDLE_DAYS idle or lull days, is still current (its values are that day's); otherwise t. A spike, a
 * runaway agent or a new user's one-day spike is one day's excess (isOneDayEpisode: it ends on the next ordinary
 * active day): it is not held over.
 */
function heldOverIdleDays(s: UserScan, t: number, current: (i: number) => boolean): number {
  let last = t;
  while (last > 0 && t - last < HOLD_OVER_IDLE_DAYS && (s.user.events[last] <= 0 || s.lull[last] === 1)) last--;
  if (last === t || s.user.events[last] <= 0 || !current(last)) return t;
  const detector = s.detector[last];
  return detector !== null && isOneDayEpisode(s, detector, s.onset[last], last) ? t : last;
}

function peakOf(s: UserScan, onset: number, t: number, days: string[]) {
  const p = peakDay(s, onset, t);
  return { peakDay: days[p], peakCents: round(s.user.cents[p]), peakExpectedCents: round(s.expected[p]) };
}

/**
 * The onsets of every alarmed team episode a pass saw up to day t, oldest first (the current one's last; a step's
 * includes the episode it stepped over): an open incident keeps an onset that the pass still reads as an alarmed
 * episode's, though that episode ended in this pass's reading (Why.alarmedOnsets).
 */
function alarmedOnsets(team: ScanResult['team'], days: string[], t: number): string[] {
  const onsets: string[] = [];
  for (let d = 0; d <= t; d++)
    if (team.alarmed[d] === 1 && team.onset[d] >= 0 && onsets.at(-1) !== days[team.onset[d]])
      onsets.push(days[team.onset[d]]);
  return onsets;
}

/** What a team anomaly is about. */
const TEAM_SHIFT = { scope: 'team', subject: 'team', detector: 'team_shift' } as const;

/** A team anomaly's why: the team's days from its onset to day t against the baseline days before the onset. */
function teamWhy(result: ScanResult, onset: number, t: number, settings: Settings) {
  return explain(
    result.users.map((s) => s.user),
    { from: onset, to: t },
    { from: onset - settings.baselineDays, to: onset - 1 },
    result.expensive,
  );
}

function teamAnomaly(
  result: ScanResult,
  series: SeriesSet,
  evalFrom: number,
  input: Pick<DetectionInput, 'partialDay' | 'openTeamOnset'>,
  settings: Settings,
): Draft | null {
  const { team } = result;
  const { days } = series;
  const partialDay = input.partialDay === true;
  const current = (d: number) => team.alarmed[d] === 1 && team.shift[d] === 1;
  const asOf = days.length - 1;
  // The team's too: without it every morning read the team as normal, and the hourly worker's first pass of each day
  // counted a normal day towards auto-resolve (a weekend's mornings resolved a team jump's incident and the afternoon
  // opened it again, bench:detect-hourly, Dec 5 2026).
  const t = whileTodayRuns(asOf, partialDay, current);
  if (!current(t)) return null;
  const onset = team.onset[t];
  // The first day from which this pass judged every day's team level against a reference of its own class
  // (isTeamShift: at least MIN_TEAM_HISTORY earlier days in the pass's window): on a day before it, the pass had
  // too little history to say whether the team had shifted.
  let judged = 0;
  for (let d = 0; d <= t; d++) if (!Number.isNaN(team.level[d]) && Number.isNaN(team.z[d])) judged = d + 1;
  const reading = {
    judgedFrom: judged <= t ? days[judged] : addDays(days[t], 1),
    alarmedOnsets: alarmedOnsets(team, days, t),
  };
  // A step's extra is over the spend the episode it stepped over settled at (scanTeamDay), not over before its onset.
  const step = team.stepFrom[t] >= 0;
  // The open incident keeps its earlier onset against this pass's later one (keepsOnset): its impact counts from it,
  // and its peak may be before this pass's onset.
  const open = input.openTeamOnset === undefined ? -1 : days.indexOf(input.openTeamOnset);
  const kept = open >= evalFrom && keepsOnset('team', days[open], days[onset], reading);
  // Unless this pass reads the open incident's episode as over (it kept its onset only as an alarmed episode's, not
  // for days the pass could not judge) and this one rose over the level the team held since: a step of its own, its
  // impact over that level. (keepsOnset keeps only an earlier onset.)
  const counted = spendSince(result.users, team, kept ? open : onset, evalFrom, series.dayClass, settings, false);
  const heldLevel =
    !step && kept && reading.alarmedOnsets.includes(days[open])
      ? stepsOverHeld(
          team,
          open,
          t,
          series.dayClass,
          settings,
          spendSince(result.users, team, open, evalFrom, series.dayClass, settings),
          counted,
        )
      : 0;
  const overHeld = heldLevel > 0;
  const from = kept && !overHeld ? open : onset;
  const { impact, peak, usual } = step
    ? stepDays(team, onset, t)
    : teamDays(team, counted, overHeld ? heldLevel : steppedLevel(team, from, counted), from, t, t);
  const why = teamWhy(result, onset, t, settings);
  return {
    ...TEAM_SHIFT,
    asOf: days[asOf],
    onsetAt: startOfDayIso(days[onset]),
    observed: team.spent[t],
    expected: usual,
    bandLow: null,
    bandHigh: usual * settings.teamShiftMinFactor,
    unit: 'cents',
    impactCents: impact,
    topModel: why.topModel,
    why: {
      ...why,
      peakDay: days[peak.day],
      peakCents: round(peak.spent),
      peakExpectedCents: round(peak.usual),
      ...(step ? { stepAfter: days[team.stepFrom[t]] } : overHeld ? { stepAfter: days[open] } : {}),
      ...reading,
    },
  };
}

/**
 * Days back from the day a held team incident is reported on (heldTeamAnomaly) to the latest workday spendSince can
 * read: a weekend's passes, and Monday's while it runs, keep Friday's reading (a calendar weekend, whatever
 * weekdayAware says). A weekend's few developers are no reading of the team's price: with a weekend day read under
 * the bar, the hourly worker's Monday resolved an incident the workdays held (H1-small, in a first version).
 */
const HELD_READ_BACK = 3;

/**
 * The open team incident's anomaly while the team's spend stays up against before its onset (input.openTeamOnset),
 * within adaptAfterDays of it, on a pass whose own reading of the team level no longer shows it (teamAnomaly found
 * none): each developer's baseline takes in a lasting price within days, and the incident resolved itself while the
 * team still paid it (bench:detect's M2-plain, Dec 7 2026: resolved on a lasting jump's seventh day, reopened the
 * next from a later onset). After adaptAfterDays the new price is the team's usual, as a developer's lasting rise is.
 * The day read is the latest workday spendSince can judge within HELD_READ_BACK days of the day reported (yesterday
 * while today runs: its spend so far says nothing of the price), read together with the workdays before it (heldRun:
 * on a team of 80 or 200 a price's days each read under the bar). Its onset is the incident's; its impact, peak and
 * expected are teamDays' (every developer counted; over the level it stepped from when the pass reads the onset as a
 * step's, steppedLevel), while why.heldUp is the reading that holds it (the developer who adds most left out), so
 * observed over expected is near, not at, heldUp's factor.
 */
function heldTeamAnomaly(
  result: ScanResult,
  series: SeriesSet,
  evalFrom: number,
  input: Pick<DetectionInput, 'partialDay' | 'openTeamOnset'>,
  settings: Settings,
): Draft | null {
  const { days, dayClass } = series;
  const onset = input.openTeamOnset === undefined ? -1 : days.indexOf(input.openTeamOnset);
  if (onset < evalFrom) return null;
  const read = spendSince(result.users, result.team, onset, evalFrom, dayClass, settings);
  const last = input.partialDay === true ? series.asOfIdx - 1 : series.asOfIdx;
  let t = last;
  let today: HeldSpend | null = null;
  for (; t >= onset && t >= last - HELD_READ_BACK; t--) {
    if (isWeekend(days[t])) continue;
    today = read(t);
    if (today !== null) break;
  }
  // The cap is on the day read: a weekend's passes, and Monday's while it runs, report Friday's up to 3 days after it.
  if (today === null || t - onset >= settings.adaptAfterDays) return null;
  const run = heldRun(read, t, onset, (d) => !isWeekend(days[d]), settings);
  if (run === null) return null;
  const counted = spendSince(result.users, result.team, onset, evalFrom, dayClass, settings, /* leaveOutTop */ false);
  const { impact, peak, usual } = teamDays(
    result.team,
    counted,
    steppedLevel(result.team, onset, counted),
    onset,
    t,
    last,
  );
  const why = teamWhy(result, onset, t, settings);
  return {
    ...TEAM_SHIFT,
    asOf: days[series.asOfIdx],
    onsetAt: startOfDayIso(days[onset]),
    observed: result.team.spent[t],
    expected: usual,
    bandLow: null,
    bandHigh: usual * settings.teamShiftMinFactor,
    unit: 'cents',
    impactCents: impact,
    topModel: why.topModel,
    why: {
      ...why,
      peakDay: days[peak.day],
      peakCents: round(peak.spent),
      peakExpectedCents: round(peak.usual),
      alarmedOnsets: [days[onset]],
      heldUp: {
        day: days[t],
        factor: Math.round(run.day.factor * 1000) / 1000,
        z: Math.round(run.z * 100) / 100,
        workdays: run.workdays,
      },
    },
  };
}

/**
 * One day of a team incident (teamDays): what the team spent (as it was, as teamAnomaly reports it), and its usual and
 * extra on its spend as judged (the two differ on a developer's habitual pricier-mix days only).
 */
interface TeamDay {
  day: number;
  spent: number;
  usual: number;
  extra: number;
}

/**
 * A team incident's impact from its onset to day `last`, its peak day up to the day reported, `t`, and day t's usual
 * (its expected): each day's extra against before the onset, the team's spend as judged less that spend at the day's
 * factor over before (`read`: spendSince of the onset, every developer counted, each day up to HELD_DAY_CAP times
 * their usual) over `base`, or less its expected where the day cannot be read (a weekend of few people, an onset too
 * early in the pass's window; `base` is not applied there). `base` is 1, or the level a step's spend stepped up from:
 * a jump over a held incident (stepsOverHeld, read from that incident's onset), or a step incident held
 * (steppedLevel). The same whether the pass sees the episode or holds it (heldTeamAnomaly); a step the pass reads
 * itself is stepDays'. Against its developers' expected (medians, below the mean, taking the new price in within
 * days) a jump's impact read ×1.41 of what its price alone cost (median over bench:detect's teams), and ×0.84 once
 * held, on spendSince's developers without the one who adds most: an incident's impact swung as passes went from
 * seeing a jump to holding it and back (npm run bench:team-impact, Dec 7 2026: 79 of 838 days of a team incident were
 * told an impact more than 10% below the one told before). Counted so, ×1.03 (p10–p90 ×0.72–1.44; 2 of 838 such
 * days); with that developer left out of the factor here too, ×0.90 (a small team's ×0.68: demo mode). With
 * spendSince's reference read as its day is (the same day, later), ×1.09 (×0.87–1.56; 3 of 978 such days), and no
 * new incident first told $0.
 */
function teamDays(
  team: TeamScan,
  read: (d: number) => HeldSpend | null,
  base: number,
  onset: number,
  t: number,
  last: number,
): { impact: number; peak: TeamDay; usual: number } {
  let impact = 0;
  let peak: TeamDay | null = null;
  let usualOnT = 0;
  for (let d = onset; d <= last; d++) {
    const held = read(d);
    const usual = held === null ? team.expected[d] : (team.observed[d] * base) / held.factor;
    const day = { day: d, spent: team.spent[d], usual, extra: team.observed[d] - usual };
    impact += Math.max(0, day.extra);
    if (d === t) usualOnT = usual;
    // (Up to the day reported: the anomaly's observed and expected are that day's.)
    if (d <= t && (peak === null || day.extra > peak.extra)) peak = day;
  }
  return { impact, peak: peak!, usual: usualOnT };
}

/** A step episode's impact (scanTeamDay's, over the spend the episode it stepped over settled at), peak day, usual. */
function stepDays(team: TeamScan, onset: number, t: number): { impact: number; peak: TeamDay; usual: number } {
  let peak: TeamDay | null = null;
  for (let d = onset; d <= t; d++) {
    const day = { day: d, spent: team.spent[d], usual: team.expected[d], extra: team.observed[d] - team.expected[d] };
    if (peak === null || day.extra > peak.extra) peak = day;
  }
  return { impact: team.impact[t], peak: peak!, usual: team.expected[t] };
}
