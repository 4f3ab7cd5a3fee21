import type { SeriesSet } from './series';

/**
 * Models whose observed cost per request is at least `factor` times the team's average cost per request (all
 * cents over all requests in the window): derived from the data, never from a list of names. A median would not
 * do: when the expensive model takes half the money the spend-weighted median is that model itself.
 */
export function expensiveModels(series: SeriesSet, factor: number): Set<string> {
  const totals = new Map<string, { cents: number; events: number }>();
  let cents = 0;
  let events = 0;
  for (const u of series.users) {
    for (const [model, m] of u.models) {
      const t = totals.get(model) ?? { cents: 0, events: 0 };
      for (let i = 0; i < m.cents.length; i++) {
        t.cents += m.cents[i];
        t.events += m.events[i];
      }
      totals.set(model, t);
    }
  }
  for (const t of totals.values()) {
    cents += t.cents;
    events += t.events;
  }
  if (totals.size < 2 || events === 0 || cents === 0) return new Set();
  const average = cents / events;
  return new Set(
    [...totals].filter(([, t]) => t.events > 0 && t.cents / t.events >= factor * average).map(([model]) => model),
  );
}
