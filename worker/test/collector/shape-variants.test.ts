import { sql } from 'kysely';
import { startApi } from '../../src/api/server';
import { collectOnce, formatSummary } from '../../src/collector/collect';
import { loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { spawnCli } from '../support/child';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { DAY_MS, silentLog, startTestSimulator, testClient, TEST_KEY, truthTotals, TEST_NOW } from '../support/sim';

const config = { BACKFILL_DAYS: 3, RESTATE_DAYS: 2 };
const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** What the collector stored that the product uses: every figure must be the same whichever shapes Cursor sends. */
async function usedFigures(t: TestDb) {
  const r = await sql<Record<string, number | string>>`
    SELECT (SELECT count(*) FROM usage_events)::int AS events,
           (SELECT sum(charged_cents) FROM usage_events)::float8 AS cents,
           (SELECT sum(input_tokens + output_tokens + cache_write_tokens + cache_read_tokens) FROM usage_events)::float8 AS tokens,
           (SELECT sum(events) FROM user_daily_rollup)::int AS rollup_events,
           (SELECT sum(charged_cents) FROM user_model_daily_rollup)::float8 AS model_rollup_cents,
           (SELECT sum(charged_cents) FROM model_daily_rollup)::float8 AS team_rollup_cents,
           (SELECT sum(charged_cents) FROM hourly_rollup)::float8 AS hourly_cents,
           (SELECT count(*) FROM members)::int AS members,
           (SELECT string_agg(email, ',' ORDER BY email) FROM members) AS member_emails,
           (SELECT count(*) FROM member_spend)::int AS spend_rows,
           (SELECT sum(spend_cents) FROM member_spend)::float8 AS spend_cents,
           (SELECT min(cycle_start)::text FROM member_spend) AS cycle_start,
           (SELECT count(*) FROM daily_usage)::int AS daily_rows,
           (SELECT sum(total_lines_added + composer_requests + usage_based_reqs) FROM daily_usage)::int AS daily_sum,
           (SELECT count(*) FROM billing_group_members)::int AS group_members,
           (SELECT sum(spend_cents) FROM billing_groups)::float8 AS group_cents,
           (SELECT count(*) FROM billing_group_daily_spend)::int AS group_days`.execute(t.db);
  return r.rows[0];
}

describe('collection against Cursor answers in other shapes (simulator "shape variants" mode)', () => {
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  let documented: TestDb;
  let variants: TestDb;
  beforeAll(async () => {
    sim = await startTestSimulator({ teamSize: 15, seed: 5, nowMs: TEST_NOW });
    documented = await createTestDb('shapes_doc');
    variants = await createTestDb('shapes_var');
  });
  afterAll(async () => {
    await sim.server.close();
    await dropTestDb(documented);
    await dropTestDb(variants);
  });

  it('collects exactly the same figures, reports each drifting field once with a redacted example', async () => {
    const now = new Date(sim.nowMs);
    sim.server.setShapes('documented');
    const a = await collectOnce(
      { db: documented.db, client: testClient(sim.server.url), log: silentLog, config },
      {
        trigger: 'test',
        now,
      },
    );
    expect(a.errors).toEqual([]);
    expect(a.drift).toEqual([]);

    sim.server.setShapes('variants');
    const b = await collectOnce(
      { db: variants.db, client: testClient(sim.server.url), log: silentLog, config },
      {
        trigger: 'test',
        now,
      },
    );
    sim.server.setShapes('documented');
    expect(b.errors).toEqual([]);

    const truth = truthTotals(sim.team, startOfDay(sim.nowMs) - 3 * DAY_MS, sim.nowMs);
    const fa = await usedFigures(documented);
    const fb = await usedFigures(variants);
    expect(fa.events).toBe(truth.events);
    expect(fa.cents as number).toBeCloseTo(truth.chargedCents, 4);
    expect(fb).toEqual(fa);

    // Drift: once per API endpoint and field, the known shape variants (ids as numbers, ISO dates, the
    // {cycleStart, cycleEnd} billing cycle) are not drift at all.
    const fields = b.drift.map((d) => `${d.endpoint} ${d.field} ${d.kind}`);
    expect(fields).toEqual(
      expect.arrayContaining([
        'GET /teams/members teamMembers[].joinedAt unknown field',
        'POST /teams/daily-usage-data data[].agentLinesAdded unknown field',
        'POST /teams/daily-usage-data data[].clientVersion unexpected shape',
        'POST /teams/spend teamMemberSpend[].includedSpendCents unknown field',
        'POST /teams/spend teamMemberSpend[].role unexpected shape',
        'POST /teams/filtered-usage-events usageEvents[].subscriptionTier unknown field',
        'POST /teams/filtered-usage-events usageEvents[].tokenUsage.discountPercentOff unexpected shape',
        'GET /teams/groups groups[].formerMembers unknown field',
      ]),
    );
    expect(fields.some((f) => /billingCycle|timestamp|\.date |userId|\bid\b|subscriptionCycleStart/.test(f))).toBe(
      false,
    );
    const perRun = b.drift.map((d) => `${d.collector}|${d.endpoint}|${d.field}`);
    expect(new Set(perRun).size).toBe(perRun.length);
    const events = b.drift.find((d) => d.field === 'usageEvents[].subscriptionTier');
    expect(events?.count).toBeGreaterThan(1); // seen on many pages, reported once
    // Examples are redacted: no email, no name of the simulated team appears.
    const text = JSON.stringify(b.drift);
    for (const m of sim.team.apiMembers()) {
      expect(text).not.toContain(m.email);
      if (m.name) expect(text).not.toContain(m.name);
    }

    const summary = formatSummary(b);
    expect(summary).toMatch(/WARNING schema drift in \d+ field\(s\): collected anyway/);
    expect(summary).toContain('POST /teams/spend teamMemberSpend[].role: unexpected shape');

    // Kept in collection_runs, the billing cycle read from the pair, the group kept raw.
    const runs = await sql<{ endpoint: string; status: string; fields: string[] }>`
      SELECT endpoint, status, ARRAY(SELECT d->>'field' FROM jsonb_array_elements(drift) d ORDER BY 1) AS fields
      FROM collection_runs ORDER BY endpoint`.execute(variants.db);
    expect(runs.rows.every((r) => r.status === 'ok')).toBe(true);
    expect(runs.rows.find((r) => r.endpoint === 'billing_groups')?.fields).toContain('groups[].formerMembers');
    const groups = await sql<{ start: string; end: string | null; raw: Record<string, unknown> }>`
      SELECT billing_cycle::text AS start, billing_cycle_end::text AS end, raw FROM billing_groups`.execute(
      variants.db,
    );
    const cycle = sim.team.groups().billingCycle as string;
    for (const g of groups.rows) {
      expect(g.start).toBe(cycle);
      expect(g.end! > g.start).toBe(true);
      expect(g.raw).toMatchObject({ type: 'manual', formerMembers: [] });
    }

    // /metrics counts runs per endpoint and field.
    const { app, url } = await startApi({
      db: variants.db,
      config: loadConfig({ LOG_LEVEL: 'silent' }),
      log: createLogger('silent'),
      host: '127.0.0.1',
      port: 0,
    });
    try {
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain(
        'cursorwatch_schema_drift_total{endpoint="GET /teams/groups",field="groups[].formerMembers"} 1',
      );
    } finally {
      await app.close();
    }
  });

  it('`npm run collect` exits 0 with a drift warning', async () => {
    const t = await createTestDb('shapes_cli');
    sim.server.setShapes('variants');
    try {
      const run = spawnCli('collect.ts', {
        DATABASE_URL: t.url,
        CURSOR_ADMIN_API_KEY: TEST_KEY,
        CURSOR_API_BASE_URL: sim.server.url,
        CURSOR_RATE_LIMIT_PER_MIN: '10000',
        CURSOR_EVENTS_RATE_LIMIT_PER_MIN: '10000',
        BACKFILL_DAYS: '2',
        LOG_LEVEL: 'error',
      });
      const code = await run.exited;
      expect({ code, output: run.output() }).toMatchObject({ code: 0 });
      expect(run.output()).toMatch(/WARNING schema drift in \d+ field\(s\)/);
      expect(run.output()).toContain('GET /teams/groups groups[].formerMembers: unknown field');
      expect(run.output()).not.toContain('FAILED');
    } finally {
      sim.server.setShapes('documented');
      await dropTestDb(t);
    }
  }, 120_000);
});
