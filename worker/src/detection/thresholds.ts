import { isDay, startOfDayIso } from '@cursor-cost-watch/contract';
import type { Settings } from '../settings/schema';
import type { Anomaly } from './types';
import type { CycleSpend } from './input';
import type { SeriesSet } from './series';
import type { UserScan } from './scan-types';
import { baselineSkip } from './user-days';
import { explain } from './why';

type Draft = Omit<Anomaly, 'summary' | 'severity'>;

/**
 * The original tool's static limits. With thresholdsOnlyWhenUnusual (the default) a crossing is reported only as
 * part of a personal anomaly (its why.limitsCrossed) and only when it is unusual for the user: their normal day
 * would not cross it, today is far from normal (robust z ≥ spikeZThreshold) and the excess is worth
 * minImpactDollars. A power user who always makes 600 requests, or who passes $50 every cycle, is not news.
 * Otherwise every crossing is its own anomaly, as in the original.
 */
export function thresholdAnomalies(
  s: UserScan,
  series: SeriesSet,
  settings: Settings,
  cycle: CycleSpend | undefined,
  expensive: Set<string>,
): Draft[] {
  const out: Draft[] = [];
  const t = series.asOfIdx;
  const u = s.user;
  const b = s.baseline.at(t);
  if (u.events[t] <= 0) return out;
  const minImpact = settings.minImpactDollars * 100;
  const dayImpact = s.onset[t] >= 0 ? s.impact[t] : Math.max(0, u.cents[t] - s.expected[t]);
  // In "unusual" mode a crossing needs strong evidence that today is not the user's normal (a noisy day of a
  // heavy user near the limit is not news).
  const unusualToday = s.z[t] >= settings.spikeZThreshold;
  const why = () => ({
    ...explain([u], { from: t, to: t }, { from: t - settings.baselineDays, to: t - 1 }, expensive, baselineSkip(s)),
  });

  const daily = (
    detector: 'daily_requests' | 'daily_tokens',
    values: Float64Array | Float32Array,
    limit: number,
    usual: number,
  ) => {
    if (limit <= 0 || values[t] <= limit) return;
    if (settings.thresholdsOnlyWhenUnusual && (usual > limit || !unusualToday || dayImpact < minImpact)) return;
    let onset = t;
    while (onset - 1 >= 0 && values[onset - 1] > limit) onset--;
    out.push({
      scope: 'user',
      subject: u.email,
      detector,
      asOf: series.days[t],
      onsetAt: startOfDayIso(series.days[onset]),
      observed: values[t],
      expected: usual,
      bandLow: null,
      bandHigh: limit,
      unit: detector === 'daily_requests' ? 'requests' : 'tokens',
      impactCents: dayImpact,
      topModel: null,
      why: { ...why(), limit },
    });
  };
  daily('daily_requests', u.events, settings.dailyRequestLimit, b?.events ?? 0);
  daily('daily_tokens', u.tokens, settings.dailyTokenLimit, b?.tokens ?? 0);

  const cycleAnomaly = cycleSpend(s, series, settings, cycle, why, unusualToday);
  if (cycleAnomaly) out.push(cycleAnomaly);
  for (const a of out) a.topModel = a.why.topModel;
  return out;
}

function cycleSpend(
  s: UserScan,
  series: SeriesSet,
  settings: Settings,
  cycle: CycleSpend | undefined,
  why: () => Anomaly['why'],
  unusualToday: boolean,
): Draft | null {
  const limit = settings.cycleSpendLimitDollars * 100;
  if (limit <= 0) return null;
  const t = series.asOfIdx;
  const asOf = series.days[t];
  const start =
    cycle && isDay(cycle.cycleStart) && cycle.cycleStart <= asOf ? cycle.cycleStart : `${asOf.slice(0, 8)}01`;
  let spend = 0;
  let expected = 0;
  let onset = -1;
  for (let d = 0; d <= t; d++) {
    if (series.days[d] < start) continue;
    const cents = s.user.cents[d];
    spend += cents;
    // Days judged normal count at what was spent; evaluated anomalous days at what was expected.
    expected += s.onset[d] >= 0 ? Math.min(cents, s.expected[d]) : cents;
    if (onset < 0 && spend > limit) onset = d;
  }
  if (cycle && cycle.cycleStart === start) spend = Math.max(spend, cycle.spendCents);
  if (spend <= limit) return null;
  if (onset < 0) onset = t; // the reported total crossed it before our rollups did
  const impact = settings.thresholdsOnlyWhenUnusual ? spend - expected : spend - limit;
  if (
    settings.thresholdsOnlyWhenUnusual &&
    (!unusualToday || expected > limit || impact < settings.minImpactDollars * 100)
  )
    return null;
  return {
    scope: 'user',
    subject: s.user.email,
    detector: 'cycle_spend',
    asOf,
    onsetAt: startOfDayIso(series.days[onset]),
    observed: spend,
    expected,
    bandLow: null,
    bandHigh: limit,
    unit: 'cents',
    impactCents: impact,
    topModel: null,
    why: { ...why(), limit: settings.cycleSpendLimitDollars },
  };
}
