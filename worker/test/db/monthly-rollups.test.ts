import { sql } from 'kysely';
import { createSimulatedTeam } from '@cursor-cost-watch/simulator';
import { flushPendingRollups } from '../../src/collector/rollup-pending';
import { storeUsageEvents } from '../../src/collector/store-events';
import { usageEventSchema } from '../../src/cursor/schemas';
import { migrateToLatest } from '../../src/db/migrate';
import type { Db } from '../../src/db/database';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS } from '../support/sim';
import { lockWaits } from '../support/lock-waits';
import { migrateBefore } from '../support/migrate-before';

// sql/019_monthly_rollups.sql: the monthly sums per developer and model, and per developer, are kept by triggers on
// user_model_daily_rollup and user_daily_rollup, so they must equal the daily rows' sums after any statement that
// writes those; rollup_months reads the daily rollup's days as they are.

/** Rows of the two monthly tables that differ from their daily rows' sums (every key, both ways). */
async function monthlyOff(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT
      (SELECT count(*)
       FROM (SELECT user_email, date_trunc('month', day)::date AS month, model, count(*)::int AS days,
                    sum(events) AS events, sum(charged_cents) AS charged_cents
             FROM user_model_daily_rollup GROUP BY 1, 2, 3) d
       FULL JOIN user_model_monthly_rollup m USING (user_email, month, model)
       WHERE d.days IS DISTINCT FROM m.days OR d.events IS DISTINCT FROM m.events
          OR d.charged_cents IS DISTINCT FROM m.charged_cents)::int
    + (SELECT count(*)
       FROM (SELECT user_email, date_trunc('month', day)::date AS month, count(*)::int AS days,
                    sum(charged_cents) AS charged_cents
             FROM user_daily_rollup GROUP BY 1, 2) d
       FULL JOIN user_monthly_rollup m USING (user_email, month)
       WHERE d.days IS DISTINCT FROM m.days OR d.charged_cents IS DISTINCT FROM m.charged_cents)::int AS n`.execute(db);
  return r.rows[0].n;
}

const months = async (db: Db) =>
  (
    await sql<{ m: string }>`
      SELECT to_char(month, 'YYYY-MM') || ' ' || first_day || '..' || last_day AS m
      FROM rollup_months ORDER BY month`.execute(db)
  ).rows.map((r) => r.m);

const monthly = async (db: Db) =>
  (
    await sql<{ key: string; events: number; cents: number }>`
      SELECT user_email || ' ' || to_char(month, 'YYYY-MM') || ' ' || model AS key, events::int,
             charged_cents::float8 AS cents
      FROM user_model_monthly_rollup ORDER BY 1`.execute(db)
  ).rows;

type DailyRow = [email: string, day: string, model: string, events: number, cents: number];

/**
 * Upserts daily rows as the collector's flush does (INSERT ... ON CONFLICT DO UPDATE adding to the sums), into both
 * daily rollups: per model, and summed per developer and day.
 */
async function upsert(db: Db, rows: DailyRow[]): Promise<void> {
  await sql`
    INSERT INTO user_model_daily_rollup AS r (user_email, day, model, events, charged_cents)
    SELECT * FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::date[],
                         ${rows.map((r) => r[2])}::text[], ${rows.map((r) => r[3])}::int[],
                         ${rows.map((r) => r[4])}::numeric[])
    ON CONFLICT (user_email, day, model) DO UPDATE
      SET events = r.events + excluded.events, charged_cents = r.charged_cents + excluded.charged_cents`.execute(db);
  await sql`
    INSERT INTO user_daily_rollup AS r (user_email, day, events, charged_cents)
    SELECT e, d, sum(n), sum(c) FROM unnest(${rows.map((r) => r[0])}::text[], ${rows.map((r) => r[1])}::date[],
                                            ${rows.map((r) => r[3])}::int[], ${rows.map((r) => r[4])}::numeric[]) u (e, d, n, c)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (user_email, day) DO UPDATE
      SET events = r.events + excluded.events, charged_cents = r.charged_cents + excluded.charged_cents`.execute(db);
}

/** A statement run on both daily rollups (`table` stands for the name). */
const onBoth = async (db: Db, statement: (table: string) => string) => {
  for (const table of ['user_model_daily_rollup', 'user_daily_rollup']) await sql.raw(statement(table)).execute(db);
};

describe('the monthly rollups (sql/019)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('monthly');
  });
  afterEach(async () => dropTestDb(t));

  it('equals the daily rows summed per month after inserts, upserts, updates, deletes and a truncate', async () => {
    await upsert(t.db, [
      ['a@x.io', '2026-10-31', 'gpt-5', 3, 150],
      ['a@x.io', '2026-11-01', 'gpt-5', 2, 100],
      ['a@x.io', '2026-11-02', 'gpt-5', 1, 40.5],
      ['b@x.io', '2026-11-01', 'claude-4-opus', 5, 900],
    ]);
    expect(await monthly(t.db)).toEqual([
      { key: 'a@x.io 2026-10 gpt-5', events: 3, cents: 150 },
      { key: 'a@x.io 2026-11 gpt-5', events: 3, cents: 140.5 },
      { key: 'b@x.io 2026-11 claude-4-opus', events: 5, cents: 900 },
    ]);
    expect(await monthlyOff(t.db)).toBe(0);
    expect(await months(t.db)).toEqual(['2026-10 2026-10-31..2026-10-31', '2026-11 2026-11-01..2026-11-02']);

    // A flush's upsert: one row updated, one inserted in the same statement.
    await upsert(t.db, [
      ['a@x.io', '2026-11-02', 'gpt-5', 4, 10],
      ['b@x.io', '2026-11-03', 'claude-4-opus', 1, 100],
    ]);
    expect(await monthly(t.db)).toEqual([
      { key: 'a@x.io 2026-10 gpt-5', events: 3, cents: 150 },
      { key: 'a@x.io 2026-11 gpt-5', events: 7, cents: 150.5 },
      { key: 'b@x.io 2026-11 claude-4-opus', events: 6, cents: 1000 },
    ]);

    // An update that moves a row to another month; one that changes no summed column.
    await onBoth(t.db, (table) => `UPDATE ${table} SET day = '2026-11-05' WHERE day = '2026-10-31'`);
    await onBoth(t.db, (table) => `UPDATE ${table} SET input_tokens = 99`);
    expect(await monthly(t.db)).toEqual([
      { key: 'a@x.io 2026-11 gpt-5', events: 10, cents: 300.5 },
      { key: 'b@x.io 2026-11 claude-4-opus', events: 6, cents: 1000 },
    ]);
    expect(await monthlyOff(t.db)).toBe(0);
    expect(await months(t.db)).toEqual(['2026-11 2026-11-01..2026-11-05']);

    // Deleting some of a month's days, then all of them: the month goes with its last day.
    await onBoth(t.db, (table) => `DELETE FROM ${table} WHERE user_email = 'b@x.io' AND day = '2026-11-01'`);
    expect(await monthly(t.db)).toContainEqual({ key: 'b@x.io 2026-11 claude-4-opus', events: 1, cents: 100 });
    await onBoth(t.db, (table) => `DELETE FROM ${table} WHERE user_email = 'b@x.io'`);
    expect((await monthly(t.db)).map((r) => r.key)).toEqual(['a@x.io 2026-11 gpt-5']);
    const perDeveloper = await sql<{ user_email: string }>`SELECT user_email FROM user_monthly_rollup`.execute(t.db);
    expect(perDeveloper.rows).toEqual([{ user_email: 'a@x.io' }]);
    expect(await monthlyOff(t.db)).toBe(0);

    await onBoth(t.db, (table) => `TRUNCATE ${table}`);
    expect(await monthly(t.db)).toEqual([]);
    expect(await monthlyOff(t.db)).toBe(0);
    expect(await months(t.db)).toEqual([]);
  });

  it('keeps a month whose days sum to nothing: free models, a price restated to zero', async () => {
    // A developer on free models only: requests, no spend. The rankings count them (rank 91 of 150, not missing).
    await upsert(t.db, [['free@x.io', '2026-11-03', 'cursor-small', 12, 0]]);
    // Rows with neither (the rollups' row of a day whose events were all errored and free).
    await upsert(t.db, [['idle@x.io', '2026-11-03', 'auto', 0, 0]]);
    await upsert(t.db, [['paid@x.io', '2026-11-03', 'gpt-5', 2, 80]]);
    await onBoth(t.db, (table) => `UPDATE ${table} SET charged_cents = 0 WHERE user_email = 'paid@x.io'`);
    expect(await monthly(t.db)).toEqual([
      { key: 'free@x.io 2026-11 cursor-small', events: 12, cents: 0 },
      { key: 'idle@x.io 2026-11 auto', events: 0, cents: 0 },
      { key: 'paid@x.io 2026-11 gpt-5', events: 2, cents: 0 },
    ]);
    const perDeveloper = await sql<{ user_email: string; days: number }>`
      SELECT user_email, days FROM user_monthly_rollup ORDER BY 1`.execute(t.db);
    expect(perDeveloper.rows).toEqual([
      { user_email: 'free@x.io', days: 1 },
      { user_email: 'idle@x.io', days: 1 },
      { user_email: 'paid@x.io', days: 1 },
    ]);
    expect(await monthlyOff(t.db)).toBe(0);
    await onBoth(t.db, (table) => `DELETE FROM ${table} WHERE user_email <> 'paid@x.io'`);
    expect((await monthly(t.db)).map((r) => r.key)).toEqual(['paid@x.io 2026-11 gpt-5']);
    expect(await monthlyOff(t.db)).toBe(0);
  });

  it('follows the collector: events stored across a month boundary, flushed, stored again and flushed', async () => {
    const now = Date.UTC(2026, 10, 2, 15, 0); // a pinned clock: 2026-11-02 15:00 UTC
    const team = createSimulatedTeam({ seed: 7, teamSize: 15, historyDays: 6, now: () => now });
    const events = (from: number, to: number) => team.eventsBetween(from, to).map((e) => usageEventSchema.parse(e));
    await storeUsageEvents(t.db, events(now - 5 * DAY_MS, now - DAY_MS)); // October 28 to November 1: fresh days
    await flushPendingRollups(t.db);
    await storeUsageEvents(t.db, events(now - 2 * DAY_MS, now)); // overlaps: pending rows on days with data
    await flushPendingRollups(t.db);

    const byEvents = await sql<{ n: number }>`
      SELECT count(*)::int AS n
      FROM (SELECT user_email, date_trunc('month', day)::date AS month, model, count(*) AS events,
                   sum(charged_cents) AS charged_cents FROM usage_events GROUP BY 1, 2, 3) e
      FULL JOIN user_model_monthly_rollup m USING (user_email, month, model)
      WHERE e.events IS DISTINCT FROM m.events OR e.charged_cents IS DISTINCT FROM m.charged_cents`.execute(t.db);
    expect(byEvents.rows[0].n).toBe(0);
    expect(await monthlyOff(t.db)).toBe(0);
    const months = await sql<{ month: string }>`
      SELECT DISTINCT to_char(month, 'YYYY-MM') AS month FROM user_model_monthly_rollup ORDER BY 1`.execute(t.db);
    expect(months.rows.map((r) => r.month)).toEqual(['2026-10', '2026-11']);
  });

  it('stays exact under two writers upserting the same months at once', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `dev${String(i).padStart(2, '0')}@x.io`);
    const rowsOf = (day: string, cents: number) =>
      emails.map((e): [string, string, string, number, number] => [e, day, 'gpt-5', 1, cents]);
    // The first writer holds its transaction open after its upsert; the second's trigger then waits on the same
    // monthly rows, and goes on when the first commits.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let upserted!: () => void;
    const firstDone = new Promise<void>((resolve) => (upserted = resolve));
    const first = t.db.transaction().execute(async (tx) => {
      await upsert(tx, rowsOf('2026-11-03', 10));
      upserted();
      await gate;
    });
    await firstDone;
    // Other days (no daily row in common), the same months, in the other order.
    const second = upsert(t.db, rowsOf('2026-11-04', 5).reverse());
    expect((await lockWaits(t.db)).length).toBeGreaterThan(0); // on the first writer's monthly rows
    release();
    await Promise.all([first, second]);

    expect(await monthlyOff(t.db)).toBe(0);
    const total = await sql<{ events: number; cents: number }>`
      SELECT sum(events)::int AS events, sum(charged_cents)::float8 AS cents FROM user_model_monthly_rollup`.execute(
      t.db,
    );
    expect(total.rows[0]).toEqual({ events: 80, cents: 40 * (10 + 5) });
  });
});

describe('migration 019 on a database that holds daily rows', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('mig019', { migrated: false });
  });
  afterAll(async () => {
    await dropTestDb(t);
  });

  it('fills the monthly sums from the rows stored before it', async () => {
    await migrateBefore(t.db, '019');
    await upsert(t.db, [
      ['a@x.io', '2026-09-30', 'gpt-5', 2, 20],
      ['a@x.io', '2026-10-01', 'gpt-5', 3, 30],
      ['a@x.io', '2026-10-15', 'gpt-5', 4, 40],
    ]);

    expect(await migrateToLatest(t.db)).toContain('019_monthly_rollups');
    expect(await monthly(t.db)).toEqual([
      { key: 'a@x.io 2026-09 gpt-5', events: 2, cents: 20 },
      { key: 'a@x.io 2026-10 gpt-5', events: 7, cents: 70 },
    ]);
    expect(await monthlyOff(t.db)).toBe(0); // user_monthly_rollup too, a materialized view before
    expect(await months(t.db)).toEqual(['2026-09 2026-09-30..2026-09-30', '2026-10 2026-10-01..2026-10-15']);
    // And the triggers keep them from there.
    await upsert(t.db, [['a@x.io', '2026-10-16', 'gpt-5', 1, 5]]);
    expect(await monthlyOff(t.db)).toBe(0);
  });
});
