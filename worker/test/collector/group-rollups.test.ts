import { sql } from 'kysely';
import { collectOnce } from '../../src/collector/collect';
import { followChargebackCycle } from '../../src/collector/chargeback-cycle';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { cycleDayStartedBefore, silentLog, startTestSimulator, testClient, TEST_NOW } from '../support/sim';

// The per-group rollups (sql/015, kept by triggers since sql/020) are the per-developer rollups summed by current
// billing group; the chargeback tables (sql/016, kept by triggers since sql/021) the current cycle's
// chargeback_user_days summed per developer and group.

/** The per-group rows as stored, and as summed straight from the per-developer rollups now. */
async function groupRows(t: TestDb) {
  const stored = await sql<Record<string, string>>`
    SELECT group_id, day::text, developers::text, events::text, charged_cents::text, input_tokens::text,
           output_tokens::text, cache_write_tokens::text, cache_read_tokens::text
    FROM group_daily_rollup ORDER BY 1, 2`.execute(t.db);
  const summed = await sql<Record<string, string>>`
    SELECT bm.group_id, r.day::text, count(*)::text AS developers, sum(r.events)::text AS events,
           sum(r.charged_cents)::text AS charged_cents, sum(r.input_tokens)::text AS input_tokens,
           sum(r.output_tokens)::text AS output_tokens, sum(r.cache_write_tokens)::text AS cache_write_tokens,
           sum(r.cache_read_tokens)::text AS cache_read_tokens
    FROM user_daily_rollup r JOIN billing_group_members bm ON bm.email = r.user_email
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(t.db);
  const storedModel = await sql<Record<string, string>>`
    SELECT group_id, day::text, model, events::text, charged_cents::text FROM group_model_daily_rollup ORDER BY 1, 2, 3`.execute(
    t.db,
  );
  const summedModel = await sql<Record<string, string>>`
    SELECT bm.group_id, r.day::text, r.model, sum(r.events)::text AS events, sum(r.charged_cents)::text AS charged_cents
    FROM user_model_daily_rollup r JOIN billing_group_members bm ON bm.email = r.user_email
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(t.db);
  return { stored: stored.rows, summed: summed.rows, storedModel: storedModel.rows, summedModel: summedModel.rows };
}

/**
 * The current cycle's chargeback as the tables (sql/016, sql/021) hold it, and as chargeback_user_days (sql/011, each
 * developer-day in that day's group) sums it over the cycle now: per developer and group, and per group and model.
 */
async function chargebackRows(t: TestDb) {
  const cycle = sql`(SELECT coalesce(max((s.cycle_start AT TIME ZONE 'UTC')::date), date_trunc('month', now() AT TIME ZONE 'UTC')::date) FROM member_spend s)`;
  const stored = await sql<Record<string, string>>`
    SELECT cycle_start::text, user_email, group_id, group_name, charged_cents::text, usage_based_cents::text,
           included_cents::text, requests::text
    FROM chargeback_cycle_developers ORDER BY 2, 3`.execute(t.db);
  const summed = await sql<Record<string, string>>`
    SELECT ${cycle}::text AS cycle_start, user_email, group_id, group_name, sum(charged_cents)::text AS charged_cents,
           sum(usage_based_cents)::text AS usage_based_cents, sum(included_cents)::text AS included_cents,
           sum(requests)::text AS requests
    FROM chargeback_user_days
    WHERE day >= ${cycle} AND day < (${cycle} + interval '1 month')::date
    GROUP BY user_email, group_id, group_name ORDER BY 2, 3`.execute(t.db);
  const storedModel = await sql<Record<string, string>>`
    SELECT cycle_start::text, group_id, model, charged_cents::text FROM chargeback_cycle_group_models ORDER BY 2, 3`.execute(
    t.db,
  );
  const summedModel = await sql<Record<string, string>>`
    SELECT ${cycle}::text AS cycle_start, g.group_id, r.model, sum(r.charged_cents)::text AS charged_cents
    FROM user_model_daily_rollup r
    LEFT JOIN member_group_days m ON m.email = r.user_email AND m.day = r.day
    LEFT JOIN billing_groups g ON g.group_id = m.group_id
    WHERE r.day >= ${cycle} AND r.day < (${cycle} + interval '1 month')::date
    GROUP BY g.group_id, r.model ORDER BY 2, 3`.execute(t.db);
  return { stored: stored.rows, summed: summed.rows, storedModel: storedModel.rows, summedModel: summedModel.rows };
}

describe('per-billing-group rollups', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('grouprollups');
  });
  afterEach(async () => dropTestDb(t));

  it('sum each group’s developers by day and model, as they are written; a developer who changed group has their history re-filed', async () => {
    await sql`INSERT INTO billing_groups (group_id, name) VALUES ('g1', 'One'), ('g2', 'Two')`.execute(t.db);
    await sql`INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'a@x.io'), ('g1', 'b@x.io'), ('g2', 'c@x.io')`.execute(
      t.db,
    );
    await sql`INSERT INTO user_daily_rollup (user_email, day, events, charged_cents, input_tokens)
              VALUES ('a@x.io', '2026-11-01', 3, 10.5, 100), ('b@x.io', '2026-11-01', 2, 1.25, 50),
                     ('c@x.io', '2026-11-01', 7, 4, 1), ('a@x.io', '2026-11-02', 1, 2, 0),
                     ('nobody@x.io', '2026-11-01', 9, 99, 9)`.execute(t.db);
    await sql`INSERT INTO user_model_daily_rollup (user_email, day, model, events, charged_cents)
              VALUES ('a@x.io', '2026-11-01', 'gpt-5', 2, 10), ('a@x.io', '2026-11-01', 'auto', 1, 0.5),
                     ('b@x.io', '2026-11-01', 'gpt-5', 2, 1.25), ('c@x.io', '2026-11-01', 'auto', 7, 4)`.execute(t.db);
    let rows = await groupRows(t);
    expect(rows.stored.map((r) => [r.group_id, r.day, r.developers, r.events, r.charged_cents])).toEqual([
      ['g1', '2026-11-01', '2', '5', '11.750000'],
      ['g1', '2026-11-02', '1', '1', '2.000000'],
      ['g2', '2026-11-01', '1', '7', '4.000000'],
    ]);
    // The team's developers per day count everyone with usage, in a group or not.
    const team = await sql<{ day: string; developers: string }>`
      SELECT day::text, developers::text FROM team_daily_developers ORDER BY 1`.execute(t.db);
    expect(team.rows).toEqual([
      { day: '2026-11-01', developers: '4' },
      { day: '2026-11-02', developers: '1' },
    ]);
    expect(rows.storedModel.map((r) => [r.group_id, r.model, r.charged_cents])).toEqual([
      ['g1', 'auto', '0.500000'],
      ['g1', 'gpt-5', '11.250000'],
      ['g2', 'auto', '4.000000'],
    ]);

    // a@x.io moves to g2: the panels filter by today's membership, so their whole history follows them.
    await sql`UPDATE billing_group_members SET group_id = 'g2' WHERE email = 'a@x.io'`.execute(t.db);
    rows = await groupRows(t);
    expect(rows.stored).toEqual(rows.summed);
    expect(rows.storedModel).toEqual(rows.summedModel);
    expect(rows.stored.find((r) => r.group_id === 'g2' && r.day === '2026-11-01')?.developers).toBe('2');
  });

  it('hold the current cycle’s chargeback per developer and the group of each day, and per group and model', async () => {
    await sql`INSERT INTO billing_groups (group_id, name) VALUES ('g1', 'One'), ('g2', 'Two')`.execute(t.db);
    await sql`INSERT INTO member_spend (email, cycle_start, spend_cents, overall_spend_cents)
              VALUES ('a@x.io', '2026-11-01T00:00:00Z', 0, 0), ('a@x.io', '2026-10-01T00:00:00Z', 0, 0)`.execute(t.db);
    // The spend reports a new cycle: the collector's end of a pass moves the chargeback tables onto it; from there
    // the triggers keep them (sql/021).
    expect((await followChargebackCycle(t.db)).rebuilt).toBe(true);
    expect((await followChargebackCycle(t.db)).rebuilt).toBe(false);
    // a@x.io is in g1, then moves to g2 on Nov 3; b@x.io's group g9 was deleted since; c@x.io has no known group.
    await sql`INSERT INTO member_group_days (email, day, group_id)
              VALUES ('a@x.io', '2026-10-31', 'g2'), ('a@x.io', '2026-11-01', 'g1'), ('a@x.io', '2026-11-02', 'g1'),
                     ('a@x.io', '2026-11-03', 'g2'), ('b@x.io', '2026-11-01', 'g9')`.execute(t.db);
    await sql`INSERT INTO user_kind_daily_rollup (user_email, day, kind, events, charged_cents, requests_costs)
              VALUES ('a@x.io', '2026-10-31', 'Usage-based', 5, 50, 1), -- the previous cycle: not in the views
                     ('a@x.io', '2026-11-01', 'Usage-based', 2, 20, 1), ('a@x.io', '2026-11-01', 'Included in Business', 3, 3, 1),
                     ('a@x.io', '2026-11-02', 'Included in Business', 1, 1.5, 1), ('a@x.io', '2026-11-03', 'usage-based', 4, 8, 1),
                     ('b@x.io', '2026-11-01', 'Included in Business', 1, 0.25, 1), ('c@x.io', '2026-11-02', 'Errored, Not Charged', 1, 0, 0)`.execute(
      t.db,
    );
    await sql`INSERT INTO user_model_daily_rollup (user_email, day, model, events, charged_cents)
              VALUES ('a@x.io', '2026-10-31', 'gpt-5', 5, 50), ('a@x.io', '2026-11-01', 'gpt-5', 5, 23),
                     ('a@x.io', '2026-11-03', 'auto', 4, 8), ('b@x.io', '2026-11-01', 'auto', 1, 0.25)`.execute(t.db);
    const rows = await chargebackRows(t);
    expect(
      rows.stored.map((r) => [
        r.cycle_start,
        r.user_email,
        r.group_name,
        r.charged_cents,
        r.usage_based_cents,
        r.included_cents,
        r.requests,
      ]),
    ).toEqual([
      ['2026-11-01', 'a@x.io', 'One', '24.500000', '20.000000', '4.500000', '6'],
      ['2026-11-01', 'a@x.io', 'Two', '8.000000', '8.000000', '0', '4'],
      ['2026-11-01', 'b@x.io', 'Unassigned', '0.250000', '0', '0.250000', '1'],
      ['2026-11-01', 'c@x.io', 'Unassigned', '0.000000', '0', '0.000000', '1'],
    ]);
    expect(rows.stored).toEqual(rows.summed);
    expect(rows.storedModel.map((r) => [r.group_id, r.model, r.charged_cents])).toEqual([
      ['g1', 'gpt-5', '23.000000'],
      ['g2', 'auto', '8.000000'],
      [null, 'auto', '0.250000'],
    ]);
    expect(rows.storedModel).toEqual(rows.summedModel);
  });

  it('a collection pass leaves them equal to the per-developer rollups summed by group', async () => {
    // The current cycle began yesterday: the two collected days hold some of it.
    const sim = await startTestSimulator({
      teamSize: 20,
      nowMs: TEST_NOW,
      cycleDayOfMonth: cycleDayStartedBefore(TEST_NOW, 1),
    });
    try {
      const now = new Date(sim.nowMs);
      const config = { BACKFILL_DAYS: 2, RESTATE_DAYS: 1 };
      const s = await collectOnce(
        { db: t.db, client: testClient(sim.server.url), log: silentLog, config },
        { trigger: 'test', now },
      );
      expect(s.errors).toEqual([]);
      const rows = await groupRows(t);
      expect(rows.summed.length).toBeGreaterThan(0); // the simulated team has grouped developers with usage
      expect(rows.stored).toEqual(rows.summed);
      expect(rows.storedModel).toEqual(rows.summedModel);
      // Each developer's spend per month (kept by triggers, sql/019), and each month's stored days.
      const monthly = await sql<Record<string, string>>`
        SELECT month::text, user_email, charged_cents::text FROM user_monthly_rollup
        EXCEPT ALL
        SELECT date_trunc('month', day)::date::text, user_email, sum(charged_cents)::text
        FROM user_daily_rollup GROUP BY 1, 2`.execute(t.db);
      expect(monthly.rows).toEqual([]);
      const months = await sql<Record<string, string>>`
        SELECT month::text, first_day::text, last_day::text FROM rollup_months ORDER BY 1`.execute(t.db);
      const fromDaily = await sql<Record<string, string>>`
        SELECT date_trunc('month', day)::date::text AS month, min(day)::text AS first_day, max(day)::text AS last_day
        FROM user_daily_rollup GROUP BY 1 ORDER BY 1`.execute(t.db);
      expect(months.rows.length).toBeGreaterThan(0);
      expect(months.rows).toEqual(fromDaily.rows);
      expect(
        Number((await sql<{ n: string }>`SELECT count(*) AS n FROM user_monthly_rollup`.execute(t.db)).rows[0].n),
      ).toBe(
        Number(
          (
            await sql<{
              n: string;
            }>`SELECT count(DISTINCT (user_email, date_trunc('month', day))) AS n FROM user_daily_rollup`.execute(t.db)
          ).rows[0].n,
        ),
      );
      const chargeback = await chargebackRows(t);
      expect(chargeback.summed.length).toBeGreaterThan(0);
      expect(chargeback.stored).toEqual(chargeback.summed);
      expect(chargeback.storedModel).toEqual(chargeback.summedModel);
    } finally {
      await sim.server.close();
    }
  });
});
