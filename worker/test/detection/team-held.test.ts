/**
 * A lasting team-wide price rise whose team incident resolved itself while the team still paid it (demo mode and
 * bench:detect's H1-small, Dec 2026): developers' own baselines take the new price in within days, so the level of
 * the median developer soon reads normal. A pass told the open team incident's onset (DetectionInput.openTeamOnset)
 * goes on reporting it while the team's spend stays up against before that onset, for adaptAfterDays (pure).
 */
import { addDays, daysBetween } from '@cursor-cost-watch/contract';
import { detect, type Anomaly, type DetectionInput } from '../../src/detection';
import { openTeamOnset, type Detection } from '../../src/detection/episodes';
import { backtestDetection } from '../../src/detection/episodes';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { generateScenario, inputAsOf } from '../../bench/scenarios/team';
import { SCENARIOS } from '../../bench/scenarios/catalog';
import { asOfDay, makeInput } from './fixtures';

const JUMP = '2026-10-12'; // a Monday
const GAP = DEFAULT_SETTINGS.autoResolveAfterDays;

/**
 * 150 developers to 2026-11-20; from JUMP every other one pays × `factor`, until `until` (the end when unset); and
 * `runaway`'s days, on which one developer outside the jump makes 60 times their usual requests.
 */
function jump(factor: number, until?: string, runaway: string[] = []) {
  return makeInput({
    users: 150,
    days: 70,
    asOf: '2026-11-20',
    seed: 11,
    tweak: (_email, day, i) => {
      if (i === 1 && runaway.includes(day)) return { volume: 60, active: true };
      return day >= JUMP && (until === undefined || day < until) && i % 2 === 0 ? { priceFactor: factor } : undefined;
    },
  });
}

/** Each day's team anomaly from `from` to `to`, each pass told the open team incident as the worker tells it. */
function replay(inputOn: (day: string) => DetectionInput, from: string, to: string, told = true, partialDay = false) {
  const seen: Detection[] = [];
  const team: Anomaly[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    const onset = told ? openTeamOnset(seen, day, GAP) : undefined;
    const input = { ...inputOn(day), partialDay, ...(onset && { openTeamOnset: onset }) };
    for (const a of detect(input, DEFAULT_SETTINGS)) {
      if (a.scope !== 'team') continue;
      seen.push(backtestDetection(day, a));
      team.push(a);
    }
  }
  return team;
}

/** The last day an anomaly was reported, and how many days after the onset the incident then resolved itself. */
const lastDay = (team: Anomaly[]) => team.at(-1)!.asOf;

describe('a team incident while the team still pays a lasting rise', () => {
  it('goes on for adaptAfterDays from its onset, though the level of the median developer fades', () => {
    // bench:detect's H1-small: from Oct 15, 31 of its 50 developers pay more on the mid-tier model, to the end. The
    // median developer rose ×1.02–1.14 while the team's spend went from ×1.1–1.6 of expected to ×2–2.9; the team
    // incident opened on Oct 22, was last reported on Oct 23, and resolved itself on Oct 26.
    const sc = generateScenario(SCENARIOS.find((s) => s.name === 'H1-small')!);
    const onset = '2026-10-22';
    const inputOn = (day: string) => inputAsOf(sc, day);
    const plain = replay(inputOn, '2026-10-20', '2026-11-10', false);
    const held = replay(inputOn, '2026-10-20', '2026-11-10');
    expect(plain.map((a) => a.asOf)).toEqual(['2026-10-22', '2026-10-23']);
    // Told it, the passes report it from its onset until adaptAfterDays after it, and no later.
    expect(new Set(held.map((a) => a.onsetAt.slice(0, 10)))).toEqual(new Set([onset]));
    expect(lastDay(held)).toBe(addDays(onset, DEFAULT_SETTINGS.adaptAfterDays - 1));
    const fromHeld = held.filter((a) => a.why.heldUp !== undefined);
    expect(fromHeld.length).toBeGreaterThan(3);
    // No run of GAP days without a report before then: the incident stays open.
    for (let i = 1; i < held.length; i++) expect(daysBetween(held[i - 1].asOf, held[i].asOf)).toBeLessThanOrEqual(GAP);
    for (const a of fromHeld) {
      expect(a.why.heldUp!.factor).toBeGreaterThanOrEqual(DEFAULT_SETTINGS.teamShiftMinFactor);
      expect(a.why.heldUp!.z).toBeGreaterThanOrEqual(DEFAULT_SETTINGS.elevatedZ);
      // It reports what the team spent on the day read, over what it would have at its ratio before the onset.
      expect(a.observed).toBeGreaterThan(a.expected * DEFAULT_SETTINGS.teamShiftMinFactor);
      expect(a.why.heldUp!.day < a.asOf || a.why.heldUp!.day === a.asOf).toBe(true);
    }
    // Its impact is the extra over before the onset on every day read since: it grows as the team goes on paying, past
    // what the two days' episode had reported (about $100 a day: the jump's $3,756 over its 37 days).
    expect(fromHeld.at(-1)!.impactCents).toBeGreaterThan(fromHeld[0].impactCents);
    expect(fromHeld.at(-1)!.impactCents).toBeGreaterThan(plain[1].impactCents);
    expect(fromHeld.at(-1)!.impactCents).toBeLessThan(sc.truth.find((x) => x.scope === 'team')!.extraCents);
    // A weekend's passes keep Friday's reading: they report it too.
    expect(held.map((a) => a.asOf)).toEqual(expect.arrayContaining(['2026-10-24', '2026-10-25', '2026-10-31']));
  });

  it('goes on the same way for the hourly passes of a day still running (yesterday read)', () => {
    // Each pass of the hourly worker evaluates today so far (partialDay): the spend read is yesterday's.
    const sc = generateScenario(SCENARIOS.find((s) => s.name === 'H1-small')!);
    const held = replay((day) => inputAsOf(sc, day), '2026-10-20', '2026-11-10', true, true);
    expect(held[0].onsetAt.slice(0, 10)).toBe('2026-10-22');
    expect(lastDay(held) >= addDays('2026-10-22', DEFAULT_SETTINGS.adaptAfterDays - 1)).toBe(true);
    for (let i = 1; i < held.length; i++) expect(daysBetween(held[i - 1].asOf, held[i].asOf)).toBeLessThanOrEqual(GAP);
    for (const a of held.filter((x) => x.why.heldUp !== undefined)) expect(a.why.heldUp!.day < a.asOf).toBe(true);
  });

  it("is not held once the price is back, nor by one developer's runaway day", () => {
    // Half of 150 developers × 1.5 for one week: the team's spend comes back to before the onset, and the incident
    // is reported no later than GAP days after it, though one developer's days at 60 times their usual the week after
    // would have held it (each developer's day counts in the team's up to 5 times their usual).
    const after = [8, 9, 10, 11, 14, 15].map((n) => addDays(JUMP, n));
    const input = jump(1.5, addDays(JUMP, 7), after);
    const held = replay((day) => asOfDay(input, day), JUMP, addDays(JUMP, 24));
    expect(held[0].onsetAt.slice(0, 10)).toBe(JUMP);
    expect(daysBetween(JUMP, lastDay(held))).toBeLessThan(7 + GAP);
  });

  it('refuses an open team onset that is not a day, or after the day evaluated', () => {
    const input = asOfDay(jump(1.5), JUMP);
    expect(() => detect({ ...input, openTeamOnset: '12/10/2026' }, DEFAULT_SETTINGS)).toThrow(
      'openTeamOnset "12/10/2026" must be a day as YYYY-MM-DD, not after asOf 2026-10-12',
    );
    expect(() => detect({ ...input, openTeamOnset: addDays(JUMP, 1) }, DEFAULT_SETTINGS)).toThrow(/not after asOf/);
  });
});
