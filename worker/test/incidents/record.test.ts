import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { recordDetections, createSnooze, listIncidentEvents, IncidentInputError } from '../../src/incidents';
import { resolveIncident } from '../../src/incidents';
import { anomaly, endOf, POLICY } from './fixtures';

describe('recordDetections', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('inc');
  });
  afterEach(async () => dropTestDb(t));

  const incidents = () => t.db.selectFrom('incidents').selectAll().orderBy('id').execute();
  const pass = (asOf: string, anomalies: ReturnType<typeof anomaly>[], settings = POLICY) =>
    recordDetections(t.db, { asOf, anomalies, evaluatedAt: endOf(asOf), settings });

  it('opens one incident, and re-running the same day changes nothing', async () => {
    const first = await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    expect(first.opened).toHaveLength(1);
    expect(first.toNotify).toEqual(first.opened);
    const eventsAfterFirst = await listIncidentEvents(t.db, first.opened[0]);
    expect(eventsAfterFirst.map((e) => e.action)).toEqual(['opened']);

    const again = await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    expect(again.opened).toEqual([]);
    expect(again.updated).toEqual(first.opened);
    expect(again.escalated).toEqual([]);
    const rows = await incidents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: 'open',
      severity: 'warning',
      normal_days: 0,
      last_evaluated_day: '2026-11-20',
    });
    expect(await listIncidentEvents(t.db, first.opened[0])).toHaveLength(1);
  });

  it('updates the same incident on later days instead of duplicating it', async () => {
    const d1 = await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    const d2 = await pass('2026-11-21', [
      anomaly({
        asOf: '2026-11-21',
        onsetAt: '2026-11-20T00:00:00.000Z',
        observed: 12000,
        impactCents: 18000,
        summary: 'day two',
      }),
    ]);
    expect(d2.updated).toEqual(d1.opened);
    const [row] = await incidents();
    expect(row).toMatchObject({
      observed: 12000,
      impact_cents: 18000,
      summary: 'day two',
      last_evaluated_day: '2026-11-21',
    });
    expect(row.onset_at.toISOString()).toBe('2026-11-20T00:00:00.000Z');
    expect(row.last_detected_at.toISOString()).toBe(endOf('2026-11-21').toISOString());
    expect(row.detected_at.toISOString()).toBe(endOf('2026-11-20').toISOString());
    expect((await listIncidentEvents(t.db, row.id)).map((e) => e.action)).toEqual(['opened', 'updated']);
  });

  it('moves its onset only to an earlier day a newer pass reports, and records each move on the timeline', async () => {
    const sat = '2026-11-14T00:00:00.000Z';
    const mon = '2026-11-16T00:00:00.000Z';
    const { opened } = await pass('2026-11-16', [anomaly({ asOf: '2026-11-16', onsetAt: mon })]);
    // Same day again on the same data: same onset, nothing moves.
    await pass('2026-11-16', [anomaly({ asOf: '2026-11-16', onsetAt: mon })]);
    // The next day's data shows the rise began on Saturday: the onset moves, once, and the timeline says so.
    await pass('2026-11-17', [anomaly({ asOf: '2026-11-17', onsetAt: sat })]);
    await pass('2026-11-18', [anomaly({ asOf: '2026-11-18', onsetAt: sat })]);
    // A later pass whose window reads the start on Monday again is no evidence against Saturday: it stays.
    await pass('2026-11-19', [anomaly({ asOf: '2026-11-19', onsetAt: mon })]);
    // A replay of an older day is stale: it moves nothing.
    await pass('2026-11-16', [anomaly({ asOf: '2026-11-16', onsetAt: mon })]);
    const [row] = await incidents();
    expect(row.onset_at.toISOString()).toBe(sat);
    const moves = (await listIncidentEvents(t.db, opened[0])).filter((e) => e.action === 'onset_moved');
    expect(moves).toHaveLength(1);
    expect(moves[0].details).toMatchObject({ asOf: '2026-11-17', fromOnset: mon, toOnset: sat });
  });

  it('escalates once when severity rises above its highest so far, and asks to notify again', async () => {
    const { opened } = await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    const up = await pass('2026-11-21', [anomaly({ asOf: '2026-11-21', severity: 'critical' })]);
    expect(up.escalated).toEqual(opened);
    expect(up.toNotify).toEqual(opened);
    const down = await pass('2026-11-22', [anomaly({ asOf: '2026-11-22', severity: 'warning' })]);
    expect(down.escalated).toEqual([]);
    const backUp = await pass('2026-11-23', [anomaly({ asOf: '2026-11-23', severity: 'critical' })]);
    expect(backUp.escalated).toEqual([]);
    const [row] = await incidents();
    expect(row).toMatchObject({ severity: 'critical', max_severity: 'critical' });
    const events = await listIncidentEvents(t.db, row.id);
    expect(events.filter((e) => e.action === 'escalated')).toHaveLength(1);
    expect(events.find((e) => e.action === 'escalated')?.details).toMatchObject({
      fromSeverity: 'warning',
      toSeverity: 'critical',
    });
  });

  it('resolves itself after N consecutive evaluated days without the signal, counting each day once', async () => {
    const { opened } = await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    await pass('2026-11-21', []);
    await pass('2026-11-21', []); // a re-run of the same day is not a second normal day
    const d3 = await pass('2026-11-22', []);
    expect(d3.autoResolved).toEqual([]);
    expect((await incidents())[0].normal_days).toBe(2);
    const d4 = await pass('2026-11-23', []);
    expect(d4.autoResolved).toEqual(opened);
    const [row] = await incidents();
    expect(row).toMatchObject({ status: 'resolved', resolution_reason: 'auto', resolved_by: 'system', normal_days: 3 });
    expect(row.resolution_note).toContain('3 consecutive');
    const last = (await listIncidentEvents(t.db, row.id)).at(-1);
    expect(last).toMatchObject({
      action: 'auto_resolved',
      actor: 'system',
      from_status: 'open',
      to_status: 'resolved',
    });
    // Replaying an old day after the auto-resolution reopens nothing.
    const replay = await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    expect(replay).toMatchObject({ opened: [], suppressed: 1 });
  });

  it('resets the normal-day count when the signal returns', async () => {
    await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    await pass('2026-11-21', []);
    await pass('2026-11-22', []);
    await pass('2026-11-23', [anomaly({ asOf: '2026-11-23', onsetAt: '2026-11-20T00:00:00.000Z' })]);
    await pass('2026-11-24', []);
    await pass('2026-11-25', []);
    const [row] = await incidents();
    expect(row).toMatchObject({ status: 'open', normal_days: 2 });
  });

  it('opens nothing for a snoozed subject while the snooze lasts', async () => {
    await createSnooze(
      t.db,
      { scope: 'user', subject: 'ana@example.com', until: '2026-11-22T00:00:00Z', reason: 'hackathon' },
      'lead',
      new Date('2026-11-19T00:00:00Z'),
    );
    const snoozed = await pass('2026-11-20', [
      anomaly({ asOf: '2026-11-20' }),
      anomaly({ asOf: '2026-11-20', subject: 'bo@example.com' }),
    ]);
    expect(snoozed.snoozed).toBe(1);
    expect(snoozed.opened).toHaveLength(1);
    expect((await incidents()).map((r) => r.subject)).toEqual(['bo@example.com']);
    const after = await pass('2026-11-22', [anomaly({ asOf: '2026-11-22' })]);
    expect(after.snoozed).toBe(0);
    expect(after.opened).toHaveLength(1);
  });

  it('does not reopen an episode a person closed, but opens a new one with a later onset', async () => {
    const { opened } = await pass('2026-11-20', [anomaly({ asOf: '2026-11-20' })]);
    await resolveIncident(
      t.db,
      opened[0],
      { reason: 'expected', note: 'offsite demo' },
      'lead',
      new Date('2026-11-21T10:00:00Z'),
    );
    const same = await pass('2026-11-21', [anomaly({ asOf: '2026-11-21', onsetAt: '2026-11-20T00:00:00Z' })]);
    expect(same).toMatchObject({ opened: [], suppressed: 1, toNotify: [] });
    const fresh = await pass('2026-11-24', [anomaly({ asOf: '2026-11-24' })]);
    expect(fresh.opened).toHaveLength(1);
    expect(fresh.opened[0]).not.toBe(opened[0]);
  });

  it('keeps one incident when two passes race on the same anomalies', async () => {
    const batch = ['a', 'b', 'c', 'd'].map((n) => anomaly({ asOf: '2026-11-20', subject: `${n}@example.com` }));
    const results = await Promise.all([pass('2026-11-20', batch), pass('2026-11-20', [...batch].reverse())]);
    expect(results[0].opened.length + results[1].opened.length).toBe(4);
    expect(await incidents()).toHaveLength(4);
    const opened = await t.db.selectFrom('incident_events').select('id').where('action', '=', 'opened').execute();
    expect(opened).toHaveLength(4);
  });

  it('links the stored anomaly row to its incident', async () => {
    const a = anomaly({ asOf: '2026-11-20' });
    await t.db
      .insertInto('anomalies')
      .values({
        as_of: a.asOf,
        scope: a.scope,
        subject: a.subject,
        detector: a.detector,
        severity: a.severity,
        onset_at: a.onsetAt,
        observed: a.observed,
        expected: a.expected,
        band_low: null,
        band_high: null,
        why: '{}',
      })
      .execute();
    const { opened } = await pass('2026-11-20', [a]);
    const row = await t.db.selectFrom('anomalies').select('incident_id').executeTakeFirstOrThrow();
    expect(row.incident_id).toBe(opened[0]);
  });

  it('rejects malformed anomalies, naming the field, and writes nothing', async () => {
    const bad = [
      anomaly({ asOf: '2026-11-20' }),
      anomaly({ asOf: '2026-11-20', subject: 'x@example.com', observed: Number.NaN }),
    ];
    await expect(pass('2026-11-20', bad)).rejects.toThrow(IncidentInputError);
    await expect(pass('2026-11-20', bad)).rejects.toThrow(/anomalies\[1\]\.observed must be a finite number/);
    await expect(pass('2026-11-2', [])).rejects.toThrow(/asOf must be a day/);
    await expect(pass('2026-11-21', [anomaly({ asOf: '2026-11-20' })])).rejects.toThrow(
      /anomalies\[0\]\.asOf is 2026-11-20 but the pass evaluates 2026-11-21/,
    );
    // An onset is a day: incidents compare onsets for equality, so a time of day would make one episode two.
    const at = (onsetAt: string) => pass('2026-11-20', [anomaly({ asOf: '2026-11-20', onsetAt })]);
    await expect(at('2026-11-19T06:00:00.000Z')).rejects.toThrow(
      /anomalies\[0\]\.onsetAt must be the start of a UTC day/,
    );
    await expect(at('2026-11-21T00:00:00.000Z')).rejects.toThrow(
      /anomalies\[0\]\.onsetAt is 2026-11-21T00:00:00.000Z, after the day the pass evaluates \(2026-11-20\)/,
    );
    // The same instant written with an offset is a day's start; its day is the UTC one.
    await expect(at('2026-11-20T20:00:00-04:00')).rejects.toThrow(/after the day the pass evaluates/);
    expect(await incidents()).toHaveLength(0);
    await expect(at('2026-11-20T02:00:00+02:00')).resolves.toMatchObject({ opened: [expect.any(Number)] });
  });
});
