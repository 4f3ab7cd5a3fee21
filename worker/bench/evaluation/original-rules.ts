import { addDays } from '@cursor-cost-watch/contract';
import type { DetectionInput } from '../../src/detection/input';
import type { DetectorName } from '../../src/detection/types';
import { mean, quantile, stdDev } from '../../src/detection/stats';

/** One alert as the original tool raised it: a user and a rule, every run the rule holds. */
export interface RuleAlert {
  subject: string;
  detector: DetectorName;
}

/** The original tool's published defaults (its README), the baseline the benchmark compares against. */
export const ORIGINAL_DEFAULTS = {
  cycleSpendCents: 5_000,
  dailyRequests: 500,
  dailyTokens: 5_000_000,
  zScore: 2.0,
  zScoreWindowDays: 14,
  spikeMultiplier: 3.0,
  spikeWindowDays: 7,
  driftDaysAboveP75: 3,
  modelShiftRise: 0.4, // "Opus usage jumped from 5% to 45%"
  modelShiftWindowDays: 7,
};

/** The original's notion of an expensive model: a list of names (here the one its README names). */
const EXPENSIVE_NAME = /opus/i;

/**
 * The original tool's three layers with its published rules and defaults: static thresholds, a mean/σ z-score of
 * each user's spend over the window against the team, a token spike over the 7-day average, drift above the team's
 * P75 on consecutive days, and a model shift in the share of requests on expensive models. One alert per user per
 * rule per run, as the original did.
 */
export function originalRules(input: DetectionInput, cycleStart: string, o = ORIGINAL_DEFAULTS): RuleAlert[] {
  const asOf = input.asOf;
  const windowStart = addDays(asOf, -o.zScoreWindowDays + 1);
  const spikeStart = addDays(asOf, -o.spikeWindowDays);
  const perUser = new Map<
    string,
    {
      today: { cents: number; events: number; tokens: number };
      windowCents: number;
      cycleCents: number;
      spikeTokens: number[];
      byDay: Map<string, number>;
    }
  >();
  const user = (email: string) => {
    let u = perUser.get(email);
    if (!u) {
      u = {
        today: { cents: 0, events: 0, tokens: 0 },
        windowCents: 0,
        cycleCents: 0,
        spikeTokens: [],
        byDay: new Map(),
      };
      perUser.set(email, u);
    }
    return u;
  };
  const dayTotals = new Map<string, number[]>();
  for (const r of input.userDays) {
    if (r.day > asOf) continue;
    const u = user(r.email);
    if (r.day === asOf) u.today = { cents: r.chargedCents, events: r.events, tokens: r.totalTokens };
    if (r.day >= windowStart) u.windowCents += r.chargedCents;
    if (r.day >= cycleStart) u.cycleCents += r.chargedCents;
    if (r.day >= spikeStart && r.day < asOf) u.spikeTokens.push(r.totalTokens);
    if (r.day > addDays(asOf, -o.driftDaysAboveP75)) {
      u.byDay.set(r.day, r.chargedCents);
      const list = dayTotals.get(r.day) ?? [];
      list.push(r.chargedCents);
      dayTotals.set(r.day, list);
    }
  }
  const alerts: RuleAlert[] = [];
  const spends = [...perUser.values()].map((u) => u.windowCents);
  const avg = mean(spends);
  const sd = stdDev(spends, avg);
  const p75 = new Map([...dayTotals].map(([day, list]) => [day, quantile(list, 0.75)]));
  const shares = modelShares(input, asOf, addDays(asOf, -o.modelShiftWindowDays));

  for (const [email, u] of perUser) {
    if (u.cycleCents > o.cycleSpendCents) alerts.push({ subject: email, detector: 'cycle_spend' });
    if (u.today.events > o.dailyRequests) alerts.push({ subject: email, detector: 'daily_requests' });
    if (u.today.tokens > o.dailyTokens) alerts.push({ subject: email, detector: 'daily_tokens' });
    if (sd > 0 && (u.windowCents - avg) / sd >= o.zScore) alerts.push({ subject: email, detector: 'team_zscore' });
    // The original averages over the last 7 calendar days (days without use count as zero).
    const avgTokens = u.spikeTokens.reduce((s, v) => s + v, 0) / o.spikeWindowDays;
    if (avgTokens > 0 && u.today.tokens > o.spikeMultiplier * avgTokens)
      alerts.push({ subject: email, detector: 'personal_spike' });
    let above = 0;
    for (let d = 0; d < o.driftDaysAboveP75; d++) {
      const day = addDays(asOf, -d);
      if ((u.byDay.get(day) ?? 0) > (p75.get(day) ?? Number.POSITIVE_INFINITY)) above++;
    }
    if (above === o.driftDaysAboveP75) alerts.push({ subject: email, detector: 'sustained_drift' });
    const s = shares.get(email);
    if (s && s.after - s.before >= o.modelShiftRise) alerts.push({ subject: email, detector: 'model_shift' });
  }
  return alerts;
}

/** Share of each user's requests on expensive models today versus the days before. */
function modelShares(
  input: DetectionInput,
  asOf: string,
  from: string,
): Map<string, { before: number; after: number }> {
  const acc = new Map<string, { bx: number; bn: number; ax: number; an: number }>();
  for (const r of input.userModelDays) {
    if (r.day < from || r.day > asOf) continue;
    const a = acc.get(r.email) ?? { bx: 0, bn: 0, ax: 0, an: 0 };
    const expensive = EXPENSIVE_NAME.test(r.model) ? r.events : 0;
    if (r.day === asOf) {
      a.ax += expensive;
      a.an += r.events;
    } else {
      a.bx += expensive;
      a.bn += r.events;
    }
    acc.set(r.email, a);
  }
  const out = new Map<string, { before: number; after: number }>();
  for (const [email, a] of acc) if (a.an > 0 && a.bn > 0) out.set(email, { before: a.bx / a.bn, after: a.ax / a.an });
  return out;
}
