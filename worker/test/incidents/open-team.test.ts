/**
 * What a detection pass is told of the open team incident (openTeamIncidentOnset → DetectionInput.openTeamOnset): the
 * onset of the latest team incident not resolved, with an onset on or before the day evaluated.
 */
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { openTeamIncidentOnset, recordDetections, resolveIncident } from '../../src/incidents';
import { anomaly, endOf, POLICY } from './fixtures';

const team = (asOf: string, onset: string) =>
  anomaly({ asOf, scope: 'team', subject: 'team', detector: 'team_shift', onsetAt: `${onset}T00:00:00.000Z` });

describe('the open team incident a pass is told of', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('open_team');
  });
  afterEach(async () => dropTestDb(t));

  const pass = (asOf: string, anomalies = [team(asOf, '2026-10-12')]) =>
    recordDetections(t.db, { asOf, anomalies, evaluatedAt: endOf(asOf), settings: POLICY });

  it("is the open team incident's onset day, none before it began, and none once it is resolved", async () => {
    expect(await openTeamIncidentOnset(t.db, '2026-10-13')).toBeUndefined();
    // A developer's incident is not the team's.
    await pass('2026-10-12', [anomaly({ asOf: '2026-10-12', onsetAt: '2026-10-12T00:00:00.000Z' })]);
    expect(await openTeamIncidentOnset(t.db, '2026-10-13')).toBeUndefined();
    const opened = await pass('2026-10-13');
    expect(await openTeamIncidentOnset(t.db, '2026-10-13')).toBe('2026-10-12');
    expect(await openTeamIncidentOnset(t.db, '2026-10-20')).toBe('2026-10-12');
    // A replay of a day before the onset (npm run detect -- --as-of) is told nothing.
    expect(await openTeamIncidentOnset(t.db, '2026-10-11')).toBeUndefined();
    await resolveIncident(t.db, opened.opened[0], { reason: 'fixed', note: 'the new default model' }, 'ana');
    expect(await openTeamIncidentOnset(t.db, '2026-10-20')).toBeUndefined();
  });

  it('is none once the team incident resolved itself', async () => {
    await pass('2026-10-13');
    for (const day of ['2026-10-14', '2026-10-15']) await pass(day, []);
    expect(await openTeamIncidentOnset(t.db, '2026-10-15')).toBe('2026-10-12');
    await pass('2026-10-16', []); // the third evaluated day without it (POLICY: autoResolveAfterDays)
    expect(await openTeamIncidentOnset(t.db, '2026-10-16')).toBeUndefined();
  });
});
