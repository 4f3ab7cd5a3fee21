import { sql } from 'kysely';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { dropExpiredEventPartitions, firstKeptMonth } from '../../src/collector/retention';

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
});
