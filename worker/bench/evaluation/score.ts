import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { median } from '../../src/detection/stats';
import type { Episode } from '../../src/detection/episodes';

/** A labelled anomaly (the simulator's ground truth). */
export interface TruthAnomaly {
  id: string;
  scope: 'user' | 'team';
  email: string | null;
  emails?: string[];
  kind: string;
  startDay: string;
  endDay: string;
  extraCents: number;
  /** The day its extra cost reached the alert floor (minImpactDollars, $20): no alert can be due before it. */
  worthyDay?: string;
  /**
   * Its first day with use on or after startDay: the onset it can be seen to have. A level shift drawn to start
   * while the developer was away (a holiday, days off) shows from the day they are back; the onset is judged
   * against this day.
   */
  seenDay?: string;
  /** What a team jump's price alone added on each day (YYYY-MM-DD → cents), for a team incident's impact. */
  dailyExtraCents?: Record<string, number>;
}

export interface Score {
  episodes: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  medianDelayDays: number;
  worstDelayDays: number;
  /** Delays counted from the day the anomaly's extra cost reached $20 (worthyDay), where the truth has it. */
  medianDelayFromWorthyDays: number;
  worstDelayFromWorthyDays: number;
  /**
   * Detected anomalies whose first matching episode's onset is within ±1 day of the true start (its first day with
   * use: seenDay), of those with an onset.
   */
  onsetWithinOneDay: number;
  onsetJudged: number;
  worstOnsetErrorDays: number;
  alertsPer100DevWeek: number;
  falseAlertsPer100DevWeek: number;
  /** Onset moves over all episodes (an incident's onset changing after it was reported). */
  onsetMoves: number;
  worthy: number; // labelled anomalies worth at least minCents, judged (not reaching $20 too late to judge)
  /** Worth ≥ minCents, but reaching it within `dueDays` of the last replayed day: not judged for recall or delay. */
  tooLate: TruthAnomaly[];
  detected: number;
  recallByKind: Record<string, { detected: number; total: number }>;
  missed: TruthAnomaly[];
  /** Each detected anomaly with the first episode about it. */
  found: { truth: TruthAnomaly; episode: Episode; delayDays: number }[];
  falsePositives: Episode[];
  /**
   * Alerts about anomalies already told: every labelled anomaly the episode finds was found by an earlier episode (a
   * second incident, and a second message, about the same excess), with the anomaly it repeats.
   */
  repeats: { episode: Episode; truth: TruthAnomaly }[];
  /** Of the found anomalies, by kind: how many were found by an incident named as their kind (NAMED_AS). */
  namedByKind: Record<string, { named: number; found: number }>;
}

/**
 * The detector whose name tells each labelled kind: a level shift or a ramp is a sustained drift. An incident's name
 * is its last (a spike that went on is renamed to the lasting rise it is: Episode.openedAs).
 */
export const NAMED_AS: Record<string, string> = {
  spike: 'personal_spike',
  runaway_agent: 'runaway_agent',
  model_shift: 'model_shift',
  level_shift: 'sustained_drift',
  ramp: 'sustained_drift',
  team_jump: 'team_shift',
};

/** Days after a labelled anomaly ends during which an episode still counts as about it (it lingers, or starts late). */
const GRACE_DAYS = 2;

/**
 * An episode is about an anomaly when its first alert came on or after the anomaly's start, and before its end
 * (plus grace). An episode already open before the anomaly began was raised by something else: it neither finds
 * the anomaly (before, a user's drift open since September "found" a team jump in November with a delay clamped to
 * 0 d) nor is it made right by an anomaly that came later.
 */
function matches(ep: Episode, t: TruthAnomaly): boolean {
  const end = addDays(t.endDay, GRACE_DAYS);
  if (ep.firstDay < t.startDay || ep.firstDay > end) return false;
  if (t.scope === 'team') return ep.scope === 'team' || (t.emails ?? []).includes(ep.subject);
  return ep.scope === 'user' && ep.subject === t.email;
}

/**
 * An episode finds an anomaly when it is about it and of its scope: a team-wide jump is found by a team incident
 * only. A developer's own alert during the jump is right (precision) but does not tell anyone the team moved: before,
 * 5 of the 18 judged team jumps (up to $16,800) counted as found through one affected developer's alert with no team
 * incident at all.
 */
function finds(ep: Episode, t: TruthAnomaly): boolean {
  return matches(ep, t) && (t.scope === 'user' || ep.scope === 'team');
}

/**
 * Precision over every episode (an episode is right when it overlaps a labelled anomaly of its subject; per-user
 * episodes during a team-wide anomaly count as right for the users it touched), recall over the labelled anomalies
 * worth at least `minCents` (found by an episode of its scope), the delay from an anomaly's start to the first episode
 * that finds it, and alert volume.
 */
export function score(
  episodes: Episode[],
  truth: TruthAnomaly[],
  o: { minCents: number; developers: number; days: number; lastDay?: string; dueDays?: number },
): Score {
  let tp = 0;
  const falsePositives: Episode[] = [];
  for (const ep of episodes) {
    if (truth.some((t) => matches(ep, t))) tp++;
    else falsePositives.push(ep);
  }
  // An anomaly that reached the alert floor on the last replayed days cannot be held to a find within dueDays of
  // it: found or not, it is left out of recall and delay (leaving out only the unfound ones would flatter recall).
  // Before, a team jump of the last two days counted as a miss after one day of evidence.
  const judged = (t: TruthAnomaly) =>
    o.lastDay === undefined ||
    o.dueDays === undefined ||
    t.worthyDay === undefined ||
    addDays(t.worthyDay, o.dueDays) <= o.lastDay;
  const tooLate = truth.filter((t) => t.extraCents >= o.minCents && !judged(t));
  const worthy = truth.filter((t) => t.extraCents >= o.minCents && judged(t));
  const delays: number[] = [];
  const onsetErrors: number[] = [];
  const worthyDelays: number[] = [];
  const missed: TruthAnomaly[] = [];
  const found: Score['found'] = [];
  const recallByKind: Record<string, { detected: number; total: number }> = {};
  for (const t of worthy) {
    const byKind = (recallByKind[t.kind] ??= { detected: 0, total: 0 });
    byKind.total++;
    const hits = episodes.filter((ep) => finds(ep, t));
    if (hits.length === 0) {
      missed.push(t);
      continue;
    }
    byKind.detected++;
    const first = [...hits].sort((a, b) => (a.firstDay < b.firstDay ? -1 : a.firstDay > b.firstDay ? 1 : 0))[0];
    delays.push(daysBetween(t.startDay, first.firstDay));
    found.push({ truth: t, episode: first, delayDays: delays[delays.length - 1] });
    if (t.worthyDay !== undefined) worthyDelays.push(Math.max(0, daysBetween(t.worthyDay, first.firstDay)));
    if (first.onset !== undefined) onsetErrors.push(Math.abs(daysBetween(t.seenDay ?? t.startDay, first.onset)));
  }
  const namedByKind: Score['namedByKind'] = {};
  for (const f of found) {
    const byKind = (namedByKind[f.truth.kind] ??= { named: 0, found: 0 });
    byKind.found++;
    if (f.episode.detector === NAMED_AS[f.truth.kind]) byKind.named++;
  }
  const precision = episodes.length > 0 ? tp / episodes.length : 1;
  const recall = worthy.length > 0 ? (worthy.length - missed.length) / worthy.length : 1;
  return {
    episodes: episodes.length,
    truePositives: tp,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    medianDelayDays: delays.length > 0 ? median(delays) : Number.NaN,
    worstDelayDays: delays.length > 0 ? Math.max(...delays) : Number.NaN,
    medianDelayFromWorthyDays: worthyDelays.length > 0 ? median(worthyDelays) : Number.NaN,
    worstDelayFromWorthyDays: worthyDelays.length > 0 ? Math.max(...worthyDelays) : Number.NaN,
    onsetWithinOneDay: onsetErrors.filter((e) => e <= 1).length,
    onsetJudged: onsetErrors.length,
    worstOnsetErrorDays: onsetErrors.length > 0 ? Math.max(...onsetErrors) : Number.NaN,
    alertsPer100DevWeek: episodes.length / (o.developers / 100) / (o.days / 7),
    falseAlertsPer100DevWeek: falsePositives.length / (o.developers / 100) / (o.days / 7),
    onsetMoves: episodes.reduce((n, e) => n + (e.onsetMoves ?? 0), 0),
    worthy: worthy.length,
    tooLate,
    detected: worthy.length - missed.length,
    recallByKind,
    missed,
    found,
    falsePositives,
    repeats: repeatsOf(episodes, truth),
    namedByKind,
  };
}

/** The episodes, in the order they opened, whose every found anomaly an earlier one found (Score.repeats). */
function repeatsOf(episodes: Episode[], truth: TruthAnomaly[]): Score['repeats'] {
  const told = new Set<TruthAnomaly>();
  const repeats: Score['repeats'] = [];
  const byDay = [...episodes].sort((a, b) => (a.firstDay < b.firstDay ? -1 : a.firstDay > b.firstDay ? 1 : 0));
  for (const ep of byDay) {
    const about = truth.filter((t) => finds(ep, t));
    if (about.length > 0 && about.every((t) => told.has(t))) repeats.push({ episode: ep, truth: about[0] });
    for (const t of about) told.add(t);
  }
  return repeats;
}

/** How long the team incidents that found team-wide jumps stayed open while the jumps went on (teamJumpCover). */
export interface TeamJumpCover {
  /** Days from each found jump's first find to its last day (or the last replayed day) … */
  days: number;
  /** … of them with a team incident about it open (from an episode's first day to gapDays − 1 after its last). */
  open: number;
  /** Found jumps still on at the last replayed day, and those with a team incident about them open then. */
  lasting: number;
  openAtEnd: number;
}

/**
 * The days a found team-wide jump went on with a team incident about it open: an incident resolves itself on its
 * gapDays-th day without the signal (incidents/auto-resolve.ts), so an episode is open from its first day to gapDays
 * − 1 days after its last. A lasting price whose incident resolved itself while the team still paid it shows here,
 * not in recall or precision.
 */
export function teamJumpCover(episodes: Episode[], truth: TruthAnomaly[], lastDay: string, gapDays: number) {
  const cover: TeamJumpCover = { days: 0, open: 0, lasting: 0, openAtEnd: 0 };
  for (const t of truth) {
    if (t.scope !== 'team') continue;
    const about = episodes.filter((ep) => finds(ep, t));
    if (about.length === 0) continue;
    const first = about.map((ep) => ep.firstDay).sort()[0];
    const end = t.endDay < lastDay ? t.endDay : lastDay;
    const openOn = (d: string) => about.some((ep) => d >= ep.firstDay && d < addDays(ep.lastDay, gapDays));
    for (let d = first; d <= end; d = addDays(d, 1)) {
      cover.days++;
      if (openOn(d)) cover.open++;
    }
    if (t.endDay >= lastDay) {
      cover.lasting++;
      if (openOn(lastDay)) cover.openAtEnd++;
    }
  }
  return cover;
}
