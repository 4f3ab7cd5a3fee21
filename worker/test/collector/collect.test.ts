import { sql } from 'kysely';
import pino from 'pino';
import { collectOnce, formatSummary } from '../../src/collector/collect';
import { storeUsageEvents } from '../../src/collector/store-events';
import { usageEventSchema } from '../../src/cursor/schemas';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, silentLog, startTestSimulator, testClient, truthTotals, TEST_NOW } from '../support/sim';

const BACKFILL_DAYS = 3;
const config = { BACKFILL_DAYS, RESTATE_DAYS: 2 };
const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

async function storedTotals(t: TestDb) {
  const ev = await sql<{
    n: number;
    cents: number;
  }>`SELECT count(*)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM usage_events`.execute(t.db);
  const ro = await sql<{
    n: number;
    cents: number;
  }>`SELECT coalesce(sum(events), 0)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM user_daily_rollup`.execute(
    t.db,
  );
  const rm = await sql<{
    n: number;
    cents: number;
  }>`SELECT coalesce(sum(events), 0)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM user_model_daily_rollup`.execute(
    t.db,
  );
  const rh = await sql<{
    n: number;
    cents: number;
  }>`SELECT coalesce(sum(events), 0)::int AS n, coalesce(sum(charged_cents), 0)::float8 AS cents FROM hourly_rollup`.execute(
    t.db,
  );
  return { events: ev.rows[0], daily: ro.rows[0], model: rm.rows[0], hourly: rh.rows[0] };
}

function expectMatchesTruth(
  stored: Awaited<ReturnType<typeof storedTotals>>,
  truth: { events: number; chargedCents: number },
) {
  for (const part of [stored.events, stored.daily, stored.model, stored.hourly]) {
    expect(part.n).toBe(truth.events);
    expect(part.cents).toBeCloseTo(truth.chargedCents, 2);
  }
}

describe('collectOnce against the simulated Cursor API', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  beforeAll(async () => {
    sim = await startTestSimulator({ teamSize: 20, nowMs: TEST_NOW });
  });
  afterAll(async () => sim.server.close());
  beforeEach(async () => {
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
    expect(formatSummary(first)).toMatch(
      /^members 2\d · daily rows [\d,]+ · spend rows \d+ · groups \d+ · audit events [\d,]+ · events [\d,]+ \(new [\d,]+, already stored 0\) · [\d.]+ s$/,
    );

    // The same window again (a duplicate trigger): the overlap re-delivers events, none is stored twice.
    const second = await collectOnce({ db: t.db, client, log: silentLog, config }, { trigger: 'test', now });
    expect(second.errors).toEqual([]);
    expect(second.events.inserted).toBe(0);
    expect(second.events.duplicates).toBe(second.events.fetched);
    expectMatchesTruth(await storedTotals(t), truth);

    const counts = await sql<{
      members: number;
      spend: number;
      daily: number;
      groups: number;
      runs: number;
      wm: number;
    }>`
      SELECT (SELECT count(*) FROM members)::int AS members, (SELECT count(*) FROM member_spend)::int AS spend,
             (SELECT count(*) FROM daily_usage)::int AS daily, (SELECT count(*) FROM billing_groups)::int AS groups,
             (SELECT count(*) FROM collection_runs WHERE status = 'ok')::int AS runs,
             (SELECT count(*) FROM collection_watermarks)::int AS wm`.execute(t.db);
    expect(counts.rows[0].members).toBe(sim.team.apiMembers().length);
    expect(counts.rows[0].spend).toBeGreaterThan(0);
    expect(counts.rows[0].daily).toBeGreaterThan(0);
    expect(counts.rows[0].groups).toBeGreaterThan(0);
    expect(counts.rows[0].runs).toBe(12); // six endpoints, twice
    expect(counts.rows[0].wm).toBe(3); // daily_usage, usage_events and audit_logs
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

  it('two collections started at once: one runs, the other is skipped by the collection lock', async () => {
    const now = new Date(sim.nowMs);
    const [a, b] = await Promise.all([
      collectOnce({ db: t.db, client: testClient(sim.server.url), log: silentLog, config }, { trigger: 'a', now }),
      collectOnce({ db: t.db, client: testClient(sim.server.url), log: silentLog, config }, { trigger: 'b', now }),
    ]);
    expect([a.skipped, b.skipped].filter(Boolean)).toEqual(['another collection is running']);
    expect(formatSummary(a.skipped ? a : b)).toBe('skipped: another collection is running');
    const ran = a.skipped ? b : a;
    expect(ran.errors).toEqual([]);
    const truth = truthTotals(sim.team, startOfDay(sim.nowMs) - BACKFILL_DAYS * DAY_MS, sim.nowMs);
    expect(ran.events.inserted).toBe(truth.events);
    expectMatchesTruth(await storedTotals(t), truth);
  });

  it('stores concurrent overlapping batches once (writers racing on the same events)', async () => {
    const events = sim.team.eventsBetween(sim.nowMs - DAY_MS, sim.nowMs).map((e) => usageEventSchema.parse(e));
    const half = Math.floor(events.length / 2);
    const batches = [
      events.slice(0, half + 50),
      events.slice(half - 50),
      events.slice(half - 50),
      events.slice(0, half + 50),
    ];
    const results = await Promise.all(batches.map((b) => storeUsageEvents(t.db, b)));
    expect(results.reduce((n, r) => n + r.inserted, 0)).toBe(events.length);
    expectMatchesTruth(await storedTotals(t), truthTotals(sim.team, sim.nowMs - DAY_MS, sim.nowMs));
  });

  it('a later pass reads from the watermark minus the overlap and restates recent daily rows', async () => {
    const client = testClient(sim.server.url);
    const early = new Date(sim.nowMs - 5 * 3_600_000);
    await collectOnce({ db: t.db, client, log: silentLog, config }, { trigger: 'early', now: early });
    const wm = await t.db
      .selectFrom('collection_watermarks')
      .select('watermark')
      .where('endpoint', '=', 'usage_events')
      .executeTakeFirstOrThrow();
    expect(wm.watermark.getTime()).toBe(early.getTime());
    const later = await collectOnce(
      { db: t.db, client, log: silentLog, config: { ...config, EVENT_OVERLAP_HOURS: 3 } },
      { trigger: 'later', now: new Date(sim.nowMs) },
    );
    const run = await t.db
      .selectFrom('collection_runs')
      .select(['window_start', 'window_end'])
      .where('trigger', '=', 'later')
      .where('endpoint', '=', 'usage_events')
      .executeTakeFirstOrThrow();
    expect(run.window_start!.getTime()).toBe(early.getTime() - 3 * 3_600_000);
    expect(run.window_end!.getTime()).toBe(sim.nowMs);
    expect(later.events.duplicates).toBe(
      truthTotals(sim.team, early.getTime() - 3 * 3_600_000, early.getTime()).events,
    );
    expect(later.dailyRows).toBeGreaterThan(0); // the restated days were read again
    expectMatchesTruth(
      await storedTotals(t),
      truthTotals(sim.team, startOfDay(early.getTime()) - BACKFILL_DAYS * DAY_MS, sim.nowMs),
    );
  });

  it('survives 429 storms, 5xx bursts and a malformed page with nothing lost', async () => {
    sim.server.setFaults({ rateLimitStorm: 3, serverErrors: 2, malformedPages: 1, retryAfterHeader: false });
    try {
      const client = testClient(sim.server.url);
      const s = await collectOnce(
        { db: t.db, client, log: silentLog, config },
        { trigger: 'test', now: new Date(sim.nowMs) },
      );
      expect(s.errors).toEqual([]);
      expect(client.stats.rateLimited).toBeGreaterThanOrEqual(3);
      expect(client.stats.retries).toBeGreaterThanOrEqual(6);
      expectMatchesTruth(
        await storedTotals(t),
        truthTotals(sim.team, startOfDay(sim.nowMs) - BACKFILL_DAYS * DAY_MS, sim.nowMs),
      );
    } finally {
      sim.server.setFaults({ rateLimitStorm: 0, serverErrors: 0, malformedPages: 0, retryAfterHeader: true });
    }
  });

  it('records a failing endpoint with its error and still collects the others', async () => {
    const client = testClient(sim.server.url, { apiKey: 'key_wrong_' + '0'.repeat(54) });
    const s = await collectOnce(
      { db: t.db, client, log: silentLog, config },
      { trigger: 'test', now: new Date(sim.nowMs) },
    );
    expect(s.errors.map((e) => e.endpoint).sort()).toEqual([
      'audit_logs',
      'billing_groups',
      'daily_usage',
      'members',
      'spend',
      'usage_events',
    ]);
    expect(s.errors[0].message).toMatch(/answered 401/);
    const runs = await t.db.selectFrom('collection_runs').select(['endpoint', 'status', 'error']).execute();
    expect(runs.every((r) => r.status === 'failed' && /401/.test(r.error ?? ''))).toBe(true);
    expect(await t.db.selectFrom('collection_watermarks').selectAll().execute()).toEqual([]);
  });

  it('a refused Admin API key: one request, one error line naming CURSOR_ADMIN_API_KEY, the other endpoints skipped', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const client = testClient(sim.server.url, { apiKey: 'key_wrong_' + '0'.repeat(54) });
    const s = await collectOnce({ db: t.db, client, log, config }, { trigger: 'test', now: new Date(sim.nowMs) });
    expect(client.stats.requests).toBe(1);
    const errors = lines.map((l) => JSON.parse(l)).filter((e) => e.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0].msg).toBe(
      'Cursor refused the Admin API key in CURSOR_ADMIN_API_KEY (HTTP 401); the other endpoints are skipped. Create one in the Cursor dashboard → Settings → Advanced → Admin API Keys (team admins only).',
    );
    // Every endpoint after the first refusal (members) is skipped without a request.
    expect(
      s.errors
        .filter((e) => e.message === 'skipped: Cursor refused the Admin API key (HTTP 401)')
        .map((e) => e.endpoint),
    ).toEqual(['spend', 'billing_groups', 'daily_usage', 'audit_logs', 'usage_events']);
  });
});
