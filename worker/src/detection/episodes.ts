import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { LASTING_RISES, SPIKE_RENAMES, type Anomaly, type Why } from './types';

/** A detection on one evaluated day. */
export interface Detection {
  day: string;
  scope: 'user' | 'team';
  subject: string;
  detector: string;
  /** The onset the detection reported (YYYY-MM-DD), when known. */
  onset?: string;
  /** A team step (Why.stepAfter): the onset of the earlier team episode it stepped up over. */
  stepAfter?: string;
  /** A team detection: the first day its pass judged every day's team level with a full reference (Why.judgedFrom). */
  judgedFrom?: string;
  /** A team detection: the onsets of the alarmed team episodes its pass saw (Why.alarmedOnsets). */
  alarmedOnsets?: string[];
}

/** Consecutive detections of one subject and detector, as an incident would hold them. */
export interface Episode {
  scope: 'user' | 'team';
  subject: string;
  detector: string;
  firstDay: string;
  lastDay: string;
  /** The onset an incident would hold: the first reported, then each different one reported later (a move). */
  onset?: string;
  onsetMoves?: number;
  /** The detector it was opened under, when a later detection renamed it (a spike that went on: reclassifies). */
  openedAs?: string;
  /** Times a developer's excess came back after the incident had resolved itself (incidents/upsert.ts reopens it). */
  reopens?: number;
  /** The onsets of the readings it was renamed for (continuesSpike): its own, or a lasting rise's later one. */
  riseOnsets?: string[];
}

/**
 * Whether an open incident of `scope` keeps its onset `current` (YYYY-MM-DD) against a later pass's `reported` one.
 * Moves to an earlier onset always go ahead: more days showed the excess began sooner.
 *
 * A developer's later onset is the pass's window sliding, not evidence: each pass re-derives the episode from its own
 * 28 days, and the change point of a noisy developer's rise lands on nearby days in turn (bench:detect, Dec 3 2026:
 * 51 onset moves over the 22 teams, nearly all in one or two drifts per team flipping between days, e.g. H5-churn's
 * dev0694 five times between Oct 22 and Oct 21, dev0674 Oct 13, 11, 14, 18; keeping the earlier onset left 6 moves and
 * put 5 more incidents' onsets within a day of the truth, 1 fewer).
 *
 * A team's later onset is evidence only when that pass judged every day since the earlier onset with a full reference
 * (`judgedFrom`, Why.judgedFrom, on or before it). A pass's window is its last 28 days, and a team level is judged
 * only against at least 5 earlier days of its class in that window: once the window starts near or after the
 * incident's onset (inside a team-wide jump), a day that an earlier pass read as a shift (a weekend joining two
 * stretches of a jump) goes unjudged or is judged against the jump's own days, the pass sees the episode begin later,
 * and the incident's onset walked to it (bench:detect's new-seed X6-power, Oct 14 → Oct 20; X3-holidays, Sep 30 →
 * Oct 20). Nor is it evidence when the pass still reads the earlier onset as an alarmed episode's (`alarmedOnsets`,
 * Why.alarmedOnsets): one day under the bar ended that stretch in its reading, and a later one began (T1-steady's jump
 * of Nov 2 under the bar of ×1.07, moved to Nov 10).
 */
export function keepsOnset(
  scope: 'user' | 'team',
  current: string,
  reported: string,
  pass: Pick<Why, 'judgedFrom' | 'alarmedOnsets'>,
): boolean {
  if (reported <= current) return false;
  if (scope === 'user') return true;
  return (pass.judgedFrom !== undefined && current < pass.judgedFrom) || (pass.alarmedOnsets ?? []).includes(current);
}

/**
 * Groups day-by-day detections into episodes the way incidents do: a detection within `gapDays` of the previous
 * one (before auto-resolve would have closed it) continues the same episode, unless it is a team step (stepAfter)
 * whose onset is after the open episode's: that one closes and the step is a new episode (incidents/team-steps.ts).
 * A later detection within `gapDays` of the day the episode resolved itself that reports the same excess (cameBack)
 * continues it too, as the incident is reopened.
 */
export function toEpisodes(detections: Detection[], gapDays: number): Episode[] {
  const sorted = [...detections].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const open = new Map<string, Episode>();
  const done: Episode[] = [];
  for (const d of sorted) {
    const key = `${d.scope}|${d.subject}|${d.detector}`;
    let ep = open.get(key);
    const live = ep !== undefined && (daysBetween(ep.lastDay, d.day) <= gapDays || cameBack(ep, d, gapDays));
    const spike = live ? undefined : open.get(`${d.scope}|${d.subject}|personal_spike`);
    const renamed = spike !== undefined && reclassifies(spike, d, gapDays);
    if (renamed) {
      if (ep) done.push(ep);
      open.delete(`${d.scope}|${d.subject}|personal_spike`);
      spike.openedAs ??= spike.detector;
      spike.detector = d.detector;
      // (every rename's, as the incident's reclassified events hold it: its onset may move earlier later)
      if (d.onset !== undefined) spike.riseOnsets = [...(spike.riseOnsets ?? []), d.onset];
      open.set(key, spike);
      ep = spike;
    }
    // A spike read again from a renamed episode's onset, or its rise's, is that episode (incidents/upsert.ts,
    // lastingOfSpikes).
    const spikeOnset = d.onset;
    if (!live && d.scope === 'user' && d.detector === 'personal_spike' && spikeOnset !== undefined) {
      const lasting = SPIKE_RENAMES.map((x) => open.get(`${d.scope}|${d.subject}|${x}`)).find(
        (e) => e !== undefined && hasOnset(e, spikeOnset) && daysBetween(e.lastDay, d.day) <= gapDays,
      );
      if (lasting) ep = lasting;
    }
    // An episode grouped without onsets (a backtest) holds the episode the step came after.
    const stepped =
      d.stepAfter !== undefined && d.onset !== undefined && (ep?.onset === undefined || d.onset > ep.onset);
    const within = ep !== undefined && daysBetween(ep.lastDay, d.day) <= gapDays;
    if (ep && (within || cameBack(ep, d, gapDays) || renamed) && !stepped) {
      if (!within) ep.reopens = (ep.reopens ?? 0) + 1;
      ep.lastDay = d.day;
      if (
        d.onset !== undefined &&
        d.onset !== ep.onset &&
        !(ep.onset !== undefined && keepsOnset(d.scope, ep.onset, d.onset, d))
      ) {
        ep.onsetMoves = (ep.onsetMoves ?? 0) + (ep.onset === undefined ? 0 : 1);
        ep.onset = d.onset;
      }
      continue;
    }
    if (ep) done.push(ep);
    open.set(key, {
      scope: d.scope,
      subject: d.subject,
      detector: d.detector,
      firstDay: d.day,
      lastDay: d.day,
      ...(d.onset === undefined ? {} : { onset: d.onset, onsetMoves: 0 }),
    });
  }
  return [...done, ...open.values()].sort((a, b) => (a.firstDay < b.firstDay ? -1 : a.firstDay > b.firstDay ? 1 : 0));
}

/**
 * The onset of the team incident still open when the pass of `day` runs, as toEpisodes groups the detections of the
 * days before it (the latest team episode within `gapDays` of its last day): DetectionInput.openTeamOnset for a
 * replay, as the worker reads it from its open team incident (jobs/detection-pass.ts).
 */
export function openTeamOnset(detections: Detection[], day: string, gapDays: number): string | undefined {
  const team = detections.filter((d) => d.scope === 'team' && d.day < day);
  if (team.length === 0) return undefined;
  const open = toEpisodes(team, gapDays).filter((e) => daysBetween(e.lastDay, day) <= gapDays);
  return open.at(-1)?.onset;
}

/**
 * Whether developer detection `d` renames the spike episode `spike` (incidents/upsert.ts renames the incident): a
 * lasting rise's detector read from an onset that continuesSpike, within `gapDays` of the spike's last day (its
 * incident still open) or within as many days of the day it resolved itself (reopenSpikesCameBack). The episode keeps
 * the spike's onset (keepsOnset: a developer's later onset is not evidence against an earlier one).
 */
export function reclassifies(spike: Episode, d: Detection, gapDays: number): boolean {
  return (
    d.scope === 'user' &&
    (SPIKE_RENAMES as readonly string[]).includes(d.detector) &&
    d.onset !== undefined &&
    spike.onset !== undefined &&
    continuesSpike(spike.onset, spike.lastDay, d.detector, d.onset, gapDays) &&
    d.day <= addDays(spike.lastDay, 2 * gapDays)
  );
}

/** Whether episode `e` holds `onset`: its own, or that of a lasting rise it was renamed for (riseOnsets). */
export function hasOnset(e: Pick<Episode, 'onset' | 'riseOnsets'>, onset: string): boolean {
  return e.onset === onset || (e.riseOnsets ?? []).includes(onset);
}

/**
 * Whether a developer's reading named `detector` (a lasting rise or a runaway) from `onset` is the same excess as
 * their spike that began on `spikeOnset` and was last seen on `spikeLastDay` (all YYYY-MM-DD): read from the spike's own
 * onset (detection's lastingSpike; a runaway an hourly pass read as a spike), or, for a lasting rise (LASTING_RISES),
 * from a later one no more than `gapDays` after the spike's last day. The later onset is the rise's
 * change point landing past the spike: a model shift or ramp whose first day stood out as a spike, then a few days
 * under the bar (a weekend, a dip) before its level read as lasting. Before, those opened a second incident and sent a
 * second message about an excess already told (bench:detect, Dec 7 2026: 13 of the 62 alerts about an anomaly
 * already told, from an onset 1–6 days after the spike's; T4-churn's dev0231, a spike on Oct 9 and a model shift from
 * Oct 12 read on Oct 13). An onset before the spike's, or later than that, is another episode; so is a runaway
 * agent from another day (one day's excess of its own).
 */
export function continuesSpike(
  spikeOnset: string,
  spikeLastDay: string,
  detector: string,
  onset: string,
  gapDays: number,
): boolean {
  return (
    onset === spikeOnset ||
    ((LASTING_RISES as readonly string[]).includes(detector) &&
      onset > spikeOnset &&
      onset <= addDays(spikeLastDay, gapDays))
  );
}

/**
 * Whether detection `d`, after `ep` resolved itself (`gapDays` normal days after its last day), reports the same
 * excess come back within `gapDays` of that: a developer's onset is on or before the episode's last day; the team's
 * is the episode's own, or on or before the day it resolved itself. A team step comes back only with its own onset: it
 * is a new episode whatever its onset. The incident is reopened then (incidents/upsert.ts, reopenCameBack).
 */
export function cameBack(
  ep: Pick<Episode, 'lastDay' | 'onset'>,
  d: Pick<Detection, 'scope' | 'onset' | 'day' | 'stepAfter'>,
  gapDays: number,
): boolean {
  if (d.onset === undefined) return false;
  const sameExcess =
    d.scope === 'user'
      ? d.onset <= ep.lastDay
      : d.onset === ep.onset || (d.stepAfter === undefined && d.onset <= addDays(ep.lastDay, gapDays));
  return sameExcess && d.day <= addDays(ep.lastDay, 2 * gapDays);
}

/**
 * A pass's anomaly on `day` as toEpisodes groups it, as incidents do: its subject, detector and onset (an excess that
 * came back reopens its incident: cameBack), a team step's mark (a step opens a new incident: incidents/team-steps.ts)
 * and what a team pass judged (keepsOnset). The backtest's and bench:detect's.
 */
export function backtestDetection(day: string, a: Anomaly): Detection {
  return {
    day,
    scope: a.scope,
    subject: a.subject,
    detector: a.detector,
    onset: a.onsetAt.slice(0, 10),
    ...(a.why.stepAfter === undefined ? {} : { stepAfter: a.why.stepAfter }),
    ...(a.why.judgedFrom === undefined ? {} : { judgedFrom: a.why.judgedFrom }),
    ...(a.why.alarmedOnsets === undefined ? {} : { alarmedOnsets: a.why.alarmedOnsets }),
  };
}
