import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { listIncidentEvents, markIncidentsAlerted, recordDetections, resolveIncident } from '../../src/incidents';
import type { DetectorName } from '../../src/detection/types';
import { anomaly, endOf, POLICY } from './fixtures';

/**
 * A developer's spike that goes on is renamed, in its open incident, to the lasting rise detection now reads from the
 * spike's onset (upsert.ts, renameLastingSpikes), instead of a second incident and a second message.
 */
describe('a spike that goes on', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('renm');
  });
  afterEach(async () => dropTestDb(t));

  const incidents = () => t.db.selectFrom('incidents').selectAll().orderBy('id').execute();
  const pass = (asOf: string, anomalies: ReturnType<typeof anomaly>[]) =>
    recordDetections(t.db, { asOf, anomalies, evaluatedAt: endOf(asOf), settings: POLICY });
  const onset = '2026-11-10T00:00:00.000Z';
  const of = (asOf: string, detector: DetectorName, over: Partial<ReturnType<typeof anomaly>> = {}) =>
    anomaly({ asOf, detector, onsetAt: onset, ...over });

  /** A spike on Nov 10, announced on Slack, still a spike on Nov 11. */
  async function spike(): Promise<number> {
    const { opened } = await pass('2026-11-10', [of('2026-11-10', 'personal_spike')]);
    await t.db.transaction().execute((tx) => markIncidentsAlerted(tx, opened, 'slack', 1, endOf('2026-11-10')));
    await pass('2026-11-11', [of('2026-11-11', 'personal_spike')]);
    return opened[0];
  }

  for (const detector of ['model_shift', 'sustained_drift', 'runaway_agent'] as const)
    it(`renames the spike's incident a ${detector}, with its onset and state, without a second message`, async () => {
      const id = await spike();
      const renamed = await pass('2026-11-12', [of('2026-11-12', detector, { summary: 'lasting' })]);
      expect(renamed).toMatchObject({ opened: [], updated: [id], renamed: [id], toNotify: [] });
      const rows = await incidents();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id, detector, status: 'alerted', summary: 'lasting' });
      expect(rows[0].onset_at.toISOString()).toBe(onset);
      const events = await listIncidentEvents(t.db, id);
      expect(events.map((e) => e.action)).toEqual(['opened', 'alerted', 'updated', 'reclassified', 'updated']);
      expect(events[3]).toMatchObject({ actor: 'detector', from_status: 'alerted', to_status: 'alerted' });
      expect(events[3].details).toMatchObject({
        asOf: '2026-11-12',
        fromDetector: 'personal_spike',
        toDetector: detector,
        onset,
      });
      // The next days update it under its new name; a spike of theirs later is a new incident.
      expect(await pass('2026-11-13', [of('2026-11-13', detector)])).toMatchObject({ updated: [id], renamed: [] });
      const later = await pass('2026-11-14', [of('2026-11-14', 'personal_spike', { onsetAt: '2026-11-14T00:00:00Z' })]);
      expect(later.opened).toHaveLength(1);
    });

  it('keeps one runaway incident while an hourly pass reads the day as a spike and back (one onset)', async () => {
    // bench:detect-hourly seed 2 (Dec 5 2026): a runaway told at 03:00; at 05:00 its requests were not yet ×3 a whole
    // day's and the day read as a spike; at noon a runaway again. Before, the spike opened a second incident.
    const day = '2026-11-10';
    const at = (hour: number, detector: DetectorName) =>
      recordDetections(t.db, {
        asOf: day,
        anomalies: [of(day, detector, { summary: `${detector} at ${hour}` })],
        evaluatedAt: new Date(`${day}T${String(hour).padStart(2, '0')}:00:00.000Z`),
        settings: POLICY,
      });
    const { opened } = await at(3, 'runaway_agent');
    await t.db
      .transaction()
      .execute((tx) => markIncidentsAlerted(tx, opened, 'slack', 1, new Date(`${day}T03:01:00Z`)));
    expect(await at(5, 'personal_spike')).toMatchObject({ opened: [], updated: opened, toNotify: [] });
    expect(await at(12, 'runaway_agent')).toMatchObject({ opened: [], updated: opened, toNotify: [] });
    const rows = await incidents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: opened[0], detector: 'runaway_agent', summary: 'runaway_agent at 12' });
  });

  it('takes a person’s verdict on a spike renamed to a runaway for the episode under any of its names', async () => {
    // A reviewer's probe: before, the verdict covered only readings as a spike; a drift of the same onset opened a new
    // incident and was announced.
    const id = await spike();
    await pass('2026-11-12', [of('2026-11-12', 'runaway_agent')]);
    await resolveIncident(t.db, id, { reason: 'expected', note: 'load test' }, 'lead', endOf('2026-11-12'));
    expect(await pass('2026-11-13', [of('2026-11-13', 'sustained_drift')])).toMatchObject({
      opened: [],
      suppressed: 1,
      toNotify: [],
    });
  });

  it('announces the renamed incident again when its severity rises', async () => {
    const id = await spike();
    const renamed = await pass('2026-11-12', [of('2026-11-12', 'model_shift', { severity: 'critical' })]);
    expect(renamed).toMatchObject({ renamed: [id], escalated: [id], toNotify: [id] });
  });

  it('leaves the spike alone for an earlier onset, another detector, a resolved spike, or a pass that still reports it', async () => {
    const id = await spike();
    const otherOnset = await pass('2026-11-12', [of('2026-11-12', 'model_shift', { onsetAt: '2026-11-09T00:00:00Z' })]);
    expect(otherOnset.renamed).toEqual([]);
    expect(otherOnset.opened).toHaveLength(1);
    const teamLike = await pass('2026-11-12', [of('2026-11-12', 'team_zscore')]);
    expect(teamLike.renamed).toEqual([]);

    // bo: a spike and, in the same pass, a drift from its onset (detection names one episode a day: not renamed).
    const bo = 'bo@example.com';
    await pass('2026-11-12', [of('2026-11-12', 'personal_spike', { subject: bo })]);
    const both = await pass('2026-11-13', [
      of('2026-11-13', 'personal_spike', { subject: bo }),
      of('2026-11-13', 'sustained_drift', { subject: bo }),
    ]);
    expect(both.renamed).toEqual([]);
    expect(both.opened).toHaveLength(1);

    // cy: a spike a person closed is not renamed, and what they judged covers the lasting rise from its day.
    const cy = 'cy@example.com';
    const { opened } = await pass('2026-11-12', [of('2026-11-12', 'personal_spike', { subject: cy })]);
    await resolveIncident(t.db, opened[0], { reason: 'expected' }, 'lead', endOf('2026-11-12'));
    const afterVerdict = await pass('2026-11-13', [of('2026-11-13', 'sustained_drift', { subject: cy })]);
    expect(afterVerdict).toMatchObject({ renamed: [], opened: [], suppressed: 1, toNotify: [] });
    const laterRise = await pass('2026-11-14', [
      of('2026-11-14', 'sustained_drift', { subject: cy, onsetAt: '2026-11-14T00:00:00Z' }),
    ]);
    expect(laterRise.opened).toHaveLength(1);
    expect((await incidents()).find((r) => r.id === id)).toMatchObject({ detector: 'personal_spike' });
    expect((await incidents()).find((r) => r.id === opened[0])).toMatchObject({
      detector: 'personal_spike',
      status: 'resolved',
    });
  });

  it('renames the spike for a rise read from a later onset within three days of its last, keeping the spike’s onset', async () => {
    // bench:detect's T4-churn dev0231 (Dec 7 2026): a spike on Oct 9, nothing for three days (its incident resolved
    // itself), then a model shift from Oct 12 read on Oct 13. Before, a second incident and a second message.
    const id = await spike();
    const shift = await pass('2026-11-12', [of('2026-11-12', 'model_shift', { onsetAt: '2026-11-12T00:00:00.000Z' })]);
    expect(shift).toMatchObject({ opened: [], updated: [id], renamed: [id], toNotify: [] });
    expect(await incidents()).toMatchObject([{ id, detector: 'model_shift', status: 'alerted' }]);
    expect((await incidents())[0].onset_at.toISOString()).toBe(onset);
    const actions = (await listIncidentEvents(t.db, id)).map((e) => e.action);
    expect(actions).not.toContain('onset_moved');
    // An hourly pass later that day reads the rise's day as a spike from it: the same incident, not a second one.
    const again = await pass('2026-11-12', [of('2026-11-12', 'personal_spike', { onsetAt: '2026-11-12T00:00:00Z' })]);
    expect(again).toMatchObject({ opened: [], updated: [id], toNotify: [] });
    // A lead's verdict on it covers the rise read under another name from that day.
    await resolveIncident(t.db, id, { reason: 'expected' }, 'lead', endOf('2026-11-12'));
    const drift = await pass('2026-11-13', [of('2026-11-13', 'sustained_drift', { onsetAt: '2026-11-12T00:00:00Z' })]);
    expect(drift).toMatchObject({ opened: [], suppressed: 1, toNotify: [] });
  });

  it('reopens and renames a spike that resolved itself for a rise read from the day it resolved', async () => {
    const { opened } = await pass('2026-11-20', [
      of('2026-11-20', 'personal_spike', { onsetAt: '2026-11-20T00:00:00Z' }),
    ]);
    await t.db.transaction().execute((tx) => markIncidentsAlerted(tx, opened, 'slack', 1, endOf('2026-11-20')));
    for (const day of ['2026-11-21', '2026-11-22', '2026-11-23']) await pass(day, []);
    expect(await incidents()).toMatchObject([{ id: opened[0], status: 'resolved' }]);
    const back = await pass('2026-11-24', [of('2026-11-24', 'model_shift', { onsetAt: '2026-11-23T00:00:00Z' })]);
    expect(back).toMatchObject({ opened: [], reopened: opened, renamed: opened, toNotify: [] });
    expect(await incidents()).toMatchObject([
      { id: opened[0], detector: 'model_shift', status: 'alerted', onset_at: new Date('2026-11-20T00:00:00Z') },
    ]);
    const actions = (await listIncidentEvents(t.db, opened[0])).map((e) => e.action);
    expect(actions.slice(-3)).toEqual(['reopened', 'reclassified', 'updated']);
  });

  it('renames an open spike for a rise from at most three days after it was last seen, normal days counted', async () => {
    // Seen Nov 10, normal on Nov 11 and 12: a model shift from Nov 13 read that day is its rise.
    const ann = 'ann@example.com';
    const shift = (subject: string, asOf: string, from: string) =>
      of(asOf, 'model_shift', { subject, onsetAt: `${from}T00:00:00Z` });
    const { opened } = await pass('2026-11-10', [of('2026-11-10', 'personal_spike', { subject: ann })]);
    for (const day of ['2026-11-11', '2026-11-12']) await pass(day, []);
    expect(await pass('2026-11-13', [shift(ann, '2026-11-13', '2026-11-13')])).toMatchObject({
      opened: [],
      renamed: opened,
    });
    // Bo and cy, seen Nov 20, normal on Nov 21, no pass until Nov 24 (last evaluated Nov 21): a rise from Nov 23 is
    // cy's spike going on; one from Nov 24 is more than three days after bo's was last seen, a new incident.
    const [bo, cy] = ['bo@example.com', 'cy@example.com'];
    const spikes = await pass(
      '2026-11-20',
      [bo, cy].map((subject) => of('2026-11-20', 'personal_spike', { subject })),
    );
    await pass('2026-11-21', []);
    const nov24 = await pass('2026-11-24', [
      shift(bo, '2026-11-24', '2026-11-24'),
      shift(cy, '2026-11-24', '2026-11-23'),
    ]);
    expect(nov24.renamed).toEqual([spikes.opened[1]]);
    expect(nov24.opened).toHaveLength(1);
    expect((await incidents()).find((r) => r.id === spikes.opened[0])).toMatchObject({ detector: 'personal_spike' });
  });

  it('opens a new incident for a runaway agent from a day after the spike (one day’s excess of its own)', async () => {
    const id = await spike();
    const runaway = await pass('2026-11-12', [of('2026-11-12', 'runaway_agent', { onsetAt: '2026-11-12T00:00:00Z' })]);
    expect(runaway).toMatchObject({ renamed: [] });
    expect(runaway.opened).toHaveLength(1);
    expect(runaway.toNotify).toEqual(runaway.opened);
    expect((await incidents()).find((r) => r.id === id)).toMatchObject({ detector: 'personal_spike' });
  });

  it('takes a person’s verdict on a spike for its rise read from a later onset that had begun when they gave it', async () => {
    // Spikes on Nov 10. The lead closes ann's late on Nov 12: a drift from Nov 12 read on Nov 13 is what they judged.
    // Bo's, closed on Nov 10, before the rise from Nov 12 began: not judged.
    const [ann, bo, cy] = ['ann@example.com', 'bo@example.com', 'cy@example.com'];
    const { opened } = await pass(
      '2026-11-10',
      [ann, bo].map((subject) => of('2026-11-10', 'personal_spike', { subject })),
    );
    const verdict = (i: number, day: string) =>
      resolveIncident(t.db, opened[i], { reason: 'expected', note: 'migration' }, 'lead', endOf(day));
    await verdict(1, '2026-11-10');
    await verdict(0, '2026-11-12');
    const drift = (subject: string, asOf: string, from: string) =>
      of(asOf, 'sustained_drift', { subject, onsetAt: `${from}T00:00:00.000Z` });
    const nov13 = await pass('2026-11-13', [
      drift(ann, '2026-11-13', '2026-11-12'),
      drift(bo, '2026-11-13', '2026-11-12'),
    ]);
    expect(nov13).toMatchObject({ renamed: [], suppressed: 1 });
    expect(nov13.opened).toHaveLength(1);
    expect((await incidents()).filter((r) => r.status !== 'resolved').map((r) => r.subject)).toEqual([bo]);
    // Dan's spike, seen Nov 20 and closed late on Nov 23: a drift from Nov 23 is what they judged when read by Nov 26
    // (as a spike and its rise are joined: twice three days from its last day), news when read on Nov 27.
    const dan = 'dan@example.com';
    const dans = await pass('2026-11-20', [of('2026-11-20', 'personal_spike', { subject: dan })]);
    await resolveIncident(t.db, dans.opened[0], { reason: 'expected' }, 'lead', endOf('2026-11-23'));
    expect(await pass('2026-11-26', [drift(dan, '2026-11-26', '2026-11-23')])).toMatchObject({ suppressed: 1 });
    const news = await pass('2026-11-27', [drift(dan, '2026-11-27', '2026-11-23')]);
    expect(news).toMatchObject({ suppressed: 0 });
    expect(news.opened).toHaveLength(1);
    // Cy's spike, last seen Nov 14 (no pass for days after it), closed late on Nov 19: a drift from Nov 18 is more
    // than three days after it, another episode.
    const cys = await pass('2026-11-14', [of('2026-11-14', 'personal_spike', { subject: cy })]);
    await resolveIncident(t.db, cys.opened[0], { reason: 'expected' }, 'lead', endOf('2026-11-19'));
    const far = await pass('2026-11-20', [drift(cy, '2026-11-20', '2026-11-18')]);
    expect(far).toMatchObject({ suppressed: 0 });
    expect(far.opened).toHaveLength(1);
  });

  it('opens a new incident for a rise read from an onset more than three days after the spike was last seen', async () => {
    // Open spike (no passes since Nov 11): an onset of Nov 15 is past Nov 11 + 3.
    const id = await spike();
    const late = await pass('2026-11-16', [of('2026-11-16', 'model_shift', { onsetAt: '2026-11-15T00:00:00Z' })]);
    expect(late).toMatchObject({ renamed: [] });
    expect(late.opened).toHaveLength(1);
    expect((await incidents()).find((r) => r.id === id)).toMatchObject({ detector: 'personal_spike' });
    // Resolved over its normal days (last seen Nov 20, resolved Nov 23): an onset of Nov 24 is a new one.
    const bo = { subject: 'bo@example.com', onsetAt: '2026-11-20T00:00:00.000Z' };
    const { opened } = await pass('2026-11-20', [of('2026-11-20', 'personal_spike', bo)]);
    for (const day of ['2026-11-21', '2026-11-22', '2026-11-23']) await pass(day, []);
    const news = await pass('2026-11-25', [
      of('2026-11-25', 'model_shift', { ...bo, onsetAt: '2026-11-24T00:00:00Z' }),
    ]);
    expect(news).toMatchObject({ reopened: [], renamed: [] });
    expect(news.opened).toHaveLength(1);
    expect((await incidents()).find((r) => r.id === opened[0])).toMatchObject({ status: 'resolved' });
  });

  it('keeps the lasting name when a pass reads the episode as a spike again, and a replay of an earlier day is stale', async () => {
    const id = await spike();
    await pass('2026-11-12', [of('2026-11-12', 'model_shift')]);
    // An hourly pass later on Nov 12, its day grown, reads a spike from the same onset again.
    const again = await pass('2026-11-12', [of('2026-11-12', 'personal_spike', { summary: 'a spike again' })]);
    expect(again).toMatchObject({ opened: [], updated: [id], toNotify: [] });
    expect(await incidents()).toMatchObject([{ id, detector: 'model_shift', summary: 'a spike again' }]);
    const replay = await pass('2026-11-11', [of('2026-11-11', 'personal_spike')]);
    expect(replay).toMatchObject({ opened: [], updated: [] });
    expect(await incidents()).toHaveLength(1);
    // A spike from another day is another episode.
    const other = await pass('2026-11-13', [of('2026-11-13', 'personal_spike', { onsetAt: '2026-11-13T00:00:00Z' })]);
    expect(other.opened).toHaveLength(1);
  });

  it('reopens and renames a spike that resolved itself over idle days when its rise is read on the next one', async () => {
    const id = await spike();
    for (const day of ['2026-11-12', '2026-11-13', '2026-11-14']) await pass(day, []);
    expect(await incidents()).toMatchObject([{ id, status: 'resolved', resolution_reason: 'auto' }]);
    const back = await pass('2026-11-16', [of('2026-11-16', 'model_shift')]);
    expect(back).toMatchObject({ opened: [], updated: [id], reopened: [id], renamed: [id], toNotify: [] });
    expect(await incidents()).toMatchObject([{ id, detector: 'model_shift', status: 'alerted' }]);
    const actions = (await listIncidentEvents(t.db, id)).map((e) => e.action);
    expect(actions.slice(-4)).toEqual(['auto_resolved', 'reopened', 'reclassified', 'updated']);
    // Four days after it resolved, the rise is news: a new incident.
    const bo = { subject: 'bo@example.com', onsetAt: '2026-11-20T00:00:00.000Z' };
    const { opened } = await pass('2026-11-20', [of('2026-11-20', 'personal_spike', bo)]);
    for (const day of ['2026-11-21', '2026-11-22', '2026-11-23']) await pass(day, []);
    const late = await pass('2026-11-27', [of('2026-11-27', 'sustained_drift', bo)]);
    expect(late).toMatchObject({ reopened: [], renamed: [] });
    expect(late.opened).toHaveLength(1);
    expect(late.opened[0]).not.toBe(opened[0]);
  });

  it('renames nothing from a replay of an earlier day, nor when a pass reads two lasting rises', async () => {
    const id = await spike();
    const replay = await pass('2026-11-10', [of('2026-11-10', 'model_shift')]);
    expect(replay.renamed).toEqual([]);
    expect((await incidents()).find((r) => r.id === id)).toMatchObject({ detector: 'personal_spike' });
    await t.db.deleteFrom('incidents').where('detector', '=', 'model_shift').execute();
    const both = await pass('2026-11-12', [of('2026-11-12', 'sustained_drift'), of('2026-11-12', 'model_shift')]);
    expect(both.renamed).toEqual([]);
    expect((await incidents()).map((r) => r.detector).sort()).toEqual([
      'model_shift',
      'personal_spike',
      'sustained_drift',
    ]);
  });

  it('takes a replay of a day the closed episode was evaluated through, under either name, as that episode', async () => {
    // A spike that resolved itself on Nov 14: a replay of Nov 12 read as a rise neither reopens it nor opens one.
    const id = await spike();
    for (const day of ['2026-11-12', '2026-11-13', '2026-11-14']) await pass(day, []);
    const replay = await pass('2026-11-12', [of('2026-11-12', 'model_shift')]);
    expect(replay).toMatchObject({ opened: [], reopened: [], renamed: [], suppressed: 1 });
    expect(await incidents()).toMatchObject([{ id, detector: 'personal_spike', status: 'resolved' }]);
  });

  it('takes a spike reading of a renamed episode a person closed, or replayed after it closed, as that episode', async () => {
    const id = await spike();
    await pass('2026-11-12', [of('2026-11-12', 'model_shift')]);
    await resolveIncident(t.db, id, { reason: 'expected' }, 'lead', endOf('2026-11-12'));
    const again = await pass('2026-11-13', [of('2026-11-13', 'personal_spike')]);
    expect(again).toMatchObject({ opened: [], suppressed: 1, toNotify: [] });

    const bo = { subject: 'bo@example.com', onsetAt: '2026-11-20T00:00:00.000Z' };
    await pass('2026-11-20', [of('2026-11-20', 'personal_spike', bo)]);
    await pass('2026-11-21', [of('2026-11-21', 'personal_spike', bo)]);
    await pass('2026-11-22', [of('2026-11-22', 'sustained_drift', bo)]);
    for (const day of ['2026-11-23', '2026-11-24', '2026-11-25']) await pass(day, []);
    const replay = await pass('2026-11-21', [of('2026-11-21', 'personal_spike', bo)]);
    expect(replay).toMatchObject({ opened: [], suppressed: 1 });
    expect((await incidents()).filter((r) => r.subject === bo.subject)).toMatchObject([
      { detector: 'sustained_drift', status: 'resolved' },
    ]);
  });

  it('reopens and renames a spike when its rise is read later on the day an early pass resolved it', async () => {
    const id = await spike();
    for (const day of ['2026-11-12', '2026-11-13']) await pass(day, []);
    const early = await recordDetections(t.db, {
      asOf: '2026-11-14',
      anomalies: [],
      evaluatedAt: new Date('2026-11-14T01:00:00Z'),
      settings: POLICY,
    });
    expect(early.autoResolved).toEqual([id]);
    const later = await pass('2026-11-14', [of('2026-11-14', 'model_shift', { severity: 'critical' })]);
    expect(later).toMatchObject({ opened: [], reopened: [id], renamed: [id], escalated: [id], toNotify: [id] });
    expect(await incidents()).toMatchObject([{ id, detector: 'model_shift', status: 'alerted' }]);
  });
});
