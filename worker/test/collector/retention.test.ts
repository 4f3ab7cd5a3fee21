import { sql } from 'kysely';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { dropExpiredEventPartitions, firstKeptMonth } from '../../src/collector/retention';
import { storeUsageEvents } from '../../src/collector/store-events';
import { usageEventSchema } from '../../src/cursor/schemas';

const NOW = new Date('2026-12-02T09:30:00Z');

async function addEvent(t: TestDb, ts: string, email: string): Promise<void> {
  await sql`SELECT ensure_usage_event_partitions(${ts}::timestamptz, ${ts}::timestamptz)`.execute(t.db);
  await sql`INSERT INTO usage_events (event_ts, dedupe_key, day, user_email, model, kind)
    VALUES (${ts}::timestamptz, decode(md5(${ts + email}), 'hex'), (${ts}::timestamptz AT TIME ZONE 'UTC')::date, ${email}, 'm', 'k')`.execute(
    t.db,
  );
  await sql`INSERT INTO user_daily_rollup (user_email, day, events, charged_cents)
    VALUES (${email}, (${ts}::timestamptz AT TIME ZONE 'UTC')::date, 1, 5)`.execute(t.db);
}

async function partitions(t: TestDb): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`SELECT c.relname AS name FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass ORDER BY 1`.execute(t.db);
  return rows.map((r) => r.name);
}

describe('usage event retention', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('retention');
  });
  afterAll(async () => dropTestDb(t));

  it('keeps the month of now and the months before it, up to the retention', () => {
    expect(firstKeptMonth(NOW, 13)).toBe('2025-12');
    expect(firstKeptMonth(NOW, 1)).toBe('2026-12');
    expect(firstKeptMonth(new Date('2026-01-31T23:59:59Z'), 2)).toBe('2025-12');
    expect(() => firstKeptMonth(NOW, 0)).toThrow('retention months must be ≥ 1, got 0');
  });

  it('drops the partitions past retention and keeps the rollups', async () => {
    // 2025-10 and 2025-11 are past 13 months on 2026-12-02; the first second of 2025-12 is not
    await addEvent(t, '2025-10-15T12:00:00Z', 'a@x.io');
    await addEvent(t, '2025-11-30T23:59:59Z', 'b@x.io');
    await addEvent(t, '2025-12-01T00:00:00Z', 'c@x.io');
    await addEvent(t, '2026-12-01T08:00:00Z', 'd@x.io');
    const dropped = await dropExpiredEventPartitions(t.db, NOW, 13);
    expect(dropped).toEqual(['usage_events_2025_10', 'usage_events_2025_11']);
    expect(await partitions(t)).not.toContain('usage_events_2025_11');
    expect(await partitions(t)).toContain('usage_events_2025_12');
    const events = await sql<{ user_email: string }>`SELECT user_email FROM usage_events ORDER BY 1`.execute(t.db);
    expect(events.rows.map((r) => r.user_email)).toEqual(['c@x.io', 'd@x.io']);
    const rollups = await sql<{ n: number }>`SELECT count(*)::int AS n FROM user_daily_rollup`.execute(t.db);
    expect(rollups.rows[0].n).toBe(4);
    // idempotent: a second run finds nothing to drop
    expect(await dropExpiredEventPartitions(t.db, NOW, 13)).toEqual([]);
  });

  it('keeps every rollup the collector wrote, to the cent, when the events behind them go', async () => {
    await sql`TRUNCATE usage_events, user_daily_rollup, user_model_daily_rollup, model_daily_rollup, user_kind_daily_rollup, hourly_rollup`.execute(
      t.db,
    );
    // Two events a day on the 1st and 15th of each month from 2025-06 to 2026-11, stored as the collector stores them.
    const events = [];
    for (let m = 0; m < 18; m++) {
      for (const d of [1, 15]) {
        for (const [i, model] of ['gpt-5', 'claude-4.5-sonnet'].entries()) {
          events.push(
            usageEventSchema.parse({
              timestamp: String(Date.UTC(2025, 5 + m, d, 10 + i)),
              userEmail: i ? 'a@x.io' : 'b@x.io',
              model,
              kind: i ? 'Usage-based' : 'Included in Business',
              chargedCents: 10 + m + i / 4,
              tokenUsage: {
                inputTokens: 100 + m,
                outputTokens: 10,
                cacheWriteTokens: 0,
                cacheReadTokens: 5,
                totalCents: 3,
              },
            }),
          );
        }
      }
    }
    expect((await storeUsageEvents(t.db, events)).inserted).toBe(72);
    const rollupTables = [
      'user_daily_rollup',
      'user_model_daily_rollup',
      'model_daily_rollup',
      'user_kind_daily_rollup',
      'hourly_rollup',
    ];
    const snapshot = async () => {
      const out: Record<string, unknown[]> = {};
      for (const table of rollupTables) {
        out[table] = (
          await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY 1, 2, 3`.execute(t.db)
        ).rows;
      }
      return out;
    };
    const before = await snapshot();
    expect(before.user_daily_rollup).toHaveLength(36 * 2);

    const dropped = await dropExpiredEventPartitions(t.db, NOW, 13);
    // 2025-06 … 2025-11 are past 13 months on 2026-12-02 (2025-10 and 2025-11 were dropped above and made again)
    expect(dropped).toEqual(
      ['2025_06', '2025_07', '2025_08', '2025_09', '2025_10', '2025_11'].map((m) => `usage_events_${m}`),
    );
    const kept = await sql<{ n: number; first: string }>`
      SELECT count(*)::int AS n, min(day)::text AS first FROM usage_events`.execute(t.db);
    expect(kept.rows[0]).toEqual({ n: 12 * 4, first: '2025-12-01' });
    expect(await snapshot()).toEqual(before);
  });
});
