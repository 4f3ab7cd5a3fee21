import { sql } from 'kysely';
import { collectOnce, formatSummary } from '../../src/collector/collect';
import { storeUsageEvents, resetPartitionCache } from '../../src/collector/store-events';
import { usageEventSchema } from '../../src/cursor/schemas';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, silentLog, startTestSimulator, testClient, truthTotals } from '../support/sim';

const BACKFILL_DAYS = 3;
const config = { BACKFILL_DAYS, RESTATE_DAYS: 2 };
const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

async function storedTotals(t: TestDb) {
  const ev = await sql<{ n: number; cents: number }>`SELECT count(*)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM usage_events`.execute(t.db);
  const ro = await sql<{ n: number; cents: number }>`SELECT coalesce(sum(events), 0)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM user_daily_rollup`.execute(t.db);
  const rm = await sql<{ n: number; cents: number }>`SELECT coalesce(sum(events), 0)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM user_model_daily_rollup`.execute(t.db);
  const rh = await sql<{ n: number; cents: number }>`SELECT coalesce(sum(events), 0)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM hourly_rollup`.execute(t.db);
  return { events: ev.rows[0], daily: ro.rows[0], model: rm.rows[0], hourly: rh.rows[0] };
}

function expectMatchesTruth(stored: Awaited<ReturnType<typeof storedTotals>>, truth: { events: number; chargedCents: number }) {
  for (const part of [stored.events, stored.daily, stored.model, stored.hourly]) {
    expect(part.n).toBe(truth.events);
    expect(part.cents).toBeCloseTo(truth.chargedCents, 2);
  }
}

describe('collectOnce against the simulated Cursor API', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  beforeAll(async () => {
    sim = await startTestSimulator({ teamSize: 20 });
  });
  afterAll(async () => sim.server.close());
  beforeEach(async () => {
    resetPartitionCache();
    t = await createTestDb('collect');
  });
  afterEach(async () => dropTestDb(t));

  it('backfills every endpoint and reproduces the ground truth exactly; a second pass adds nothing', async () => {
    const now = new Date(sim.nowMs);
    const client = testClient(sim.server.url);
    const first = await collectOnce({ db: t.db, client, log: silentLog, config }, { trigger: 'test', now });
    expect(first.errors).toEqual([]);
    const truth = truthTotals(sim.team, startOfDay(sim.nowMs) - BACKFILL_DAYS * DAY_MS, sim.nowMs);
    expect(truth.events).toBeGreaterThan(100);
    expect(first.events).toMatchObject({ fetched: truth.events, inserted: truth.events, duplicates: 0 });
    expectMatchesTruth(await storedTotals(t), truth);
    expect(formatSummary(first)).toMatch(/^members 2\d · daily rows [\d,]+ · spend rows \d+ · groups \d+ · events [\d,]+ \(new [\d,]+, already stored 0\) · [\d.]+ s$/);

    // The same window again (a duplicate trigger): the overlap re-delivers events, none is stored twice.
    const second = await collectOnce({ db: t.db, client, log: silentLog, config }, { trigger: 'test', now });
    expect(second.errors).toEqual([]);
    expect(second.events.inserted).toBe(0);
    expect(second.events.duplicates).toBe(second.events.fetched);
    expectMatchesTruth(await storedTotals(t), truth);

    const counts = await sql<{ members: number; spend: number; daily: number; groups: number; runs: number; wm: number }>`
      SELECT (SELECT count(*) FROM members)::int AS members, (SELECT count(*) FROM member_spend)::int AS spend,
             (SELECT count(*) FROM daily_usage)::int AS daily, (SELECT count(*) FROM billing_groups)::int AS groups,
             (SELECT count(*) FROM collection_runs WHERE status = 'ok')::int AS runs,
             (SELECT count(*) FROM collection_watermarks)::int AS wm`.execute(t.db);
    expect(counts.rows[0].members).toBe(sim.team.apiMembers().length);
    expect(counts.rows[0].spend).toBeGreaterThan(0);
    expect(counts.rows[0].daily).toBeGreaterThan(0);
    expect(counts.rows[0].groups).toBeGreaterThan(0);
    expect(counts.rows[0].runs).toBe(10); // five endpoints, twice
    expect(counts.rows[0].wm).toBe(2); // daily_usage and usage_events
  });

  it('stores the boundary event of overlapping inclusive windows once', async () => {
    const end = sim.nowMs;
    const start = end - 2 * DAY_MS;
    const events = sim.team.eventsBetween(start, end).map((e) => usageEventSchema.parse(e));
    const boundary = events[Math.floor(events.length / 2)].timestamp;
    const before = events.filter((e) => e.timestamp <= boundary); // [start, boundary]
    const after = events.filter((e) => e.timestamp >= boundary); // [boundary, end]: shares the boundary event
    const a = await storeUsageEvents(t.db, before);
    const b = await storeUsageEvents(t.db, after);
    expect(a.inserted + b.inserted).toBe(events.length);
    expect(b.duplicates).toBeGreaterThanOrEqual(1);
    expectMatchesTruth(await storedTotals(t), truthTotals(sim.team, start, end));
  });

  it('two collections running at once store each event once', async () => {
    const now = new Date(sim.nowMs);
    const [a, b] = await Promise.all([
      collectOnce({ db: t.db, client: testClient(sim.server.url), log: silentLog, config }, { trigger: 'a', now }),
      collectOnce({ db: t.db, client: testClient(sim.server.url), log: silentLog, config }, { trigger: 'b', now }),
    ]);
    expect([...a.errors, ...b.errors]).toEqual([]);
    const truth = truthTotals(sim.team, startOfDay(sim.nowMs) - BACKFILL_DAYS * DAY_MS, sim.nowMs);
    expect(a.events.inserted + b.events.inserted).toBe(truth.events);
    expectMatchesTruth(await storedTotals(t), truth);
  });

  it('survives 429 storms, 5xx bursts and a malformed page with nothing lost', async () => {
    sim.server.setFaults({ rateLimitStorm: 3, serverErrors: 2, malformedPages: 1, retryAfterHeader: false });
    try {
      const client = testClient(sim.server.url);
      const s = await collectOnce({ db: t.db, client, log: silentLog, config }, { trigger: 'test', now: new Date(sim.nowMs) });
      expect(s.errors).toEqual([]);
      expect(client.stats.rateLimited).toBeGreaterThanOrEqual(3);
      expect(client.stats.retries).toBeGreaterThanOrEqual(6);
      expectMatchesTruth(await storedTotals(t), truthTotals(sim.team, startOfDay(sim.nowMs) - BACKFILL_DAYS * DAY_MS, sim.nowMs));
    } finally {
      sim.server.setFaults({ rateLimitStorm: 0, serverErrors: 0, malformedPages: 0, retryAfterHeader: true });
    }
  });

  it('records a failing endpoint with its error and still collects the others', async () => {
    const client = testClient(sim.server.url, { apiKey: 'key_wrong_' + '0'.repeat(54) });
    const s = await collectOnce({ db: t.db, client, log: silentLog, config }, { trigger: 'test', now: new Date(sim.nowMs) });
    expect(s.errors.map((e) => e.endpoint).sort()).toEqual(['billing_groups', 'daily_usage', 'members', 'spend', 'usage_events']);
    expect(s.errors[0].message).toMatch(/answered 401/);
    const runs = await t.db.selectFrom('collection_runs').select(['endpoint', 'status', 'error']).execute();
    expect(runs.every((r) => r.status === 'failed' && /401/.test(r.error ?? ''))).toBe(true);
    expect(await t.db.selectFrom('collection_watermarks').selectAll().execute()).toEqual([]);
  });
});
