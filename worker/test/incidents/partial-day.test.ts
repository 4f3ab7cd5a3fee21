import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { recordDetections } from '../../src/incidents';
import { anomaly, POLICY } from './fixtures';

/**
 * The hourly worker's passes read today while it is still running (partialDay). A day counts towards auto-resolve
 * only once it is complete, at the next day's first pass (record.ts, lastCompleteDay): a pass at 00:00 has not seen
 * the day it would otherwise count.
 */
describe('normal days on a day still running', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('partial');
  });
  afterEach(async () => dropTestDb(t));

  const incidents = () => t.db.selectFrom('incidents').selectAll().orderBy('id').execute();
  const drift = (asOf: string, onsetDay: string) =>
    anomaly({ asOf, detector: 'sustained_drift', onsetAt: `${onsetDay}T00:00:00.000Z` });
  /** An hourly pass at `hour` (UTC) of `asOf`, today. */
  const hourly = (asOf: string, hour: number, anomalies: ReturnType<typeof anomaly>[]) =>
    recordDetections(t.db, {
      asOf,
      anomalies,
      evaluatedAt: new Date(`${asOf}T${String(hour).padStart(2, '0')}:00:00.000Z`),
      settings: POLICY,
      partialDay: true,
    });

  it("keeps a drift open over a weekend's quiet days until Monday is over, and Monday's reading updates it", async () => {
    // Seen until Friday Nov 13's last pass; Saturday and Sunday within the noise; Monday's afternoon reads the level
    // again, from Monday (its window began after the quiet weekend). Counting each day at its own 00:00 resolved the
    // incident at Monday 00:00 (Saturday, Sunday, Monday: 3) and Monday's reading opened a second one.
    const { opened } = await hourly('2026-11-13', 23, [drift('2026-11-13', '2026-11-05')]);
    for (const [day, hour] of [
      ['2026-11-14', 0],
      ['2026-11-14', 12],
      ['2026-11-15', 0],
      ['2026-11-15', 12],
      ['2026-11-16', 0],
    ] as const)
      expect((await hourly(day, hour, [])).autoResolved).toEqual([]);
    expect(await incidents()).toMatchObject([{ status: 'open', normal_days: 2, last_evaluated_day: '2026-11-15' }]);
    const monday = await hourly('2026-11-16', 15, [drift('2026-11-16', '2026-11-16')]);
    expect(monday).toMatchObject({ opened: [], updated: opened });
    const rows = await incidents();
    expect(rows).toMatchObject([{ status: 'open', normal_days: 0, last_evaluated_day: '2026-11-16' }]);
    expect(rows[0].onset_at.toISOString()).toBe('2026-11-05T00:00:00.000Z');
  });

  it('resolves after three complete normal days, at the next day’s first pass, through the last of them', async () => {
    const { opened } = await hourly('2026-11-13', 23, [drift('2026-11-13', '2026-11-05')]);
    for (const day of ['2026-11-14', '2026-11-15', '2026-11-16'])
      expect((await hourly(day, 0, [])).autoResolved).toEqual([]);
    expect((await hourly('2026-11-17', 0, [])).autoResolved).toEqual(opened);
    expect(await incidents()).toMatchObject([
      {
        status: 'resolved',
        resolution_reason: 'auto',
        resolution_note: 'Signal normal for 3 consecutive evaluated day(s), through 2026-11-16',
      },
    ]);
  });

  it('counts the day itself on a whole day (a replay, the backtest, the CLI for a past day)', async () => {
    const whole = (asOf: string, anomalies: ReturnType<typeof anomaly>[]) =>
      recordDetections(t.db, { asOf, anomalies, evaluatedAt: new Date(`${asOf}T23:59:00Z`), settings: POLICY });
    const { opened } = await whole('2026-11-13', [drift('2026-11-13', '2026-11-05')]);
    for (const day of ['2026-11-14', '2026-11-15']) expect((await whole(day, [])).autoResolved).toEqual([]);
    expect((await whole('2026-11-16', [])).autoResolved).toEqual(opened);
  });
});
