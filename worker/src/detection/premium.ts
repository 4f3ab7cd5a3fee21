import type { SeriesSet } from './series';

/**
 * Models whose observed cost per request is at least `factor` times the team's typical cost per request, from
 * the data in the window, never from a list of names. "Typical" is the spend-weighted median: the price of the
 * requests most of the money goes to (a request-weighted one would be the cheap autocomplete-class models).
 */
export function expensiveModels(series: SeriesSet, factor: number): Set<string> {
  const totals = new Map<string, { cents: number; events: number }>();
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
  const perModel = [...totals].filter(([, t]) => t.events > 0).map(([model, t]) => ({ model, cpr: t.cents / t.events, events: t.events }));
  if (perModel.length < 2) return new Set();
  perModel.sort((a, b) => a.cpr - b.cpr);
  const half = perModel.reduce((s, m) => s + m.cpr * m.events, 0) / 2;
  let seen = 0;
  let typical = perModel[perModel.length - 1].cpr;
  for (const m of perModel) {
    seen += m.cpr * m.events;
    if (seen >= half) {
      typical = m.cpr;
      break;
    }
  }
  if (typical <= 0) typical = Math.min(...perModel.filter((m) => m.cpr > 0).map((m) => m.cpr));
  return new Set(perModel.filter((m) => m.cpr > 0 && m.cpr >= factor * typical).map((m) => m.model));
}
