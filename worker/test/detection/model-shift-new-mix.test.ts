/**
 * A model shift is judged on the days of the new mix, not on a span that a busy day on the old mix began (bench:detect's
 * H2-power dev0007, held out, Dec 4 2026: a power user at a 52% share of spend on expensive models moved to 92% on a
 * day at × 3.5, z 3.8; the cost-only onset search reached back to a day at z 1.6 on the old mix, which brought the
 * span's share to 80%, a rise of 0.28, under modelShiftMinShareRise; the shift was reported two days later). With no
 * cost alarm, the days from the first one on the new mix open a model shift when they pass its test and are worth
 * minImpactDollars on their own.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect, type DetectionInput } from '../../src/detection';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, PREMIUM_USER as who, premiumUserTeam } from './fixtures';

const friday = '2026-11-13';
const monday = '2026-11-16';

/**
 * `who` is away the weekend; on `monday` they either move to 75% of their requests on the premium model (`switched`)
 * or make 2.6 × their requests on the old mix; `fridayVolume` × their requests on `friday`.
 */
function team(seed: number, fridayVolume: number, switched = true): DetectionInput {
  return premiumUserTeam(seed, addDays(monday, 7), (day) => {
    if (day === addDays(friday, 1) || day === addDays(friday, 2)) return { active: false };
    if (day === friday) return { premiumShare: 0.12, volume: fridayVolume, active: true };
    if (day === monday && !switched) return { premiumShare: 0.12, volume: 2.6, active: true };
    if (day >= monday && switched) return { premiumShare: 0.72, active: true };
    return undefined;
  });
}

/** The first pass (one a day from `friday`) that reports a model shift on `who`, and its onset. */
function firstFind(input: DetectionInput): { asOf: string; onset: string } | null {
  for (let day = friday; day <= addDays(monday, 7); day = addDays(day, 1)) {
    const a = detect(asOfDay(input, day), DEFAULT_SETTINGS).find(
      (x) => x.scope === 'user' && x.subject === who && x.detector === 'model_shift',
    );
    if (a) return { asOf: day, onset: a.onsetAt.slice(0, 10) };
  }
  return null;
}

// Team seeds 1-8 with the Friday at × 1.5: before, the switch of seeds 1, 3, 5 and 8 was not reported as a model shift
// that week; now 1, 3 and 8 are on the Monday, from the Monday (2 and 4 were on the Monday either way; 5, 6 and 7 late
// or not reported either way). With an ordinary Friday, seed 3's was reported only on the Saturday before (an earlier
// day above the reference began its span), on the Monday now.
describe('a model shift after a busy day on the old mix', () => {
  it.each([1, 3, 8])('is reported on the day of the switch, from that day (team seed %i)', (seed) => {
    expect(firstFind(team(seed, 1.5))).toEqual({ asOf: monday, onset: monday });
  });

  it.each([1, 3, 8])('as it is when the Friday was ordinary (team seed %i)', (seed) => {
    expect(firstFind(team(seed, 1))).toEqual({ asOf: monday, onset: monday });
  });

  it.each([1, 3, 8])('is not reported for the same cost on the old mix (team seed %i)', (seed) => {
    expect(firstFind(team(seed, 1.5, false))).toBeNull();
  });
});
