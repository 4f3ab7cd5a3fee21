import type { PreviewIncident } from '@cursor-cost-watch/contract';

const sameIncident = (a: PreviewIncident, b: PreviewIncident) =>
  a.scope === b.scope &&
  a.subject === b.subject &&
  a.detector === b.detector &&
  a.firstDay <= b.lastDay &&
  b.firstDay <= a.lastDay;

/**
 * What a settings change would have changed over the backtest: the incidents the proposed values open that the
 * current ones did not (`opened`), and those the current values opened that the proposed ones would not (`closed`).
 * Two backtest incidents are the same when they share subject and detector and their days overlap.
 */
export function diffBacktests(
  current: PreviewIncident[],
  proposed: PreviewIncident[],
): { opened: PreviewIncident[]; closed: PreviewIncident[] } {
  const pick = ({ scope, subject, detector, firstDay, lastDay }: PreviewIncident) => ({
    scope,
    subject,
    detector,
    firstDay,
    lastDay,
  });
  return {
    opened: proposed.filter((p) => !current.some((c) => sameIncident(c, p))).map(pick),
    closed: current.filter((c) => !proposed.some((p) => sameIncident(c, p))).map(pick),
  };
}
