/**
 * A second team-wide jump while the first one's team incident is open (detection marks it why.stepAfter): a new team
 * incident with its own onset, the first one resolved by the system with a note, each on its timeline. Before, the
 * open incident took the step's onset (an onset_moved event) and its extra only as a larger impact.
 */
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { listIncidentEvents, recordDetections } from '../../src/incidents';
import { recordDetectionsOneByOne } from './record-reference';
import { anomaly, endOf, POLICY } from './fixtures';

const FIRST = '2026-10-05';
const STEP = '2026-10-19';

/** The team anomaly of day `asOf`: the first jump's episode, or from STEP on a step after it. */
const team = (asOf: string, step = asOf >= STEP) =>
  anomaly({
    asOf,
    scope: 'team',
    subject: 'team',
    detector: 'team_shift',
    onsetAt: `${step ? STEP : FIRST}T00:00:00.000Z`,
    ...(step ? { why: { ...anomaly({ asOf }).why, stepAfter: FIRST } } : {}),
  });

describe('a further team step while a team incident is open', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('steps');
  });
  afterEach(async () => dropTestDb(t));

  const incidents = () => t.db.selectFrom('incidents').selectAll().orderBy('id').execute();
  const pass = (asOf: string, step?: boolean) =>
    recordDetections(t.db, { asOf, anomalies: [team(asOf, step)], evaluatedAt: endOf(asOf), settings: POLICY });

  it('opens a new team incident with its own onset and resolves the one it stepped over', async () => {
    const first = await pass(FIRST);
    await pass('2026-10-16');
    await pass('2026-10-18');
    const step = await pass(STEP);
    expect(step.opened).toHaveLength(1);
    expect(step.toNotify).toEqual(step.opened);
    expect(step.autoResolved).toEqual(first.opened);
    // Re-running the step's day, and its later days, update the new incident: nothing else opens, nothing moves.
    const again = await pass(STEP);
    expect(again.opened).toEqual([]);
    expect(again.updated).toEqual(step.opened);
    await pass('2026-10-20');
    // A replay of a day before the step is stale for the new incident and reopens nothing.
    const replay = await pass('2026-10-18');
    expect(replay.opened).toEqual([]);

    const rows = await incidents();
    expect(rows.map((r) => [r.status, r.onset_at.toISOString().slice(0, 10), r.resolution_reason])).toEqual([
      ['resolved', FIRST, 'auto'],
      ['open', STEP, null],
    ]);
    expect(rows[0].resolution_note).toContain(STEP);
    const firstEvents = await listIncidentEvents(t.db, rows[0].id);
    expect(firstEvents.map((e) => e.action)).toEqual(['opened', 'updated', 'updated', 'auto_resolved']);
    expect(firstEvents[3].details).toMatchObject({ reason: 'auto', stepOnset: STEP, stepAfter: FIRST, asOf: STEP });
    expect((await listIncidentEvents(t.db, rows[1].id)).map((e) => e.action)).toEqual(['opened', 'updated']);
  });

  it('matches the one-at-a-time reference', async () => {
    for (const day of [FIRST, '2026-10-16', STEP, STEP, '2026-10-20'])
      await recordDetections(t.db, { asOf: day, anomalies: [team(day)], evaluatedAt: endOf(day), settings: POLICY });
    const batch = (await incidents()).map(({ id, status, onset_at, resolution_note }) => ({
      id,
      status,
      onset_at,
      resolution_note,
    }));
    await t.db.deleteFrom('incident_events').execute();
    await t.db.deleteFrom('incidents').execute();
    for (const day of [FIRST, '2026-10-16', STEP, STEP, '2026-10-20'])
      await recordDetectionsOneByOne(t.db, {
        asOf: day,
        anomalies: [team(day)],
        evaluatedAt: endOf(day),
        settings: POLICY,
      });
    const reference = (await incidents()).map(({ status, onset_at, resolution_note }) => ({
      status,
      onset_at,
      resolution_note,
    }));
    expect(reference).toEqual(batch.map(({ id: _id, ...r }) => r));
  });
});
