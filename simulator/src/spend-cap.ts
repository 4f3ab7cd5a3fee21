import type { GeneratedDay } from './user-day';

/** A spend limit set through POST /teams/user-spend-limit at `at` (ms): cents of on-demand spend, null = none. */
export interface LimitChange {
  at: number;
  cents: number | null;
}

/** The limit in force at `ts`: the last change made at or before it (undefined: none was ever set by then). */
function limitAt(changes: readonly LimitChange[], ts: number): number | null {
  let cents: number | null = null;
  for (const c of changes) {
    if (c.at > ts) break;
    cents = c.cents;
  }
  return cents;
}

/**
 * The day as the developer could use Cursor under their spend limit: a call is refused once the cycle's on-demand
 * spend (everything past the included amount, counted from `priorCycleCents` spent earlier in the cycle) has reached
 * the limit in force at that moment. Cursor documents that the limit caps usage-based spend but not how a call that
 * crosses it is billed; here it goes through and the next one is refused, so spend ends at most one call above.
 */
export function capToLimits(
  g: GeneratedDay,
  changes: readonly LimitChange[],
  priorCycleCents: number,
  includedCents: number,
): GeneratedDay {
  let cumulative = priorCycleCents;
  const drafts = g.drafts.filter((d) => {
    const limit = limitAt(changes, d.ts);
    if (limit !== null && cumulative - includedCents >= limit) return false;
    cumulative += d.cents;
    return true;
  });
  if (drafts.length === g.drafts.length) return g;
  let total = 0;
  let baseTotal = 0;
  for (const d of drafts) {
    total += d.cents;
    baseTotal += d.baseCents;
  }
  return { ...g, drafts, total, baseTotal };
}
