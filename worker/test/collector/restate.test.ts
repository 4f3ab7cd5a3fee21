import { sql } from 'kysely';
import { collectOnce } from '../../src/collector/collect';
import { createSimulatedTeam, servedEvent, startSimulatorServer, type Restatement } from '@cursor-cost-watch/simulator';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, silentLog, TEST_KEY, testClient } from '../support/sim';

const HOUR_MS = 3_600_000;
const START = Date.UTC(2026, 10, 18, 15, 20); // a pinned clock: 2026-11-18 15:20 UTC
const restatement: Restatement = { share: 0.4, windowMs: 12 * HOUR_MS };
const config = { BACKFILL_DAYS: 3, RESTATE_DAYS: 2, EVENT_OVERLAP_HOURS: 6 };
const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** Each rollup against the stored events, and the stored events against what the API says now. */
async function check(t: TestDb, expected: { events: number; cents: number; fee: number }) {
  const r = await sql<Record<string, number>>`
    SELECT (SELECT count(*) FROM usage_events)::int AS events,
           (SELECT sum(charged_cents) FROM usage_events)::float8 AS cents,
           (SELECT sum(cursor_token_fee) FROM usage_events)::float8 AS fee,
           (SELECT sum(charged_cents) FROM user_daily_rollup)::float8 AS daily_cents,
           (SELECT sum(token_fee_cents) FROM user_daily_rollup)::float8 AS daily_fee,
           (SELECT sum(charged_cents) FROM user_model_daily_rollup)::float8 AS model_cents,
           (SELECT sum(charged_cents) FROM model_daily_rollup)::float8 AS team_cents,
           (SELECT sum(charged_cents) FROM hourly_rollup)::float8 AS hourly_cents,
           (SELECT sum(events) FROM user_daily_rollup)::int AS daily_events,
           (SELECT sum(events) FROM hourly_rollup)::int AS hourly_events,
           -- Every per-user day and per-model day equal to its events (not only the grand totals).
           (SELECT count(*) FROM (
              SELECT user_email, day, sum(charged_cents) AS c, sum(cursor_token_fee) AS f,
                     sum(charged_cents) FILTER (WHERE max_mode) AS m, count(*) AS n
              FROM usage_events GROUP BY 1, 2) e
            FULL JOIN user_daily_rollup r USING (user_email, day)
            WHERE abs(coalesce(e.c, 0) - coalesce(r.charged_cents, 0)) > 1e-6
               OR abs(coalesce(e.f, 0) - coalesce(r.token_fee_cents, 0)) > 1e-6
               OR abs(coalesce(e.m, 0) - coalesce(r.max_mode_cents, 0)) > 1e-6
               OR coalesce(e.n, 0) <> coalesce(r.events, 0))::int AS user_days_off,
           (SELECT count(*) FROM (
              SELECT day, model, sum(charged_cents) AS c FROM usage_events GROUP BY 1, 2) e
            FULL JOIN model_daily_rollup r USING (day, model)
            WHERE abs(coalesce(e.c, 0) - coalesce(r.charged_cents, 0)) > 1e-6)::int AS model_days_off`.execute(t.db);
  const row = r.rows[0];
  expect(row.user_days_off).toBe(0);
  expect(row.model_days_off).toBe(0);
  expect(row.events).toBe(expected.events);
  expect(row.daily_events).toBe(expected.events);
  expect(row.hourly_events).toBe(expected.events);
  for (const k of ['cents', 'daily_cents', 'model_cents', 'team_cents', 'hourly_cents'])
    expect({ [k]: row[k] }).toEqual({ [k]: expect.closeTo(expected.cents, 4) });
  expect(row.fee).toBeCloseTo(expected.fee, 4);
  expect(row.daily_fee).toBeCloseTo(expected.fee, 4);
  return row;
}

describe('restated prices', () => {
  let clock = START;
  const team = createSimulatedTeam({ seed: 9, teamSize: 15, historyDays: 20, now: () => clock });
  let server: Awaited<ReturnType<typeof startSimulatorServer>>;
  let t: TestDb;
  let control: TestDb;

  /** What the API says now for events in [start, clock]: the truth the collector must reproduce. */
  const servedNow = (start: number) => {
    const events = team.eventsBetween(start, clock).map((e) => servedEvent(e, clock, restatement));
    return {
      events: events.length,
      cents: events.reduce((s, e) => s + (e.chargedCents ?? 0), 0),
      fee: events.reduce((s, e) => s + (e.cursorTokenFee ?? 0), 0),
    };
  };

  beforeAll(async () => {
    server = await startSimulatorServer({ team, apiKey: TEST_KEY, port: 0, rateLimitsPerMinute: null, restatement });
    t = await createTestDb('restate');
    control = await createTestDb('restate_ctl');
  });
  afterAll(async () => {
    await server.close();
    await dropTestDb(t);
    await dropTestDb(control);
  });

  it('moves the stored row and every rollup by the change, so totals equal the restated truth', async () => {
    const windowStart = startOfDay(START) - config.BACKFILL_DAYS * DAY_MS;
    const final = team.eventsBetween(windowStart, START).reduce((s, e) => s + (e.chargedCents ?? 0), 0);
    for (const db of [t, control]) {
      const first = await collectOnce(
        { db: db.db, client: testClient(server.url), log: silentLog, config },
        { trigger: 'test', now: new Date(clock), restateEvents: true },
      );
      expect(first.errors).toEqual([]);
      expect(first.events.restated).toBe(0);
    }
    const early = await check(t, servedNow(windowStart));
    expect(early.cents).toBeLessThan(final - 100); // the recent share really was provisional

    // 20 hours later every event of the first read has its final price; the newest are provisional again.
    clock = START + 20 * HOUR_MS;
    const later = await collectOnce(
      { db: t.db, client: testClient(server.url), log: silentLog, config },
      { trigger: 'test', now: new Date(clock), restateEvents: true },
    );
    expect(later.errors).toEqual([]);
    expect(later.events.restated).toBeGreaterThan(10);
    const runs = await sql<{ endpoint: string; rows_updated: number }>`
      SELECT endpoint, rows_updated FROM collection_runs WHERE endpoint LIKE 'usage_events%' ORDER BY id DESC LIMIT 2`.execute(
      t.db,
    );
    expect(runs.rows.map((r) => r.endpoint).sort()).toEqual(['usage_events', 'usage_events_restate']);
    expect(runs.rows.reduce((s, r) => s + r.rows_updated, 0)).toBe(later.events.restated);
    await check(t, servedNow(windowStart));

    // Without the restate re-read, only the regular overlap (6 h) is read again: older provisional prices stay.
    const plain = await collectOnce(
      { db: control.db, client: testClient(server.url), log: silentLog, config },
      { trigger: 'test', now: new Date(clock) },
    );
    expect(plain.errors).toEqual([]);
    const stale = await sql<{ cents: number }>`SELECT sum(charged_cents)::float8 AS cents FROM usage_events`.execute(
      control.db,
    );
    expect(stale.rows[0].cents).toBeLessThan(servedNow(windowStart).cents - 1);

    // A second restate pass finds nothing new to move.
    const again = await collectOnce(
      { db: t.db, client: testClient(server.url), log: silentLog, config },
      { trigger: 'test', now: new Date(clock), restateEvents: true },
    );
    expect(again.events).toMatchObject({ inserted: 0, restated: 0 });
    await check(t, servedNow(windowStart));
  });
});
