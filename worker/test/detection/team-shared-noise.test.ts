/**
 * A team whose developers' days move together (a busy week, a shared deadline: every developer's spend times one
 * day factor), rebuilt from bench:detect's shared-noise teams (S1–S5) and replayed day by day (pure, no database).
 * A single day a little above the team's usual is noise there; two such days in a row, or one well above, are not.
 * And a team back from a quiet week that its passes judge against: a day is a team shift only when its developers are
 * up on their own usual too.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { gauss, makeInput, rng, teamReplay } from './fixtures';

const AS_OF = '2026-11-20';
const DAYS = 63;
const STRETCH = '2026-11-03'; // a Tuesday whose shared factor is ×1.13: the team level 2.4 of its scales up

/** One factor a day for everyone: exp(5% · s) with s an AR(1) over calendar days (ρ 0.5), from its own seed. */
function sharedFactors(seed: number): Map<string, number> {
  const r = rng(seed);
  const factors = new Map<string, number>();
  let s = gauss(r);
  for (let d = 0; d < DAYS; d++) {
    s = 0.5 * s + Math.sqrt(1 - 0.25) * gauss(r);
    factors.set(addDays(AS_OF, d - DAYS + 1), Math.exp(0.05 * s));
  }
  return factors;
}

/** 150 developers over DAYS days to AS_OF, every one's spend on a day times `factorOf(day)`. */
function teamOf(factorOf: (day: string) => number) {
  return makeInput({
    users: 150,
    days: DAYS,
    asOf: AS_OF,
    seed: 5,
    tweak: (_email, day) => ({ priceFactor: factorOf(day) }),
  });
}

/** Every developer's day times the shared factor and times `extra` on its days. */
function sharedTeam(extra: Record<string, number> = {}) {
  const factors = sharedFactors(7);
  return teamOf((day) => (factors.get(day) ?? 1) * (extra[day] ?? 1));
}

describe('a team whose days move together', () => {
  it('opens no team incident on one day a little above its usual', () => {
    // STRETCH's level is ×1.08 at z 2.4: over the bar of one day before (z 2 and ×1.07), it opened a team incident
    // on STRETCH; the days around it are ordinary (z 1.6, then 1.0).
    expect(teamReplay(sharedTeam(), addDays(STRETCH, -1), addDays(STRETCH, 3))).toEqual([]);
  });

  it('opens one on the second of two such days, from the first', () => {
    // The day after STRETCH × 1.05 more (its level z 2.4 too): together (2.4 + 2.4) / √2 ≈ 3.4.
    const replay = teamReplay(sharedTeam({ [addDays(STRETCH, 1)]: 1.05 }), STRETCH, addDays(STRETCH, 1));
    expect(replay).toEqual([{ day: addDays(STRETCH, 1), onset: STRETCH }]);
  });

  it('pairs a Monday with the Friday before it, over the weekend', () => {
    // Friday Oct 30 × 1.14 (its level z 2.5) and Monday Nov 2 × 1.16 (z 2.3), a quiet weekend between: the day
    // before Monday of its class is Friday, and together they open the team episode on Monday, from Friday.
    const input = sharedTeam({ '2026-10-30': 1.14, '2026-11-02': 1.16 });
    expect(teamReplay(input, '2026-10-30', '2026-11-02')).toEqual([{ day: '2026-11-02', onset: '2026-10-30' }]);
  });

  it('opens one on a single day well above its usual', () => {
    // STRETCH × 1.04 more: its level at z 3.3, over ONE_DAY_TEAM_Z by itself.
    const replay = teamReplay(sharedTeam({ [STRETCH]: 1.04 }), STRETCH, STRETCH);
    expect(replay).toEqual([{ day: STRETCH, onset: STRETCH }]);
  });

  it('counts a day of an open team episode at the one-day bar of before', () => {
    // A team-wide jump on STRETCH (× 1.2), a dip the next day (z 0.6), then a day ×1.08 (z 2.3): with the dip before
    // it, short of ONE_DAY_TEAM_Z as a pair, but a team episode is open, so it is that episode's day, still reported
    // from its onset. Otherwise the episode's last day stays STRETCH and the pass reports nothing.
    const input = sharedTeam({ [STRETCH]: 1.2, [addDays(STRETCH, 1)]: 0.95, [addDays(STRETCH, 2)]: 1.08 });
    expect(teamReplay(input, addDays(STRETCH, 2), addDays(STRETCH, 2))).toEqual([
      { day: addDays(STRETCH, 2), onset: STRETCH },
    ]);
  });
});

/** The six workdays of Oct 23–30 ×0.92 for everyone: the first days the pass of Nov 12 judges, so its reference. */
const QUIET_WEEK = ['2026-10-23', '2026-10-26', '2026-10-27', '2026-10-28', '2026-10-29', '2026-10-30'];

/** The same developers without a shared day factor, a quiet week, and `extra` on its days. */
function afterQuietWeek(extra: Record<string, number>) {
  const factor: Record<string, number> = { ...Object.fromEntries(QUIET_WEEK.map((d) => [d, 0.92])), ...extra };
  return teamOf((day) => factor[day] ?? 1);
}

describe('a team back from a quiet week', () => {
  it('opens no team incident on a day a little over its developers’ usual', () => {
    // The quiet week is the reference of the pass of Nov 12 (its level ×0.96); the ordinary days after it read z 2–3.6
    // over it, and all but one stay out of it. Nov 11 ×1.03 and Nov 12 ×1.04 put the team level (its median
    // developer) at ×1.04 and ×1.06 over their own usual, z 3.7 and 4.6 over that reference: a team incident opened on
    // Nov 12 while the level over the reference was the whole test.
    const input = afterQuietWeek({ '2026-11-11': 1.03, '2026-11-12': 1.04 });
    expect(teamReplay(input, '2026-11-09', '2026-11-13')).toEqual([]);
  });

  it('opens one on a team-wide jump just over the bar after it', () => {
    // Nov 12 ×1.08: the median developer ×1.09 over their own usual, over teamShiftMinFactor (1.07).
    const replay = teamReplay(afterQuietWeek({ '2026-11-12': 1.08 }), '2026-11-09', '2026-11-13');
    expect(replay.map((r) => r.day)).toEqual(['2026-11-12']);
  });
});
