import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import {
  acknowledgeIncident,
  listIncidentEvents,
  markIncidentsAlerted,
  recordDetections,
  reopenIncident,
  resolveIncident,
} from '../../src/incidents';
import { anomaly, endOf, POLICY } from './fixtures';

/**
 * A developer's excess that came back after its incident resolved itself (a noisy level shift a few days within the
 * noise) reopens that incident instead of opening a second one (upsert.ts, reopenCameBack).
 */
describe('an excess that came back', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('back');
  });
  afterEach(async () => dropTestDb(t));

  const incidents = () => t.db.selectFrom('incidents').selectAll().orderBy('id').execute();
  const pass = (asOf: string, anomalies: ReturnType<typeof anomaly>[]) =>
    recordDetections(t.db, { asOf, anomalies, evaluatedAt: endOf(asOf), settings: POLICY });
  const drift = (asOf: string, onsetDay: string, over: Partial<ReturnType<typeof anomaly>> = {}) =>
    anomaly({ asOf, detector: 'sustained_drift', onsetAt: `${onsetDay}T00:00:00.000Z`, ...over });

  /** A drift from Nov 10, announced on Slack, then three days within the noise: resolved by the system on Nov 14. */
  async function closedByItself(): Promise<number> {
    const { opened } = await pass('2026-11-11', [drift('2026-11-11', '2026-11-10')]);
    await t.db.transaction().execute((tx) => markIncidentsAlerted(tx, opened, 'slack', 1, endOf('2026-11-11')));
    for (const day of ['2026-11-12', '2026-11-13', '2026-11-14']) await pass(day, []);
    expect(await incidents()).toMatchObject([{ status: 'resolved', resolution_reason: 'auto' }]);
    return opened[0];
  }

  it('reopens the incident, with its onset, in the state it had, without a second message', async () => {
    const id = await closedByItself();
    const back = await pass('2026-11-17', [drift('2026-11-17', '2026-11-10', { summary: 'back' })]);
    expect(back).toMatchObject({ opened: [], updated: [id], reopened: [id], toNotify: [] });
    const rows = await incidents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'alerted',
      resolved_at: null,
      resolved_by: null,
      resolution_reason: null,
      resolution_note: null,
      normal_days: 0,
      summary: 'back',
      last_evaluated_day: '2026-11-17',
    });
    expect(rows[0].onset_at.toISOString()).toBe('2026-11-10T00:00:00.000Z');
    const events = await listIncidentEvents(t.db, id);
    expect(events.map((e) => e.action)).toEqual(['opened', 'alerted', 'auto_resolved', 'reopened', 'updated']);
    expect(events[3]).toMatchObject({ actor: 'detector', from_status: 'resolved', to_status: 'alerted' });
    expect(events[3].details).toMatchObject({
      reason: 'came_back',
      asOf: '2026-11-17',
      onset: '2026-11-10T00:00:00.000Z',
      previousReason: 'auto',
    });
    expect(String(events[3].details.previousNote)).toContain('3 consecutive');
    // The next days update it as any open incident.
    expect(await pass('2026-11-18', [drift('2026-11-18', '2026-11-10')])).toMatchObject({
      updated: [id],
      reopened: [],
    });
  });

  it('takes an excess that began by the last day its signal was seen, also earlier than its onset', async () => {
    const id = await closedByItself();
    expect((await pass('2026-11-16', [drift('2026-11-16', '2026-11-11')])).reopened).toEqual([id]);
    for (const day of ['2026-11-17', '2026-11-18', '2026-11-19']) await pass(day, []);
    expect((await pass('2026-11-20', [drift('2026-11-20', '2026-11-08')])).reopened).toEqual([id]);
    expect(await incidents()).toHaveLength(1);
  });

  it('opens a new incident, announced, for an excess that began in its normal days or came back too late', async () => {
    const id = await closedByItself();
    // Nov 12-14 were the normal days that closed it: an excess from Nov 12 is another one.
    const normalDays = await pass('2026-11-15', [drift('2026-11-15', '2026-11-12')]);
    expect(normalDays).toMatchObject({ reopened: [], toNotify: normalDays.opened });
    expect(normalDays.opened).toHaveLength(1);
    expect(normalDays.opened[0]).not.toBe(id);

    const other = 'bo@example.com';
    const { opened } = await pass('2026-11-15', [drift('2026-11-15', '2026-11-14', { subject: other })]);
    for (const day of ['2026-11-16', '2026-11-17', '2026-11-18']) await pass(day, []);
    // Resolved Nov 18: within three days of it, the same excess reopens it; four days on, it is news again.
    const late = await pass('2026-11-22', [drift('2026-11-22', '2026-11-14', { subject: other })]);
    expect(late).toMatchObject({ reopened: [], toNotify: late.opened });
    expect(late.opened).toHaveLength(1);
    expect(late.opened[0]).not.toBe(opened[0]);
  });

  it('updates an older incident a person reopened, not the latest one that resolved itself', async () => {
    const first = await closedByItself();
    const { opened } = await pass('2026-11-16', [drift('2026-11-16', '2026-11-16')]);
    for (const day of ['2026-11-17', '2026-11-18', '2026-11-19']) await pass(day, []);
    await reopenIncident(t.db, first, 'lead', 'not over', endOf('2026-11-19'));
    const back = await pass('2026-11-20', [drift('2026-11-20', '2026-11-16')]);
    expect(back).toMatchObject({ reopened: [], opened: [], updated: [first] });
    expect((await incidents()).map((r) => [r.id, r.status])).toEqual([
      [first, 'alerted'],
      [opened[0], 'resolved'],
    ]);
  });

  it('announces it again when its severity rises above what was announced', async () => {
    const id = await closedByItself();
    const back = await pass('2026-11-17', [drift('2026-11-17', '2026-11-10', { severity: 'critical' })]);
    expect(back).toMatchObject({ reopened: [id], escalated: [id], toNotify: [id] });
  });

  it('returns an acknowledged incident to acknowledged', async () => {
    const { opened } = await pass('2026-11-11', [drift('2026-11-11', '2026-11-10')]);
    await acknowledgeIncident(t.db, opened[0], 'lead', undefined, endOf('2026-11-11'));
    for (const day of ['2026-11-12', '2026-11-13', '2026-11-14']) await pass(day, []);
    await pass('2026-11-17', [drift('2026-11-17', '2026-11-10')]);
    expect(await incidents()).toMatchObject([{ id: opened[0], status: 'acknowledged' }]);
  });

  it('opens a new incident for an excess that began after it resolved itself', async () => {
    const id = await closedByItself();
    const later = await pass('2026-11-17', [drift('2026-11-17', '2026-11-15')]);
    expect(later.reopened).toEqual([]);
    expect(later.opened).toHaveLength(1);
    expect(later.opened[0]).not.toBe(id);
    expect(later.toNotify).toEqual(later.opened);
  });

  it('opens a new incident after a fixed-after-nudge verdict: the developer was told and spend came down', async () => {
    const id = await closedByItself();
    await t.db.updateTable('incidents').set({ resolution_reason: 'fixed_after_nudge' }).where('id', '=', id).execute();
    const back = await pass('2026-11-17', [drift('2026-11-17', '2026-11-10')]);
    expect(back.reopened).toEqual([]);
    expect(back.opened).toHaveLength(1);
  });

  it('opens a new incident for another detector, and leaves a person’s verdict closed', async () => {
    await closedByItself();
    const spike = await pass('2026-11-17', [anomaly({ asOf: '2026-11-17', onsetAt: '2026-11-10T00:00:00.000Z' })]);
    expect(spike).toMatchObject({ reopened: [] });
    expect(spike.opened).toHaveLength(1);

    const { opened: judged } = await pass('2026-11-24', [
      drift('2026-11-24', '2026-11-24', { subject: 'bo@example.com' }),
    ]);
    await resolveIncident(t.db, judged[0], { reason: 'expected', note: 'migration' }, 'lead', endOf('2026-11-24'));
    const after = await pass('2026-11-27', [drift('2026-11-27', '2026-11-24', { subject: 'bo@example.com' })]);
    expect(after).toMatchObject({ reopened: [], opened: [], suppressed: 1 });
  });

  describe('for the team', () => {
    const team = (asOf: string, onsetDay: string, why: Partial<ReturnType<typeof anomaly>['why']> = {}) => {
      const a = anomaly({ asOf, scope: 'team', subject: 'team', detector: 'team_shift' });
      return { ...a, onsetAt: `${onsetDay}T00:00:00.000Z`, why: { ...a.why, ...why } };
    };
    /** A team jump from Nov 2, told, then three days too quiet to judge (a weekend and a Monday): resolved Nov 9. */
    async function teamClosedByItself(): Promise<number> {
      const { opened } = await pass('2026-11-06', [team('2026-11-06', '2026-11-02')]);
      await t.db.transaction().execute((tx) => markIncidentsAlerted(tx, opened, 'slack', 1, endOf('2026-11-06')));
      for (const day of ['2026-11-07', '2026-11-08', '2026-11-09']) await pass(day, []);
      expect(await incidents()).toMatchObject([{ status: 'resolved', resolution_reason: 'auto' }]);
      return opened[0];
    }

    it('reopens the team incident when the same episode (its onset) comes back, without a second message', async () => {
      // bench:detect's H2-power: a team jump's incident, Sep 28 to Oct 9, opened again on Oct 13 from Sep 28.
      const id = await teamClosedByItself();
      const back = await pass('2026-11-10', [team('2026-11-10', '2026-11-02')]);
      expect(back).toMatchObject({ opened: [], updated: [id], reopened: [id], toNotify: [] });
      expect(await incidents()).toMatchObject([{ id, status: 'alerted', normal_days: 0 }]);
    });

    it('reopens the team incident for an onset on or before the day it resolved, but not for a step', async () => {
      // bench:detect's H5-churn (Dec 6 2026): a lasting jump told Oct 5 to 21 sank under the bar as developers'
      // baselines took it in, and was read again on Oct 26 from Oct 22 (that pass alarmed Oct 5 too). Here from Nov 9,
      // the day it resolved.
      const id = await teamClosedByItself();
      const back = await pass('2026-11-10', [team('2026-11-10', '2026-11-09', { alarmedOnsets: ['2026-11-02'] })]);
      expect(back).toMatchObject({ opened: [], reopened: [id], toNotify: [] });
      expect(await incidents()).toMatchObject([{ id, status: 'alerted', onset_at: new Date('2026-11-02T00:00:00Z') }]);

      // A step's episode from Nov 8 is another one (a step is a new episode whatever its onset).
      await t.db.deleteFrom('incidents').execute();
      await teamClosedByItself();
      const step = await pass('2026-11-10', [team('2026-11-10', '2026-11-08', { stepAfter: '2026-11-02' })]);
      expect(step.reopened).toEqual([]);
      expect(step.opened).toHaveLength(1);
    });

    it('opens a new team incident for a later onset or a return too late', async () => {
      await teamClosedByItself();
      const later = await pass('2026-11-10', [team('2026-11-10', '2026-11-10')]);
      expect(later.reopened).toEqual([]);
      expect(later.opened).toHaveLength(1);

      await t.db.deleteFrom('incidents').execute();
      await teamClosedByItself();
      const late = await pass('2026-11-13', [team('2026-11-13', '2026-11-02')]);
      expect(late.reopened).toEqual([]);
      expect(late.opened).toHaveLength(1);
    });

    it('reopens a step’s own incident when the step’s episode comes back, and never the one it closed', async () => {
      // A step over the Nov 2 jump from Nov 10 (every day of the step's episode carries why.stepAfter) closes the Nov 2
      // incident and opens its own; quiet Nov 12-14, it comes back on Nov 15 with the step's onset.
      const first = await teamClosedByItself();
      await pass('2026-11-10', [team('2026-11-10', '2026-11-02')]); // the jump came back: reopened
      const step = await pass('2026-11-11', [team('2026-11-11', '2026-11-10', { stepAfter: '2026-11-02' })]);
      expect(step.autoResolved).toEqual([first]);
      expect(step.opened).toHaveLength(1);
      await t.db.transaction().execute((tx) => markIncidentsAlerted(tx, step.opened, 'slack', 1, endOf('2026-11-11')));
      for (const day of ['2026-11-12', '2026-11-13', '2026-11-14']) await pass(day, []);
      const back = await pass('2026-11-15', [team('2026-11-15', '2026-11-10', { stepAfter: '2026-11-02' })]);
      expect(back).toMatchObject({ opened: [], reopened: step.opened, toNotify: [] });
      expect((await incidents()).map((r) => r.status)).toEqual(['resolved', 'alerted']);
    });
  });
});
