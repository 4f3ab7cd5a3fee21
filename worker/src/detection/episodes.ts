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
}

/**
 * Groups day-by-day detections into episodes the way incidents do: a detection within `gapDays` of the previous
 * one (before auto-resolve would have closed it) continues the same episode, unless it is a team step (stepAfter)
 * whose onset is after the open episode's: that one closes and the step is a new episode (incidents/team-steps.ts).
 */
export function toEpisodes(detections: Detection[], gapDays: number): Episode[] {
  const sorted = [...detections].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  const open = new Map<string, Episode>();
  const done: Episode[] = [];
  for (const d of sorted) {
    const key = `${d.scope}|${d.subject}|${d.detector}`;
    const ep = open.get(key);
    // An episode grouped without onsets (a backtest) holds the episode the step came after.
    const stepped =
      d.stepAfter !== undefined && d.onset !== undefined && (ep?.onset === undefined || d.onset > ep.onset);
    if (ep && daysBetween(ep.lastDay, d.day) <= gapDays && !stepped) {
      ep.lastDay = d.day;
      if (d.onset !== undefined && d.onset !== ep.onset) {
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
import { daysBetween } from '@cursor-cost-watch/contract';
