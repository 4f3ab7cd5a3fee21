import { continuesSpike, toEpisodes } from '../../src/detection/episodes';
import { score, teamJumpCover } from '../../bench/evaluation/score';
import { originalRules } from '../../bench/evaluation/original-rules';
import { EventRollup } from '../../bench/evaluation/rollup';
import { addDays } from '@cursor-cost-watch/contract';
import { SCENARIOS } from '../../bench/scenarios/catalog';
import { busyFactor, generateScenario, mixDayPremium, prng, type Scenario } from '../../bench/scenarios/team';
import { makeInput, emailOf } from './fixtures';
import { benchSettings } from '../../bench/support/bench-settings';
import { DEFAULT_SETTINGS } from '../../src/settings';

/** A team-wide jump on developers a and b, Nov 18–20. */
const TEAM_JUMP = {
  id: 'team-1',
  scope: 'team' as const,
  email: null,
  emails: ['a', 'b'],
  kind: 'team_jump',
  startDay: '2026-11-18',
  endDay: '2026-11-20',
  extraCents: 130000,
};

/**
 * `draw` (a day's busy factor, a mix day's premium share) gives a value other than `none` on `share` of many days,
 * within `range`, and with no share draws nothing: a team without such days keeps the stream it always had.
 */
function expectDraws(
  draw: (r: () => number, share: number | undefined) => number,
  share: number,
  none: number,
  range: [number, number],
): void {
  const r = prng(7);
  const values = Array.from({ length: 40_000 }, () => draw(r, share));
  const drawn = values.filter((v) => v !== none);
  expect(drawn.length / values.length).toBeGreaterThan(share - 0.01);
  expect(drawn.length / values.length).toBeLessThan(share + 0.01);
  expect(Math.min(...drawn)).toBeGreaterThanOrEqual(range[0]);
  expect(Math.max(...drawn)).toBeLessThanOrEqual(range[1]);
  const plain = prng(3);
  expect(draw(plain, undefined)).toBe(none);
  expect(plain()).toBe(prng(3)());
}

/**
 * The twin teams generated: the same developers (their numbers; the team's name is in their emails), anomalies and
 * working days, since the days that differ come from a stream of their own.
 */
function sameTwins(plainName: string, otherName: string): [Scenario, Scenario] {
  const [twin, other] = [plainName, otherName].map((n) => generateScenario(SCENARIOS.find((s) => s.name === n)!));
  const plan = (sc: Scenario) =>
    sc.truth.map((t) => `${t.kind} ${t.emails?.map((e) => e.split('.')[1]).join(',')} ${t.startDay} ${t.endDay}`);
  expect(plan(other)).toEqual(plan(twin));
  const worked = (sc: Scenario) => sc.input.userDays.map((d) => `${d.email.split('.')[1]} ${d.day}`);
  expect(worked(other)).toEqual(worked(twin));
  return [twin, other];
}

describe('benchmark helpers', () => {
  it("reads a benchmark's --settings as the worker's settings are read, with errors that name what is wrong", () => {
    expect(benchSettings('{}')).toEqual(DEFAULT_SETTINGS);
    expect(benchSettings('{"teamShiftMinFactor":1.1}')).toEqual({ ...DEFAULT_SETTINGS, teamShiftMinFactor: 1.1 });
    expect(() => benchSettings('{teamShiftMinFactor:1.1}')).toThrow(/--settings is not JSON/);
    expect(() => benchSettings('{"teamShiftMinFactor":"x"}')).toThrow(
      /--settings: teamShiftMinFactor must be a number/,
    );
    expect(() => benchSettings('{"teamShiftMinFactr":1.1}')).toThrow(/--settings: .*teamShiftMinFactr/);
  });

  it('starts a new episode at a team step, as the incidents do, with or without onsets before it', () => {
    const t = (day: string, onset?: string, stepAfter?: string) => ({
      day,
      scope: 'team' as const,
      subject: 'team',
      detector: 'team_shift',
      ...(onset === undefined ? {} : { onset }),
      ...(stepAfter === undefined ? {} : { stepAfter }),
    });
    const withOnsets = [t('2026-10-16', '2026-10-05'), t('2026-10-18', '2026-10-05')];
    const withoutOnsets = [t('2026-10-16'), t('2026-10-18')];
    const step = [t('2026-10-19', '2026-10-19', '2026-10-05'), t('2026-10-20', '2026-10-19', '2026-10-05')];
    for (const before of [withOnsets, withoutOnsets])
      expect(toEpisodes([...before, ...step], 3).map((e) => `${e.firstDay}..${e.lastDay}`)).toEqual([
        '2026-10-16..2026-10-18',
        '2026-10-19..2026-10-20',
      ]);
    // A later onset without the step's mark is an onset move of the same episode.
    const moved = toEpisodes([...withOnsets, t('2026-10-19', '2026-10-19')], 3);
    expect(moved.map((e) => [e.firstDay, e.lastDay, e.onset, e.onsetMoves])).toEqual([
      ['2026-10-16', '2026-10-19', '2026-10-19', 1],
    ]);
  });

  it("keeps a team episode's onset against a later pass that did not judge every day since it, as the incidents do", () => {
    // bench:detect's new-seed X6-power: the pass of Oct 26 judged in full only from Oct 18 and saw the jump begin
    // on Oct 20; before, the episode's onset moved there from Oct 14.
    const t = (day: string, onset: string, judgedFrom: string) => ({
      day,
      scope: 'team' as const,
      subject: 'team',
      detector: 'team_shift',
      onset,
      judgedFrom,
    });
    const passes = [t('2026-10-21', '2026-10-14', '2026-10-11'), t('2026-10-23', '2026-10-14', '2026-10-11')];
    const kept = toEpisodes([...passes, t('2026-10-26', '2026-10-20', '2026-10-18')], 3);
    expect(kept.map((e) => [e.firstDay, e.lastDay, e.onset, e.onsetMoves])).toEqual([
      ['2026-10-21', '2026-10-26', '2026-10-14', 0],
    ]);
    // A pass that judged every day since the onset moves it; so does an earlier onset.
    const moved = toEpisodes(
      [...passes, t('2026-10-24', '2026-10-20', '2026-10-11'), t('2026-10-26', '2026-10-12', '2026-10-18')],
      3,
    );
    expect(moved.map((e) => [e.onset, e.onsetMoves])).toEqual([['2026-10-12', 2]]);
  });

  it("keeps a team episode's onset against a later pass that still reads it as a team shift, as the incidents do", () => {
    // bench:detect's T1-steady (Dec 4 2026): from Nov 13 the passes read Nov 2 as a shift but not Nov 4, so in their
    // reading the stretch of Nov 2 ended and another began on Nov 10; before, the episode's onset moved there.
    const t = (day: string, onset: string, alarmedOnsets: string[]) => ({
      day,
      scope: 'team' as const,
      subject: 'team',
      detector: 'team_shift',
      onset,
      judgedFrom: '2026-10-20',
      alarmedOnsets,
    });
    const passes = [t('2026-11-10', '2026-11-02', ['2026-11-02']), t('2026-11-12', '2026-11-02', ['2026-11-02'])];
    const kept = toEpisodes([...passes, t('2026-11-13', '2026-11-10', ['2026-11-02', '2026-11-10'])], 3);
    expect(kept.map((e) => [e.onset, e.onsetMoves])).toEqual([['2026-11-02', 0]]);
    const moved = toEpisodes([...passes, t('2026-11-13', '2026-11-10', ['2026-11-10'])], 3);
    expect(moved.map((e) => [e.onset, e.onsetMoves])).toEqual([['2026-11-10', 1]]);
  });

  it("moves a developer episode's onset only earlier, as the incidents do: a later one is the window sliding", () => {
    // bench:detect's H5-churn dev0694: passes read the drift's start on Oct 22 and Oct 21 in turn (five moves).
    const d = (day: string, onset: string) => ({
      day,
      scope: 'user' as const,
      subject: 'dev0694',
      detector: 'sustained_drift',
      onset,
    });
    const episodes = toEpisodes(
      [
        d('2026-10-28', '2026-10-22'),
        d('2026-10-29', '2026-10-21'),
        d('2026-10-30', '2026-10-22'),
        d('2026-10-31', '2026-10-21'),
        d('2026-11-02', '2026-10-20'),
      ],
      3,
    );
    expect(episodes.map((e) => [e.onset, e.onsetMoves])).toEqual([['2026-10-20', 2]]);
  });

  it('groups day-by-day detections into episodes the way incidents do', () => {
    const d = (day: string, subject = 'a', detector = 'personal_spike') => ({
      day,
      scope: 'user' as const,
      subject,
      detector,
    });
    const episodes = toEpisodes(
      [
        d('2026-11-01'),
        d('2026-11-02'),
        d('2026-11-05'),
        d('2026-11-10'),
        d('2026-11-02', 'b'),
        d('2026-11-02', 'a', 'model_shift'),
      ],
      3,
    );
    expect(episodes.map((e) => `${e.subject}:${e.detector}:${e.firstDay}..${e.lastDay}`).sort()).toEqual([
      'a:model_shift:2026-11-02..2026-11-02',
      'a:personal_spike:2026-11-01..2026-11-05',
      'a:personal_spike:2026-11-10..2026-11-10',
      'b:personal_spike:2026-11-02..2026-11-02',
    ]);
  });

  it("continues a developer's episode whose excess came back after it resolved itself, as the incidents reopen it", () => {
    // bench:detect's T5-holidays: a level shift's drift alarmed Oct 5-22, went quiet, and was read again from Oct 26
    // with the same onset (Oct 2): one incident, reopened, not two.
    const d = (day: string, onset: string, scope: 'user' | 'team' = 'user') => ({
      day,
      scope,
      subject: scope === 'user' ? 'dev0042' : 'team',
      detector: 'sustained_drift',
      onset,
    });
    const shape = (days: ReturnType<typeof d>[]) =>
      toEpisodes(days, 3).map((e) => [e.firstDay, e.lastDay, e.onset, e.reopens ?? 0]);
    // Resolved itself on Oct 25 (three normal days after Oct 22): an onset up to Oct 22, the last day it was seen,
    // is the same excess when it comes back within three days of that, by Oct 28.
    expect(
      shape([d('2026-10-20', '2026-10-02'), d('2026-10-22', '2026-10-02'), d('2026-10-26', '2026-10-02')]),
    ).toEqual([['2026-10-20', '2026-10-26', '2026-10-02', 1]]);
    expect(shape([d('2026-10-22', '2026-10-02'), d('2026-10-28', '2026-10-22')])).toEqual([
      ['2026-10-22', '2026-10-28', '2026-10-02', 1],
    ]);
    // An excess that began in the normal days, or came back later, is a new one.
    for (const [day, onset] of [
      ['2026-10-28', '2026-10-23'],
      ['2026-10-29', '2026-10-02'],
    ])
      expect(shape([d('2026-10-22', '2026-10-02'), d(day, onset)])).toEqual([
        ['2026-10-22', '2026-10-22', '2026-10-02', 0],
        [day, day, onset, 0],
      ]);
    // The team's comes back with its own onset (bench:detect's H2-power, Sep 28 to Oct 9 then Oct 13 from Sep 28: one
    // incident), or one on or before the day it resolved itself: a lasting jump its developers' baselines took in,
    // read again from a later day (H5-churn: Oct 5 to 21, then Oct 26 from Oct 22, the pass having alarmed Oct 5 too,
    // so the incident keeps its onset). Here Oct 5 to 21, resolved Oct 24, read again from Oct 24; from Oct 25 is new.
    expect(shape([d('2026-10-22', '2026-10-02', 'team'), d('2026-10-26', '2026-10-02', 'team')])).toEqual([
      ['2026-10-22', '2026-10-26', '2026-10-02', 1],
    ]);
    const again = (onset: string) => ({ ...d('2026-10-26', onset, 'team'), alarmedOnsets: ['2026-10-05'] });
    expect(shape([d('2026-10-21', '2026-10-05', 'team'), again('2026-10-24')])).toEqual([
      ['2026-10-21', '2026-10-26', '2026-10-05', 1],
    ]);
    expect(shape([d('2026-10-21', '2026-10-05', 'team'), again('2026-10-25')])).toHaveLength(2);
    // A step's own episode comes back with its onset only (toEpisodes splits a step from a later onset anyway).
    const step = (day: string, onset = '2026-10-02') => ({ ...d(day, onset, 'team'), stepAfter: '2026-09-20' });
    expect(toEpisodes([step('2026-10-22'), step('2026-10-26')], 3)).toHaveLength(1);
    expect(toEpisodes([step('2026-10-22'), step('2026-10-26', '2026-10-24')], 3)).toHaveLength(2);
  });

  it("renames a developer's open spike episode to the lasting rise read from its onset, as the incidents do", () => {
    // bench:detect's T8-mixed dev0293: a model shift from Oct 23, told as a spike for 11 days before (Dec 5 2026).
    const d = (day: string, detector: string, onset = '2026-10-23') => ({
      day,
      scope: 'user' as const,
      subject: 'dev0293',
      detector,
      onset,
    });
    const shape = (days: ReturnType<typeof d>[]) =>
      toEpisodes(days, 3).map((e) => [e.detector, e.openedAs ?? '-', e.firstDay, e.lastDay]);
    const spike = [d('2026-10-23', 'personal_spike'), d('2026-10-24', 'personal_spike')];
    expect(shape([...spike, d('2026-10-25', 'model_shift'), d('2026-10-26', 'model_shift')])).toEqual([
      ['model_shift', 'personal_spike', '2026-10-23', '2026-10-26'],
    ]);
    // A spike read again from its onset stays in the renamed episode; one that came back within three days of
    // resolving itself (Oct 27) is renamed there and then.
    expect(shape([...spike, d('2026-10-25', 'model_shift'), d('2026-10-26', 'personal_spike')])).toEqual([
      ['model_shift', 'personal_spike', '2026-10-23', '2026-10-26'],
    ]);
    expect(shape([...spike, d('2026-10-30', 'sustained_drift')])).toEqual([
      ['sustained_drift', 'personal_spike', '2026-10-23', '2026-10-30'],
    ]);
    // A runaway from its onset too: an hourly pass reads one runaway as a spike early in its day.
    expect(shape([...spike, d('2026-10-25', 'runaway_agent')])).toEqual([
      ['runaway_agent', 'personal_spike', '2026-10-23', '2026-10-25'],
    ]);
    // An onset before the spike's, a spike over for longer, or another detector: a new episode.
    for (const next of [
      d('2026-10-25', 'model_shift', '2026-10-22'),
      d('2026-10-31', 'model_shift'),
      d('2026-10-25', 'team_zscore'),
    ])
      expect(shape([...spike, next])).toHaveLength(2);
  });

  it('renames a spike episode for a rise read from a later onset within the gap of its last day, keeping its onset', () => {
    // bench:detect's T4-churn dev0231 (Dec 7 2026): a model shift from Oct 8, read as a spike on Oct 9, then nothing
    // for three days and a model shift from Oct 12 on Oct 13: told twice before.
    const d = (day: string, detector: string, onset: string) => ({
      day,
      scope: 'user' as const,
      subject: 'dev0231',
      detector,
      onset,
    });
    const shape = (days: ReturnType<typeof d>[]) =>
      toEpisodes(days, 3).map((e) => [e.detector, e.openedAs ?? '-', e.onset, e.firstDay, e.lastDay, e.reopens ?? 0]);
    const spike = d('2026-10-09', 'personal_spike', '2026-10-09');
    const shift = ['2026-10-13', '2026-10-14', '2026-10-15'].map((day) => d(day, 'model_shift', '2026-10-12'));
    expect(shape([spike, ...shift])).toEqual([
      ['model_shift', 'personal_spike', '2026-10-09', '2026-10-09', '2026-10-15', 1],
    ]);
    // While the spike is open (no reopen), and from the day after its last.
    expect(shape([spike, d('2026-10-11', 'sustained_drift', '2026-10-10')])).toEqual([
      ['sustained_drift', 'personal_spike', '2026-10-09', '2026-10-09', '2026-10-11', 0],
    ]);
    // An onset more than three days after the spike's last day, or a rise read more than six: a new episode.
    expect(shape([spike, d('2026-10-13', 'model_shift', '2026-10-13')])).toHaveLength(2);
    expect(shape([spike, d('2026-10-16', 'model_shift', '2026-10-12')])).toHaveLength(2);
    expect(continuesSpike('2026-10-09', '2026-10-09', 'model_shift', '2026-10-12', 3)).toBe(true);
    expect(continuesSpike('2026-10-09', '2026-10-09', 'model_shift', '2026-10-13', 3)).toBe(false);
    expect(continuesSpike('2026-10-09', '2026-10-10', 'model_shift', '2026-10-08', 3)).toBe(false);
    // A runaway agent from another day is one day's excess of its own; from the spike's day it is the spike.
    expect(shape([spike, d('2026-10-10', 'runaway_agent', '2026-10-10')])).toHaveLength(2);
    expect(continuesSpike('2026-10-09', '2026-10-09', 'runaway_agent', '2026-10-09', 3)).toBe(true);
    // After a rename from the spike's own onset and a move of that onset earlier, a spike from the old one is the
    // episode still (the incident's reclassified event holds it).
    const moved = shape([
      spike,
      d('2026-10-10', 'model_shift', '2026-10-09'),
      d('2026-10-11', 'model_shift', '2026-10-08'),
      d('2026-10-12', 'personal_spike', '2026-10-09'),
    ]);
    expect(moved).toEqual([['model_shift', 'personal_spike', '2026-10-08', '2026-10-09', '2026-10-12', 0]]);
    // A spike read again from the rise's onset (an hourly pass early in a day) is the renamed episode.
    const again = shape([
      spike,
      ...shift,
      d('2026-10-16', 'personal_spike', '2026-10-12'),
      d('2026-10-17', 'model_shift', '2026-10-12'),
    ]);
    expect(again).toEqual([['model_shift', 'personal_spike', '2026-10-09', '2026-10-09', '2026-10-17', 1]]);
  });

  it('scores precision, recall on anomalies worth the minimum, delay and alert volume', () => {
    const ep = (subject: string, firstDay: string, lastDay = firstDay, scope: 'user' | 'team' = 'user') => ({
      scope,
      subject,
      detector: 'x',
      firstDay,
      lastDay,
    });
    const truth = [
      {
        id: '1',
        scope: 'user' as const,
        email: 'a',
        kind: 'spike',
        startDay: '2026-11-03',
        endDay: '2026-11-03',
        extraCents: 5000,
      },
      {
        id: '2',
        scope: 'user' as const,
        email: 'b',
        kind: 'ramp',
        startDay: '2026-11-01',
        endDay: '2026-11-10',
        extraCents: 9000,
      },
      {
        id: '3',
        scope: 'user' as const,
        email: 'c',
        kind: 'spike',
        startDay: '2026-11-01',
        endDay: '2026-11-01',
        extraCents: 500,
      },
      {
        id: '4',
        scope: 'team' as const,
        email: null,
        emails: ['a', 'b'],
        kind: 'team_jump',
        startDay: '2026-11-20',
        endDay: '2026-11-25',
        extraCents: 90000,
      },
    ];
    const s = score(
      [
        ep('a', '2026-11-03'),
        ep('b', '2026-11-04', '2026-11-06'),
        ep('d', '2026-11-02'),
        ep('team', '2026-11-21', '2026-11-22', 'team'),
      ],
      truth,
      { minCents: 2000, developers: 200, days: 14 },
    );
    expect(s.truePositives).toBe(3);
    expect(s.precision).toBeCloseTo(0.75);
    expect(s.worthy).toBe(3);
    expect(s.recall).toBe(1);
    expect(s.medianDelayDays).toBe(1); // delays 0, 3, 1
    expect(s.alertsPer100DevWeek).toBeCloseTo(1); // 4 episodes / 2 hundred developers / 2 weeks
    expect(s.falsePositives.map((f) => f.subject)).toEqual(['d']);
  });

  it('does not credit an anomaly to an episode that was already open before it began', () => {
    const truth = [
      TEAM_JUMP,
      {
        id: 'ramp',
        scope: 'user' as const,
        email: 'c',
        kind: 'ramp',
        startDay: '2026-10-30',
        endDay: '2026-11-20',
        extraCents: 23000,
      },
    ];
    const ep = (subject: string, firstDay: string, lastDay: string) => ({
      scope: 'user' as const,
      subject,
      detector: 'sustained_drift',
      firstDay,
      lastDay,
    });
    // a's drift opened in October and lasts through the team jump; c's episode opened six days before its ramp.
    const s = score([ep('a', '2026-10-26', '2026-11-20'), ep('c', '2026-10-24', '2026-11-20')], truth, {
      minCents: 2000,
      developers: 100,
      days: 28,
    });
    expect(s.recall).toBe(0);
    expect(s.missed.map((m) => m.id)).toEqual(['team-1', 'ramp']);
    expect(s.precision).toBe(0);
    // A team incident opened on the jump's first day finds it with no delay.
    const team = { ...ep('team', '2026-11-18', '2026-11-20'), scope: 'team' as const, detector: 'team_shift' };
    const found = score([team], truth, { minCents: 2000, developers: 100, days: 28 });
    expect(found.found.map((f) => [f.truth.id, f.delayDays])).toEqual([['team-1', 0]]);
  });

  it("finds a team-wide jump by a team incident only; an affected developer's own alert is right but finds nothing", () => {
    const truth = [TEAM_JUMP];
    const o = { minCents: 2000, developers: 100, days: 28 };
    const own = {
      scope: 'user' as const,
      subject: 'b',
      detector: 'personal_spike',
      firstDay: '2026-11-18',
      lastDay: '2026-11-18',
    };
    const alone = score([own], truth, o);
    expect(alone.precision).toBe(1);
    expect(alone.recall).toBe(0);
    expect(alone.missed.map((m) => m.id)).toEqual(['team-1']);
    // With a team incident two days in, the jump is found by it, two days late, the developer's alert notwithstanding.
    const team = {
      scope: 'team' as const,
      subject: 'team',
      detector: 'team_shift',
      firstDay: '2026-11-20',
      lastDay: '2026-11-20',
    };
    const both = score([own, team], truth, o);
    expect(both.found.map((f) => [f.truth.id, f.episode.scope, f.delayDays])).toEqual([['team-1', 'team', 2]]);
    expect(both.precision).toBe(1);
  });

  it('counts the days a found team jump went on with a team incident about it open', () => {
    // A lasting jump from Oct 5, found on Oct 6; its episode last reported Oct 9, so its incident resolved itself on
    // Oct 12 (3 days without it); a second episode from Oct 20 to the last day, Oct 25. An affected developer's own
    // episode covers nothing. A jump found by no team episode counts no day.
    const lasting = { ...TEAM_JUMP, startDay: '2026-10-05', endDay: '2026-10-25' };
    const missed = { ...TEAM_JUMP, id: 'team-2', startDay: '2026-10-14', endDay: '2026-10-16' };
    const team = (firstDay: string, lastDay: string) => ({
      scope: 'team' as const,
      subject: 'team',
      detector: 'team_shift',
      firstDay,
      lastDay,
    });
    const own = { ...team('2026-10-12', '2026-10-19'), scope: 'user' as const, subject: 'a' };
    const cover = teamJumpCover(
      [team('2026-10-06', '2026-10-09'), own, team('2026-10-20', '2026-10-25')],
      [lasting, missed],
      '2026-10-25',
      3,
    );
    // Open Oct 6–11 (6 days) and Oct 20–25 (6 days) of the 20 days Oct 6–25; open on the last day.
    expect(cover).toEqual({ days: 20, open: 12, lasting: 1, openAtEnd: 1 });
    const resolved = teamJumpCover([team('2026-10-06', '2026-10-20')], [lasting], '2026-10-25', 3);
    expect(resolved).toEqual({ days: 20, open: 17, lasting: 1, openAtEnd: 0 });
  });

  it('leaves an anomaly that reached $20 in the last days out of recall and delay, found or not', () => {
    const t = (id: string, email: string, startDay: string, worthyDay: string) => ({
      id,
      scope: 'user' as const,
      email,
      kind: 'level_shift',
      startDay,
      endDay: '2026-11-20',
      extraCents: 5000,
      worthyDay,
    });
    const truth = [
      t('old', 'a', '2026-11-02', '2026-11-03'),
      t('due', 'b', '2026-11-16', '2026-11-17'), // due by the last day (3 days after $20)
      t('late-missed', 'c', '2026-11-18', '2026-11-19'),
      t('late-found', 'd', '2026-11-19', '2026-11-19'),
    ];
    const ep = (subject: string, firstDay: string) => ({
      scope: 'user' as const,
      subject,
      detector: 'x',
      firstDay,
      lastDay: '2026-11-20',
    });
    const o = { minCents: 2000, developers: 100, days: 28, lastDay: '2026-11-20', dueDays: 3 };
    const s = score([ep('a', '2026-11-04'), ep('d', '2026-11-19')], truth, o);
    expect(s.tooLate.map((x) => x.id)).toEqual(['late-missed', 'late-found']);
    expect(s.worthy).toBe(2);
    expect(s.missed.map((x) => x.id)).toEqual(['due']);
    expect(s.recall).toBe(0.5);
    expect(s.worstDelayFromWorthyDays).toBe(1);
    expect(s.precision).toBe(1); // the late anomaly's episode is still a right alert
    // Without a last day every worthy anomaly is judged, as before.
    expect(score([ep('a', '2026-11-04')], truth, { minCents: 2000, developers: 100, days: 28 }).worthy).toBe(4);
  });

  it("judges an incident's onset against the first day of use on or after the true start", () => {
    // A level shift drawn to begin on Monday Oct 12 while the developer was away all week: their first day back,
    // Oct 19, is where it can first be seen.
    const shift = {
      id: 'shift',
      scope: 'user' as const,
      email: 'a',
      kind: 'level_shift',
      startDay: '2026-10-12',
      endDay: '2026-11-20',
      extraCents: 9500,
      worthyDay: '2026-10-22',
    };
    const ep = { scope: 'user' as const, subject: 'a', detector: 'x', firstDay: '2026-10-23', lastDay: '2026-11-20' };
    const o = { minCents: 2000, developers: 100, days: 28 };
    const onset = (day: string, seenDay?: string) => {
      const s = score([{ ...ep, onset: day }], [{ ...shift, ...(seenDay ? { seenDay } : {}) }], o);
      return `${s.onsetWithinOneDay}/${s.onsetJudged}`;
    };
    expect(onset('2026-10-20', '2026-10-19')).toBe('1/1');
    expect(onset('2026-10-20')).toBe('0/1'); // eight days from the drawn start
    expect(onset('2026-10-12', '2026-10-19')).toBe('0/1'); // an onset in the week away is wrong
  });

  it('counts an alert about an anomaly an earlier alert found as a repeat, and whether each find is named as its kind', () => {
    const shift = {
      id: 'shift',
      scope: 'user' as const,
      email: 'a',
      kind: 'level_shift',
      startDay: '2026-11-02',
      endDay: '2026-11-20',
      extraCents: 9500,
    };
    const runaway = { ...shift, id: 'runaway', email: 'b', kind: 'runaway_agent', endDay: '2026-11-02' };
    const ep = (subject: string, detector: string, firstDay: string, lastDay = firstDay) => ({
      scope: 'user' as const,
      subject,
      detector,
      firstDay,
      lastDay,
    });
    const o = { minCents: 2000, developers: 100, days: 28 };
    const s = score(
      [
        // listed out of order: the later drift is the repeat (on the same day, the one listed first is the find)
        ep('a', 'sustained_drift', '2026-11-16', '2026-11-20'),
        ep('a', 'sustained_drift', '2026-11-05', '2026-11-13'),
        ep('b', 'personal_spike', '2026-11-02'),
        ep('b', 'runaway_agent', '2026-11-02'),
        ep('c', 'personal_spike', '2026-11-03'), // false, not a repeat
      ],
      [shift, runaway],
      o,
    );
    expect(s.repeats.map((r) => [r.episode.subject, r.episode.firstDay, r.truth.id])).toEqual([
      ['b', '2026-11-02', 'runaway'],
      ['a', '2026-11-16', 'shift'],
    ]);
    expect(s.namedByKind).toEqual({ level_shift: { named: 1, found: 1 }, runaway_agent: { named: 0, found: 1 } });
    expect(s.precision).toBeCloseTo(0.8); // repeats are still right alerts
    // One alert each: no repeat.
    const once = score(
      [ep('a', 'sustained_drift', '2026-11-05', '2026-11-20'), ep('b', 'runaway_agent', '2026-11-02')],
      [shift, runaway],
      o,
    );
    expect(once.repeats).toEqual([]);
    expect(once.namedByKind.runaway_agent).toEqual({ named: 1, found: 1 });
  });

  it('gives each generated anomaly the first day its developer used Cursor on or after its start', () => {
    const sc = generateScenario(SCENARIOS.find((s) => s.name === 'T4-churn')!);
    const used = new Set(sc.input.userDays.map((d) => `${d.email}|${d.day}`));
    const users = sc.truth.filter((t) => t.scope === 'user' && t.extraCents > 0);
    expect(users.length).toBeGreaterThan(20);
    let later = 0;
    for (const t of users) {
      expect(t.seenDay! >= t.startDay && t.seenDay! <= t.endDay).toBe(true);
      expect(used.has(`${t.email}|${t.seenDay}`)).toBe(true);
      for (let d = t.startDay; d < t.seenDay!; d = addDays(d, 1)) expect(used.has(`${t.email}|${d}`)).toBe(false);
      if (t.seenDay !== t.startDay) later++;
    }
    expect(later).toBeGreaterThan(0); // some start on a day away (T4-churn-007: Oct 13, back Oct 19)
    expect(sc.truth.find((t) => t.id === 'T4-churn-007-level_shift')?.seenDay).toBe('2026-10-19');
  });

  it("gives a team event the first day any of its members used Cursor on or after its start, not the first member's", () => {
    // U5-weekend's first jump starts Tuesday Sep 29; its first member was away until Thursday, others were not.
    const sc = generateScenario(SCENARIOS.find((s) => s.name === 'U5-weekend')!);
    const jumps = sc.truth.filter((t) => t.scope === 'team');
    expect(jumps.length).toBeGreaterThan(0);
    for (const t of jumps) {
      const days = sc.input.userDays
        .filter((d) => t.emails!.includes(d.email) && d.day >= t.startDay && d.day <= t.endDay)
        .map((d) => d.day)
        .sort();
      expect(t.seenDay).toBe(days[0]);
    }
    expect(sc.truth.find((t) => t.id === 'U5-weekend-team-1')?.seenDay).toBe('2026-09-29');
  });

  it("draws busy days at 2-4 times usual on the team's share of days, and a busy team's twin shares its plan", () => {
    expectDraws((r, share) => busyFactor(r, share), 0.1, 1, [2, 4]);
    const [twin, busyTeam] = sameTwins('R1-plain', 'R1-busy10');
    // Their days differ by the busy factors alone: each day is ×1 or ×2-4 (but for a runaway agent's days, whose
    // agent spend is added, not multiplied).
    const agents = twin.truth.filter((t) => t.kind === 'runaway_agent');
    const byAgent = (email: string, day: string) =>
      agents.some((t) => t.emails!.includes(email) && day >= t.startDay && day <= t.endDay);
    const ratios = twin.input.userDays.map((d, i) =>
      byAgent(d.email, d.day) ? 1 : busyTeam.input.userDays[i].chargedCents / d.chargedCents,
    );
    expect(ratios.filter((x) => Math.abs(x - 1) < 0.02).length / ratios.length).toBeGreaterThan(0.85);
    expect(ratios.every((x) => Math.abs(x - 1) < 0.02 || (x > 1.9 && x < 4.1))).toBe(true);
    const spend = (sc: typeof twin) => sc.input.userDays.reduce((sum, d) => sum + d.chargedCents, 0);
    expect(spend(busyTeam) / spend(twin)).toBeGreaterThan(1.1); // 10% of days at 2-4×: about +20%
  });

  it("draws model-mix days at 30-70% premium requests on the team's share of days, and the twin shares its plan", () => {
    expectDraws((r, share) => mixDayPremium(r, share), 0.2, 0, [0.3, 0.7]);
    const [twin, mixTeam] = sameTwins('M2-plain', 'M2-mix20');
    // Their days differ by the model mix alone: the same requests (but for each model's rounding), and about a fifth
    // of the days pricier.
    const events = twin.input.userDays.map((d, i) => Math.abs(mixTeam.input.userDays[i].events - d.events));
    expect(Math.max(...events)).toBeLessThanOrEqual(2);
    const ratios = twin.input.userDays.map((d, i) => mixTeam.input.userDays[i].chargedCents / d.chargedCents);
    const pricier = ratios.filter((x) => x > 1.05).length / ratios.length;
    expect(pricier).toBeGreaterThan(0.12);
    expect(pricier).toBeLessThan(0.22);
    expect(ratios.every((x) => x > 0.98)).toBe(true);
  });

  it('moves every developer of a shared-noise team by the same day factor, in stretches, and the twin shares its plan', () => {
    const [twin, shared] = sameTwins('S1-plain', 'S1-shared5');
    const agents = twin.truth.filter((t) => t.kind === 'runaway_agent');
    const byAgent = (email: string, day: string) =>
      agents.some((t) => t.emails!.includes(email) && day >= t.startDay && day <= t.endDay);
    const byDay = new Map<string, number[]>();
    twin.input.userDays.forEach((d, i) => {
      if (byAgent(d.email, d.day) || d.chargedCents < 100) return; // an agent's spend is added, not multiplied
      byDay.set(d.day, [...(byDay.get(d.day) ?? []), Math.log(shared.input.userDays[i].chargedCents / d.chargedCents)]);
    });
    // One factor a day, the same for everyone (but for cents' rounding) ...
    for (const logs of byDay.values()) expect(Math.max(...logs) - Math.min(...logs)).toBeLessThan(0.02);
    // ... whose log has the shape's spread (0.05) and runs in stretches (correlation 0.5 with the day before).
    const days = [...byDay.keys()].sort();
    const factor = days.map((d) => byDay.get(d)![0]);
    const mean = factor.reduce((a, b) => a + b, 0) / factor.length;
    const sd = Math.sqrt(factor.reduce((a, x) => a + (x - mean) ** 2, 0) / factor.length);
    expect(sd).toBeGreaterThan(0.035);
    expect(sd).toBeLessThan(0.065);
    let lagged = 0;
    for (let i = 1; i < factor.length; i++) lagged += (factor[i] - mean) * (factor[i - 1] - mean);
    const correlation = lagged / (factor.length - 1) / sd ** 2;
    expect(correlation).toBeGreaterThan(0.25);
    expect(correlation).toBeLessThan(0.75);
    // Weekends too: their factors vary as much.
    const weekend = days.filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() % 6 === 0).map((d) => byDay.get(d)![0]);
    expect(weekend.length).toBeGreaterThan(10);
    expect(Math.max(...weekend) - Math.min(...weekend)).toBeGreaterThan(0.1);
  });

  it('gives a shorter first backfill the same team with the older days dropped', () => {
    const [short, long] = ['B1-short', 'B1-long'].map((n) => generateScenario(SCENARIOS.find((s) => s.name === n)!));
    const collected = addDays(short.firstDay, short.shape.replayFrom - 21);
    const row = (d: { email: string; day: string; chargedCents: number }) =>
      `${d.email.split('.')[1]} ${d.day} ${d.chargedCents}`;
    expect(short.input.userDays.map(row)).toEqual(long.input.userDays.filter((d) => d.day >= collected).map(row));
    expect(short.input.userModelDays.length).toBe(long.input.userModelDays.filter((d) => d.day >= collected).length);
    expect(long.input.userDays.some((d) => d.day < collected)).toBe(true);
    const plan = (sc: Scenario) => sc.truth.map((t) => `${t.kind} ${t.startDay} ${t.extraCents}`);
    expect(plan(short)).toEqual(plan(long));
    // No member is seen before the first collected day (load.ts derives it from the member list and the rows).
    const seen = (sc: Scenario) => new Map(sc.input.members.map((m) => [m.email.split('.')[1], m.firstSeenDay]));
    const [shortSeen, longSeen] = [seen(short), seen(long)];
    expect([...shortSeen.values()].every((d) => d !== null && d >= collected)).toBe(true);
    expect([...longSeen.values()].some((d) => d !== null && d < collected)).toBe(true);
  });

  it("applies the original tool's rules: a heavy user trips the limits on every run", () => {
    const input = makeInput({
      users: 10,
      days: 30,
      asOf: '2026-11-18',
      seed: 3,
      tweak: (e) => (e === emailOf(0) ? { volume: 20, active: true } : undefined),
    });
    const alerts = originalRules(input, '2026-11-01')
      .filter((a) => a.subject === emailOf(0))
      .map((a) => a.detector);
    expect(alerts).toEqual(expect.arrayContaining(['cycle_spend', 'daily_requests', 'daily_tokens', 'team_zscore']));
  });

  it('rolls API events up with the collector semantics', () => {
    const r = new EventRollup();
    const ts = String(Date.parse('2026-11-18T10:00:00Z'));
    r.add([
      {
        timestamp: ts,
        userEmail: 'a@x.io',
        model: 'm1',
        kind: 'Usage-based',
        chargedCents: 10,
        maxMode: true,
        isHeadless: false,
        tokenUsage: { inputTokens: 1, outputTokens: 2, cacheWriteTokens: 3, cacheReadTokens: 4, totalCents: 10 },
      },
      { timestamp: ts, userEmail: 'a@x.io', model: 'm2', kind: 'Usage-based', chargedCents: 5, isHeadless: true },
    ]);
    const { userDays, userModelDays } = r.rows();
    expect(userDays).toEqual([
      {
        email: 'a@x.io',
        day: '2026-11-18',
        events: 2,
        requestsCosts: 0,
        chargedCents: 15,
        totalTokens: 10,
        maxModeEvents: 1,
        headlessEvents: 1,
        maxModeCents: 10,
        headlessCents: 5,
      },
    ]);
    expect(userModelDays.map((m) => [m.model, m.events, m.chargedCents, m.totalTokens])).toEqual([
      ['m1', 1, 10, 10],
      ['m2', 1, 5, 0],
    ]);
  });
});
