import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { incidentMetrics } from '../../src/incidents';

const H = 3600_000;

describe('incidentMetrics', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('incm');
  });
  afterAll(async () => dropTestDb(t));

  /** An incident with onset at `onset`, and the other timestamps as hours after it. */
  async function incident(
    detector: string,
    onset: string,
    h: { detect?: number; alert?: number; ack?: number; resolve?: number },
    reason: string | null,
    impactCents: number,
  ) {
    const base = new Date(onset).getTime();
    const at = (x?: number) => (x === undefined ? null : new Date(base + x * H));
    await t.db
      .insertInto('incidents')
      .values({
        scope: 'user',
        subject: `${detector}-${Math.random()}@example.com`,
        detector,
        status:
          h.resolve !== undefined
            ? 'resolved'
            : h.ack !== undefined
              ? 'acknowledged'
              : h.alert !== undefined
                ? 'alerted'
                : 'open',
        severity: 'warning',
        max_severity: 'warning',
        onset_at: new Date(base),
        detected_at: new Date(base + (h.detect ?? 0.5) * H),
        last_detected_at: new Date(base + (h.detect ?? 0.5) * H),
        alerted_at: at(h.alert),
        acknowledged_at: at(h.ack),
        resolved_at: at(h.resolve),
        resolution_reason: reason as 'fixed' | null,
        observed: 1,
        expected: 1,
        impact_cents: impactCents,
      })
      .execute();
  }

  beforeAll(async () => {
    await incident('personal_spike', '2026-11-10T00:00:00Z', { alert: 1, ack: 3, resolve: 10 }, 'fixed', 10_000);
    await incident('personal_spike', '2026-11-11T00:00:00Z', { alert: 2, ack: 4, resolve: 20 }, 'expected', 5_000);
    await incident('personal_spike', '2026-11-12T00:00:00Z', { alert: 6, resolve: 30 }, 'false_positive', 2_500);
    await incident('personal_spike', '2026-11-13T00:00:00Z', { alert: 1, resolve: 96 }, 'auto', 1_000);
    await incident('team_zscore', '2026-11-14T00:00:00Z', { alert: 3 }, null, 40_000);
    // Never announced by a channel (Grafana does the alerting): acknowledged 3 h after it was detected.
    await incident('team_zscore', '2026-11-15T00:00:00Z', { detect: 2.5, ack: 5.5 }, null, 100);
    await incident('team_zscore', '2026-10-01T00:00:00Z', { alert: 1, ack: 2, resolve: 3 }, 'false_positive', 99_999); // outside the window
  });

  it('computes MTTD, MTTI and MTTR (mean and median, seconds) over the window', async () => {
    const m = await incidentMetrics(t.db, {
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect(m.incidents).toBe(6);
    expect(m.unresolved).toBe(2);
    // detected − onset: 0.5 h for five, 2.5 h for one; every incident has one, channels or not
    expect(m.mttd).toEqual({ count: 6, meanSeconds: (5 / 6) * 3600, medianSeconds: 0.5 * 3600 });
    // first message − detected: 0.5, 1.5, 5.5, 0.5, 2.5 hours (the unannounced one has none)
    expect(m.timeToAlert).toEqual({ count: 5, meanSeconds: 2.1 * 3600, medianSeconds: 1.5 * 3600 });
    // acknowledged − alerted: 2, 2 hours; acknowledged − detected where nothing was sent: 3 hours
    expect(m.mtti).toEqual({ count: 3, meanSeconds: (7 / 3) * 3600, medianSeconds: 2 * 3600 });
    // resolved − onset: 10, 20, 30, 96 hours
    expect(m.mttr).toEqual({ count: 4, meanSeconds: (156 / 4) * 3600, medianSeconds: 25 * 3600 });
    expect(m.impactDollars).toBeCloseTo(586, 6);
  });

  it('counts per detector and derives precision from human verdicts only', async () => {
    const m = await incidentMetrics(t.db, {
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect(m.perDetector.personal_spike).toEqual({
      count: 4,
      unresolved: 0,
      fixed: 1,
      expected: 1,
      falsePositive: 1,
      auto: 1,
      precision: 2 / 3,
      impactDollars: 185,
    });
    expect(m.perDetector.team_zscore).toMatchObject({ count: 2, unresolved: 2, precision: null });
  });

  it('reports nulls, not zeros, when nothing falls in the window', async () => {
    const m = await incidentMetrics(t.db, {
      from: new Date('2025-01-01T00:00:00Z'),
      to: new Date('2025-02-01T00:00:00Z'),
    });
    expect(m).toMatchObject({ incidents: 0, impactDollars: 0, perDetector: {} });
    expect(m.mttd).toEqual({ count: 0, meanSeconds: null, medianSeconds: null });
  });
});
