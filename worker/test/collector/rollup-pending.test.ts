import { setTimeout } from 'node:timers/promises';
import { sql } from 'kysely';
import { createSimulatedTeam } from '@cursor-cost-watch/simulator';
import { flushPendingRollups } from '../../src/collector/rollup-pending';
import { ensureEventPartitions, storeEventPage, storeUsageEvents } from '../../src/collector/store-events';
import { usageEventSchema, type UsageEvent } from '../../src/cursor/schemas';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS } from '../support/sim';
import { lockWaits } from '../support/lock-waits';

const NOW = Date.UTC(2026, 10, 20, 15, 0); // a pinned clock: 2026-11-20 15:00 UTC
const team = createSimulatedTeam({ seed: 5, teamSize: 12, historyDays: 10, now: () => NOW });
const events = (fromMs: number, toMs: number): UsageEvent[] =>
  team.eventsBetween(fromMs, toMs).map((e) => usageEventSchema.parse(e));

/** Rows of the seven rollups that differ from the sums of the stored events (every key, both ways). */
async function rollupsOff(t: TestDb): Promise<Record<string, number>> {
  const r = await sql<Record<string, number>>`
    SELECT
      (SELECT count(*) FROM (SELECT user_email, day, count(*) AS n, sum(charged_cents) AS c, sum(cursor_token_fee) AS f,
                                    coalesce(sum(charged_cents) FILTER (WHERE max_mode), 0) AS m
                             FROM usage_events GROUP BY 1, 2) e
         FULL JOIN user_daily_rollup r USING (user_email, day)
         WHERE e.n IS DISTINCT FROM r.events::bigint OR e.c IS DISTINCT FROM r.charged_cents
            OR e.f IS DISTINCT FROM r.token_fee_cents OR e.m IS DISTINCT FROM r.max_mode_cents)::int AS user_day,
      (SELECT count(*) FROM (SELECT user_email, day, model, count(*) AS n, sum(charged_cents) AS c
                             FROM usage_events GROUP BY 1, 2, 3) e
         FULL JOIN user_model_daily_rollup r USING (user_email, day, model)
         WHERE e.n IS DISTINCT FROM r.events::bigint OR e.c IS DISTINCT FROM r.charged_cents)::int AS user_model,
      (SELECT count(*) FROM (SELECT day, model, count(*) AS n, sum(charged_cents) AS c FROM usage_events GROUP BY 1, 2) e
         FULL JOIN model_daily_rollup r USING (day, model)
         WHERE e.n IS DISTINCT FROM r.events::bigint OR e.c IS DISTINCT FROM r.charged_cents)::int AS model_day,
      (SELECT count(*) FROM (SELECT user_email, day, kind, count(*) AS n, sum(charged_cents) AS c
                             FROM usage_events GROUP BY 1, 2, 3) e
         FULL JOIN user_kind_daily_rollup r USING (user_email, day, kind)
         WHERE e.n IS DISTINCT FROM r.events::bigint OR e.c IS DISTINCT FROM r.charged_cents)::int AS user_kind,
      (SELECT count(*) FROM (SELECT date_trunc('hour', event_ts, 'UTC') AS hour, model, count(*) AS n,
                                    sum(charged_cents) AS c FROM usage_events GROUP BY 1, 2) e
         FULL JOIN hourly_rollup r USING (hour, model)
         WHERE e.n IS DISTINCT FROM r.events::bigint OR e.c IS DISTINCT FROM r.charged_cents)::int AS hourly,
      -- The monthly ones are kept by triggers on the daily ones (sql/019), whatever wrote those.
      (SELECT count(*) FROM (SELECT user_email, date_trunc('month', day)::date AS month, model, count(*) AS n,
                                    sum(charged_cents) AS c FROM usage_events GROUP BY 1, 2, 3) e
         FULL JOIN user_model_monthly_rollup r USING (user_email, month, model)
         WHERE e.n IS DISTINCT FROM r.events OR e.c IS DISTINCT FROM r.charged_cents)::int AS user_model_month,
      (SELECT count(*) FROM (SELECT user_email, date_trunc('month', day)::date AS month, sum(charged_cents) AS c
                             FROM usage_events GROUP BY 1, 2) e
         FULL JOIN user_monthly_rollup r USING (user_email, month)
         WHERE e.c IS DISTINCT FROM r.charged_cents)::int AS user_month`.execute(t.db);
  return r.rows[0];
}
const NONE_OFF = {
  user_day: 0,
  user_model: 0,
  model_day: 0,
  user_kind: 0,
  hourly: 0,
  user_model_month: 0,
  user_month: 0,
};

/** Pending rows and what they add up to. */
const pending = async (t: TestDb) =>
  (
    await sql<{ rows: number; events: number; cents: number }>`
      SELECT count(*)::int AS rows, coalesce(sum(events), 0)::int AS events,
        coalesce(sum(charged_cents), 0)::float8 AS cents FROM rollup_pending`.execute(t.db)
  ).rows[0];

/** A writer that stores `a` and keeps its transaction open until release(). */
async function holdingOpen(t: TestDb, a: UsageEvent) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const first = storeEventPage(t.db, [a], async () => {
    holding();
    await gate;
  });
  await held;
  return { first, release };
}

describe('event rollups moved through rollup_pending', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('dayroll');
  });
  afterEach(async () => {
    await dropTestDb(t);
  });

  /** The days marked fresh (sql/018): the next flush sums their events. */
  const freshDays = async (t: TestDb) =>
    (
      await sql<{ day: string }>`SELECT to_char(day, 'YYYY-MM-DD') AS day FROM rollup_fresh_days ORDER BY 1`.execute(
        t.db,
      )
    ).rows.map((r) => r.day);
  const daysOf = (page: UsageEvent[]) =>
    [...new Set(page.map((e) => new Date(e.timestamp).toISOString().slice(0, 10)))].sort();

  it('a page of days with no events yet marks them fresh and adds nothing pending; a flush sums them, and a crash in between loses nothing', async () => {
    const page = events(NOW - 2 * DAY_MS, NOW);
    expect(daysOf(page).length).toBeGreaterThanOrEqual(2);

    const stored = await storeEventPage(t.db, page); // and then the process dies: no flush
    expect(stored.inserted).toBe(page.length);
    expect(await freshDays(t)).toEqual(daysOf(page));
    expect(await pending(t)).toEqual({ rows: 0, events: 0, cents: 0 });
    expect((await rollupsOff(t)).user_day).toBeGreaterThan(0); // the rollups do not have the page yet

    expect(await flushPendingRollups(t.db)).toBeGreaterThan(0); // what the next collection does first
    expect(await rollupsOff(t)).toEqual(NONE_OFF);
    expect(await freshDays(t)).toEqual([]);
    expect(await flushPendingRollups(t.db)).toBe(0); // nothing is added twice
    expect(await rollupsOff(t)).toEqual(NONE_OFF);
  });

  it('a page over a day that has events and a fresh one leaves its events pending; the flush counts each event once', async () => {
    const before = events(NOW - 3 * DAY_MS, NOW - DAY_MS - 1);
    await storeUsageEvents(t.db, before);
    const page = events(NOW - DAY_MS, NOW); // yesterday's day has events from `before`; today's has none
    const [yesterday, today] = daysOf(page);
    expect(daysOf(before)).toContain(yesterday);
    expect(daysOf(before)).not.toContain(today);

    const stored = await storeEventPage(t.db, page); // no flush yet
    expect(stored.inserted).toBe(page.length);
    expect(await freshDays(t)).toEqual([today]);
    // Pending rows for the whole page (its days are not all fresh); the flush leaves out today's and sums its events.
    const waiting = await pending(t);
    expect(waiting.events).toBe(page.length);
    expect(waiting.cents).toBeCloseTo(
      page.reduce((s, e) => s + e.chargedCents, 0),
      4,
    );
    await flushPendingRollups(t.db);
    expect(await rollupsOff(t)).toEqual(NONE_OFF);
    expect(await pending(t)).toEqual({ rows: 0, events: 0, cents: 0 });
    expect(await freshDays(t)).toEqual([]);
  });

  it('a flush that starts while a page is in its COPY waits for the page to commit; neither deadlocks', async () => {
    await storeUsageEvents(t.db, events(NOW - 3 * DAY_MS, NOW - DAY_MS - 1));
    const page = events(NOW - DAY_MS, NOW); // a day with events and a fresh one: the page marks, copies, then pends
    // A slow COPY (a statement trigger of this test's database), so the flush starts while the page holds its mark.
    await sql`CREATE FUNCTION slow_copy() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$`.execute(t.db);
    await sql`CREATE TRIGGER slow AFTER INSERT ON usage_events FOR EACH STATEMENT EXECUTE FUNCTION slow_copy()`.execute(
      t.db,
    );
    const storing = storeEventPage(t.db, page);
    await setTimeout(200);
    const flushing = flushPendingRollups(t.db);
    const [stored] = await Promise.all([storing, flushing]); // the other lock order failed here: deadlock detected
    expect(stored.inserted).toBe(page.length);
    await flushPendingRollups(t.db);
    expect(await rollupsOff(t)).toEqual(NONE_OFF);
  });

  it('a re-delivered page adds nothing; a restated price adds its difference and every rollup follows', async () => {
    const page = events(NOW - DAY_MS, NOW);
    await storeUsageEvents(t.db, page);
    const again = await storeEventPage(t.db, page);
    expect(again).toEqual({ inserted: 0, restated: 0, duplicates: page.length });
    expect((await pending(t)).rows).toBe(0);

    const target = page.find((e) => e.maxMode) ?? page[0];
    const restated = page.map((e) => (e === target ? { ...e, chargedCents: e.chargedCents + 123.456789 } : e));
    const r = await storeEventPage(t.db, restated);
    expect(r).toEqual({ inserted: 0, restated: 1, duplicates: page.length - 1 });
    expect(await pending(t)).toEqual({ rows: 1, events: 0, cents: expect.closeTo(123.456789, 6) });
    await flushPendingRollups(t.db);
    expect(await rollupsOff(t)).toEqual(NONE_OFF);
    const total = await sql<{ c: number }>`SELECT sum(charged_cents)::float8 AS c FROM user_daily_rollup`.execute(t.db);
    expect(total.rows[0].c).toBeCloseTo(
      restated.reduce((s, e) => s + e.chargedCents, 0),
      4,
    );
  });

  it('a page commits without waiting for its WAL flush, empty or not, and creates the partitions it needs', async () => {
    const page = events(NOW - DAY_MS, NOW);
    const settings: string[] = [];
    const setting = async (tx: Parameters<NonNullable<Parameters<typeof storeEventPage>[2]>>[0]) => {
      const r = await sql<{ s: string }>`SELECT current_setting('synchronous_commit') AS s`.execute(tx);
      settings.push(r.rows[0].s);
    };
    // No partition exists yet: the page's first round trip creates it.
    expect((await storeEventPage(t.db, page, setting)).inserted).toBe(page.length);
    expect((await storeEventPage(t.db, [], setting)).inserted).toBe(0);
    expect(settings).toEqual(['off', 'off']);
    const now = await sql<{ s: string }>`SELECT current_setting('synchronous_commit') AS s`.execute(t.db);
    expect(now.rows[0].s).toBe('on'); // SET LOCAL: the pool's connections keep their own setting
  });

  it('text that COPY must escape is stored as sent', async () => {
    const [first] = events(NOW - DAY_MS, NOW);
    const odd = {
      ...first,
      conversationId: 'tab\there, newline\nthere, a \\ backslash, \\N and a CR\r',
      serviceAccountName: 'Büro-Agent ☃',
      model: 'model\\with\\backslashes',
    };
    expect((await storeUsageEvents(t.db, [odd])).inserted).toBe(1);
    const row = await t.db
      .selectFrom('usage_events')
      .select(['conversation_id', 'service_account_name', 'model'])
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      conversation_id: odd.conversationId,
      service_account_name: odd.serviceAccountName,
      model: odd.model,
    });
  });

  // The page's COPY is sent a batch at a time (db/copy.ts): the other writer's key in the first batch, or in a later one
  // while earlier batches are already stored.
  it.each([
    ['its first COPY batch', 2, 0],
    ['a later COPY batch', 300, 180],
  ])(
    'a page that meets another writer storing some of its events (in %s) is redone by INSERT … ON CONFLICT DO NOTHING',
    async (_where, size, at) => {
      const all = events(NOW - 3 * DAY_MS, NOW);
      const page = all.filter((_, i) => i % 2 === 0).slice(0, size); // every other event: its days keep others
      const rest = all.filter((e) => !page.includes(e));
      expect(page).toHaveLength(size);
      const a = [...page].sort((x, y) => x.timestamp - y.timestamp)[at]; // the page's COPY sends its events in time order
      // The month's partitions exist first: creating one would lock usage_events, and writer 2 would wait there (and
      // then see `a`) instead of in its COPY. The page's days already hold events (the rest of those days), so neither
      // writer marks them fresh: a second writer would wait on the first one's mark (the next test) instead.
      await ensureEventPartitions(t.db, NOW - 3 * DAY_MS, NOW);
      await storeUsageEvents(t.db, rest);
      expect(daysOf(rest)).toEqual(expect.arrayContaining(daysOf(page)));
      // Writer 1 stores `a` and keeps its transaction open.
      const { first, release } = await holdingOpen(t, a);
      // Writer 2 does not see `a` (not committed), so it COPYs it and waits on writer 1's key.
      const second = storeEventPage(t.db, page);
      const waiting = await lockWaits(t.db);
      expect(waiting).toHaveLength(1);
      expect(waiting[0]).toMatch(/^COPY usage_events/);
      release();
      expect(await first).toEqual({ inserted: 1, restated: 0, duplicates: 0 });
      // the COPY failed; the redo skipped `a`
      expect(await second).toEqual({ inserted: size - 1, restated: 0, duplicates: 1 });
      await flushPendingRollups(t.db);
      const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(t.db);
      expect(stored.rows[0].n).toBe(all.length);
      expect(await rollupsOff(t)).toEqual(NONE_OFF);
    },
  );

  it("two writers on a fresh day: the second waits on the first one's mark, then its page is redone and every event counts once", async () => {
    const page = events(NOW - DAY_MS / 2, NOW);
    const a = page[Math.floor(page.length / 2)];
    await ensureEventPartitions(t.db, NOW - DAY_MS, NOW);
    const { first, release } = await holdingOpen(t, a);
    const second = storeEventPage(t.db, page);
    const waiting = await lockWaits(t.db);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatch(/INSERT INTO rollup_fresh_days/);
    release();
    expect(await first).toEqual({ inserted: 1, restated: 0, duplicates: 0 });
    expect(await second).toEqual({ inserted: page.length - 1, restated: 0, duplicates: 1 });
    await flushPendingRollups(t.db);
    expect(await rollupsOff(t)).toEqual(NONE_OFF);
  });
});
