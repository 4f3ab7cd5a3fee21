import type { Why } from './types';
import type { UserSeries } from './series';

export interface DayRange {
  from: number; // inclusive day index
  to: number; // inclusive day index
}

interface Totals {
  cents: number;
  events: number;
  activeDays: number;
  headless: number;
  maxMode: number;
  premium: number;
  models: Map<string, number>;
}

/**
 * Sums over the range's days, in the order day → user → the user's models (so every sum, and the models' first-seen
 * order that breaks ties between equal shares, is what a plain nested loop gives). Each model gets a slot in an
 * accumulator once per call rather than a Map lookup per user-day: the team-wide explanation goes over every
 * developer's every model.
 */
function totals(users: UserSeries[], range: DayRange, expensive: Set<string>, skip?: Uint8Array): Totals {
  const t: Totals = { cents: 0, events: 0, activeDays: 0, headless: 0, maxMode: 0, premium: 0, models: new Map() };
  const slotOf = new Map<string, number>();
  const names: string[] = [];
  const userModels: { cents: Float64Array; slot: number; premium: boolean }[][] = [];
  for (const u of users) {
    const own: { cents: Float64Array; slot: number; premium: boolean }[] = [];
    for (const [model, m] of u.models) {
      let slot = slotOf.get(model);
      if (slot === undefined) {
        slot = names.length;
        slotOf.set(model, slot);
        names.push(model);
      }
      own.push({ cents: m.cents, slot, premium: expensive.has(model) });
    }
    userModels.push(own);
  }
  const sums = new Float64Array(names.length);
  const seen = new Uint8Array(names.length);
  const order: number[] = [];
  for (let d = Math.max(0, range.from); d <= range.to; d++) {
    if (skip?.[d] === 1) continue;
    let active = false;
    for (let i = 0; i < users.length; i++) {
      const u = users[i];
      if (u.events[d] <= 0) continue;
      active = true;
      t.cents += u.cents[d];
      t.events += u.events[d];
      t.headless += u.headlessCents[d];
      t.maxMode += u.maxModeCents[d];
      for (const m of userModels[i]) {
        const cents = m.cents[d];
        if (cents === 0) continue;
        sums[m.slot] += cents;
        if (seen[m.slot] === 0) {
          seen[m.slot] = 1;
          order.push(m.slot);
        }
        if (m.premium) t.premium += cents;
      }
    }
    if (active) t.activeDays++;
  }
  for (const slot of order) t.models.set(names[slot], sums[slot]);
  return t;
}

function shares(models: Map<string, number>, total: number, top = 5): Record<string, number> {
  const out: Record<string, number> = {};
  if (total <= 0) return out;
  for (const [model, cents] of [...models].sort((a, b) => b[1] - a[1]).slice(0, top))
    out[model] = round(cents / total, 3);
  return out;
}

const round = (v: number, digits = 2) => (Number.isFinite(v) ? Number(v.toFixed(digits)) : 0);
const ratio = (a: number, b: number) => (b > 0 ? a / b : a > 0 ? Number.POSITIVE_INFINITY : 1);

/**
 * Why spend moved between the baseline days and the episode: per active day, the change in volume (requests) and
 * in cost per request, the model mix before and after (share of spend on expensive models), top model, max mode
 * and headless shares. `skip` leaves out baseline days that were themselves anomalous.
 */
export function explain(
  users: UserSeries[],
  episode: DayRange,
  baseline: DayRange,
  expensive: Set<string>,
  skip?: Uint8Array,
): Why {
  const now = totals(users, episode, expensive);
  const before = totals(users, baseline, expensive, skip);
  const eventsPerDayNow = now.events / Math.max(1, now.activeDays);
  const eventsPerDayBefore = before.events / Math.max(1, before.activeDays);
  const volumeFactor = ratio(eventsPerDayNow, eventsPerDayBefore);
  const cprNow = now.events > 0 ? now.cents / now.events : 0;
  const cprBefore = before.events > 0 ? before.cents / before.events : 0;
  const costPerRequestFactor = ratio(cprNow, cprBefore);
  const premiumShareBefore = before.cents > 0 ? before.premium / before.cents : 0;
  const premiumShareAfter = now.cents > 0 ? now.premium / now.cents : 0;
  const [topModel, topCents] = [...now.models].sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
  let driver: Why['driver'];
  const volumeUp = volumeFactor >= 1.5;
  const costUp = costPerRequestFactor >= 1.5;
  if (costUp && premiumShareAfter - premiumShareBefore >= 0.2) driver = volumeUp ? 'mixed' : 'model_mix';
  else if (volumeUp && costUp) driver = 'mixed';
  else if (costUp) driver = 'cost_per_request';
  else if (volumeUp) driver = 'volume';
  else driver = volumeFactor >= costPerRequestFactor ? 'volume' : 'cost_per_request';
  return {
    driver,
    volumeFactor: round(Math.min(volumeFactor, 1e6)),
    costPerRequestFactor: round(Math.min(costPerRequestFactor, 1e6)),
    topModel,
    topModelShare: round(now.cents > 0 ? topCents / now.cents : 0, 3),
    maxModeShare: round(now.cents > 0 ? now.maxMode / now.cents : 0, 3),
    headlessShare: round(now.cents > 0 ? now.headless / now.cents : 0, 3),
    premiumShareBefore: round(premiumShareBefore, 3),
    premiumShareAfter: round(premiumShareAfter, 3),
    modelsBefore: shares(before.models, before.cents),
    modelsAfter: shares(now.models, now.cents),
  };
}
