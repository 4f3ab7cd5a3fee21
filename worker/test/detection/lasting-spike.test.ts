import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../../src/detection/detect';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { asOfDay, emailOf, makeInput, type DayTweak } from './fixtures';

const start = '2026-11-11'; // a Wednesday
const lastDay = addDays(start, 7);
const movers = [2, 5, 9, 13, 17, 21];

/** A team whose `movers` change from `start` on as `tweak` says (active every day from then), judged each day. */
function passes(tweak: (day: string) => DayTweak | undefined, seed: number) {
  const input = makeInput({
    users: 40,
    days: 70,
    asOf: lastDay,
    seed,
    tweak: (_email, day, i) => (movers.includes(i) && day >= start ? tweak(day) : undefined),
  });
  const days: string[] = [];
  for (let day = start; day <= lastDay; day = addDays(day, 1)) days.push(day);
  return days.map((day) => ({
    day,
    found: detect(asOfDay(input, day), DEFAULT_SETTINGS).filter((a) => movers.some((i) => a.subject === emailOf(i))),
  }));
}

/** Each mover's detector (and onset day) on each day, as `detector@onset`. */
const named = (p: ReturnType<typeof passes>, i: number) =>
  p.map(({ found }) => {
    const a = found.find((x) => x.subject === emailOf(i));
    return a ? `${a.detector}@${a.onsetAt.slice(0, 10)}` : '-';
  });

describe('detect: a spike that goes on', () => {
  /**
   * The movers whose first day alarmed as a spike, and what the passes of their third and fourth days called them
   * (later, the fixture's forced weekend days, for someone with no weekend level, can end an episode).
   */
  function afterSpike(tweak: (day: string) => DayTweak | undefined, seed: number) {
    const p = passes(tweak, seed);
    const spiked = movers.filter((i) => named(p, i)[0] === `personal_spike@${start}`);
    return { spiked, later: spiked.map((i) => named(p, i).slice(2, 4)) };
  }

  it('is renamed a model shift from its first day once it has three active days on the new mix', () => {
    for (const seed of [1, 2, 3]) {
      const { spiked, later } = afterSpike(() => ({ premiumShare: 0.8, active: true }), seed);
      expect({ seed, spiked: spiked.length >= 2 }).toEqual({ seed, spiked: true });
      for (const days of later) expect({ seed, days }).toEqual({ seed, days: days.map(() => `model_shift@${start}`) });
    }
  });

  it('is renamed a sustained drift from its first day when the volume stays up', () => {
    for (const seed of [1, 2, 3]) {
      const { spiked, later } = afterSpike(() => ({ volume: 10, active: true }), seed);
      expect({ seed, spiked: spiked.length >= 2 }).toEqual({ seed, spiked: true });
      for (const days of later)
        expect({ seed, days }).toEqual({ seed, days: days.map(() => `sustained_drift@${start}`) });
    }
  });

  it('stays a spike while its first day holds most of the excess, though milder days above normal follow', () => {
    for (const seed of [1, 2, 3]) {
      const p = passes(
        (day) =>
          day === start
            ? { volume: 25, active: true }
            : day <= addDays(start, 3)
              ? { volume: 2.5, active: true }
              : { active: true },
        seed,
      );
      const spiked = movers.filter((i) => named(p, i)[0] === `personal_spike@${start}`);
      expect({ seed, spiked: spiked.length >= 2 }).toEqual({ seed, spiked: true });
      for (const i of spiked)
        expect({ seed, i, renamed: named(p, i).filter((d) => d !== '-' && !d.startsWith('personal_spike')) }).toEqual({
          seed,
          i,
          renamed: [],
        });
    }
  });

  it('stays a lasting rise however large its newest day grows (as through a day of hourly passes)', () => {
    const third = addDays(start, 2);
    for (const seed of [1, 2, 3])
      for (const volume of [20, 40, 80]) {
        const p = passes((day) => ({ volume: day === start ? 12 : day === third ? volume : 8, active: true }), seed);
        const spiked = movers.filter((i) => named(p, i)[0] === `personal_spike@${start}`);
        expect({ seed, spiked: spiked.length >= 2 }).toEqual({ seed, spiked: true });
        for (const i of spiked)
          expect({ seed, volume, i, third: named(p, i)[2] }).toEqual({
            seed,
            volume,
            i,
            third: `sustained_drift@${start}`,
          });
      }
  });

  it('stays a spike whose largest day is its second, though a milder third day follows', () => {
    for (const seed of [1, 2, 3])
      for (const [first, second, third] of [
        [10, 80, 3],
        [12, 120, 4],
      ]) {
        const p = passes(
          (day) => ({
            volume: day === start ? first : day === addDays(start, 1) ? second : day === addDays(start, 2) ? third : 1,
            active: true,
          }),
          seed,
        );
        const spiked = movers.filter((i) => named(p, i)[0] === `personal_spike@${start}`);
        expect({ seed, spiked: spiked.length >= 2 }).toEqual({ seed, spiked: true });
        for (const i of spiked)
          expect({
            seed,
            first,
            i,
            renamed: named(p, i).filter((d) => d !== '-' && !d.startsWith('personal_spike')),
          }).toEqual({
            seed,
            first,
            i,
            renamed: [],
          });
      }
  });

  it('stays a spike over two days, and ends', () => {
    for (const seed of [1, 2, 3]) {
      const p = passes((day) => (day <= addDays(start, 1) ? { volume: 25, active: true } : { active: true }), seed);
      for (const i of movers) {
        const days = named(p, i);
        expect({ seed, i, days: days.slice(0, 2) }).toEqual({
          seed,
          i,
          days: [`personal_spike@${start}`, `personal_spike@${start}`],
        });
        expect(days.slice(2).filter((d) => d.startsWith('personal_spike'))).toEqual([]);
        expect(days.slice(2).filter((d) => d !== '-')).toEqual([]);
      }
    }
  });
});
