/**
 * An open team incident's onset against a later pass that saw less of the jump (bench:detect's new-seed X6-power,
 * Dec 3 2026): each pass judges the team level only within its own 28-day window, against at least 5 earlier days of
 * the same class. The passes of Oct 14–23 read the jump from Oct 14 (a Saturday shift joined its two stretches);
 * the pass of Oct 26, whose window held too few weekend days to judge that Saturday (its team anomaly's
 * why.judgedFrom is Oct 18), saw an episode from Oct 20. Before, the incident's onset moved to Oct 20 with nothing
 * against Oct 14 but less history. A pass that did judge every day since the onset still moves it, and so does an
 * earlier onset. Nor does a pass move it that still reads the onset as an alarmed team episode's (why.alarmedOnsets:
 * T1-steady's passes, below).
 */
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { listIncidentEvents, recordDetections } from '../../src/incidents';
import { recordDetectionsOneByOne } from './record-reference';
import { anomaly, endOf, POLICY } from './fixtures';

/** The team anomaly of day `asOf`: an episode from `onset`, its pass having judged every day from `judgedFrom`. */
const team = (asOf: string, onset: string, judgedFrom: string, alarmedOnsets?: string[]) =>
  anomaly({
    asOf,
    scope: 'team',
    subject: 'team',
    detector: 'team_shift',
    onsetAt: `${onset}T00:00:00.000Z`,
    why: { ...anomaly({ asOf }).why, judgedFrom, ...(alarmedOnsets ? { alarmedOnsets } : {}) },
  });

/**
 * T1-steady's team passes under the bar of ×1.07 (bench:detect, Dec 4 2026): the day, the onset it reported, the
 * first day it judged in full, and the onsets of the alarmed team episodes it saw. From Nov 13 the passes still read
 * Nov 2 as a team shift, but no longer Nov 4, so in their reading that stretch ended and another began on Nov 10.
 */
const T1: [string, string, string, string[]][] = [
  ['2026-11-02', '2026-11-02', '2026-10-13', ['2026-11-02']],
  ['2026-11-10', '2026-11-02', '2026-10-21', ['2026-11-02']],
  ['2026-11-13', '2026-11-10', '2026-10-24', ['2026-11-02', '2026-11-10']],
  ['2026-11-14', '2026-11-10', '2026-10-25', ['2026-11-02', '2026-11-10']],
];

/** X6-power's team passes: the day, the onset it reported, and the first day it judged in full. */
const X6: [string, string, string][] = [
  ['2026-10-14', '2026-10-14', '2026-10-04'],
  ['2026-10-17', '2026-10-14', '2026-10-05'],
  ['2026-10-20', '2026-10-14', '2026-10-11'],
  ['2026-10-23', '2026-10-14', '2026-10-11'],
  ['2026-10-26', '2026-10-20', '2026-10-18'],
  ['2026-10-27', '2026-10-20', '2026-10-18'],
];

describe("an open team incident's onset against a later pass's later onset", () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('team_onset');
  });
  afterEach(async () => dropTestDb(t));

  const incidents = () => t.db.selectFrom('incidents').selectAll().orderBy('id').execute();
  const onsets = async () => (await incidents()).map((r) => [r.status, r.onset_at.toISOString().slice(0, 10)]);
  const pass = (asOf: string, onset: string, judgedFrom: string, record = recordDetections, alarmedOnsets?: string[]) =>
    record(t.db, {
      asOf,
      anomalies: [team(asOf, onset, judgedFrom, alarmedOnsets)],
      evaluatedAt: endOf(asOf),
      settings: POLICY,
    });

  it('keeps the onset when the later pass did not judge every day since it', async () => {
    for (const [day, onset, judged] of X6) await pass(day, onset, judged);
    expect(await onsets()).toEqual([['open', '2026-10-14']]);
    const [row] = await incidents();
    const actions = (await listIncidentEvents(t.db, row.id)).map((e) => e.action);
    expect(actions).not.toContain('onset_moved');
    expect(actions).toEqual(['opened', 'updated', 'updated', 'updated', 'updated', 'updated']);
  });

  it('moves it, on the timeline, when the pass judged every day since it, or reports an earlier onset', async () => {
    await pass('2026-10-14', '2026-10-14', '2026-10-04');
    // A pass that read every day from Oct 11 on and found the episode began on Oct 16: evidence, the onset moves.
    await pass('2026-10-17', '2026-10-16', '2026-10-11');
    expect(await onsets()).toEqual([['open', '2026-10-16']]);
    // An earlier onset is more of the episode seen: it moves back, whatever the pass judged in full.
    await pass('2026-10-20', '2026-10-13', '2026-10-18');
    expect(await onsets()).toEqual([['open', '2026-10-13']]);
    const [row] = await incidents();
    const moves = (await listIncidentEvents(t.db, row.id)).filter((e) => e.action === 'onset_moved');
    expect(moves.map((e) => [e.details.fromOnset, e.details.toOnset])).toEqual([
      ['2026-10-14T00:00:00.000Z', '2026-10-16T00:00:00.000Z'],
      ['2026-10-16T00:00:00.000Z', '2026-10-13T00:00:00.000Z'],
    ]);
  });

  it('keeps the onset when the later pass still reads it as a team shift', async () => {
    for (const [day, onset, judged, seen] of T1) await pass(day, onset, judged, recordDetections, seen);
    expect(await onsets()).toEqual([['open', '2026-11-02']]);
    const [row] = await incidents();
    expect((await listIncidentEvents(t.db, row.id)).map((e) => e.action)).not.toContain('onset_moved');
  });

  it('moves it when the later pass no longer reads it as a team shift', async () => {
    // The same passes, but those from Nov 13 saw no team shift from Nov 2: their later onset is evidence.
    for (const [day, onset, judged, seen] of T1)
      await pass(
        day,
        onset,
        judged,
        recordDetections,
        seen.filter((d) => d !== '2026-11-02' || day < '2026-11-13'),
      );
    expect(await onsets()).toEqual([['open', '2026-11-10']]);
  });

  it('matches the one-at-a-time reference', async () => {
    for (const [day, onset, judged] of X6) await pass(day, onset, judged);
    const batch = await onsets();
    await t.db.deleteFrom('incident_events').execute();
    await t.db.deleteFrom('incidents').execute();
    for (const [day, onset, judged] of X6) await pass(day, onset, judged, recordDetectionsOneByOne);
    expect(await onsets()).toEqual(batch);
    for (const record of [recordDetections, recordDetectionsOneByOne]) {
      await t.db.deleteFrom('incident_events').execute();
      await t.db.deleteFrom('incidents').execute();
      for (const [day, onset, judged, seen] of T1) await pass(day, onset, judged, record, seen);
      expect(await onsets()).toEqual([['open', '2026-11-02']]);
    }
  });
});
