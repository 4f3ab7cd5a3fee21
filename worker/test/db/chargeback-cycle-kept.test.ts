import { sql } from 'kysely';
import { followChargebackCycle } from '../../src/collector/chargeback-cycle';
import { migrateToLatest } from '../../src/db/migrate';
import type { Db } from '../../src/db/database';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { waitsWhileHeld } from '../support/lock-waits';
import { migrateBefore } from '../support/migrate-before';

// sql/021_chargeback_cycle_kept.sql: the current cycle's chargeback per developer and group, and per group and model,
// is kept by triggers on the kind and model rollups, member_group_days and billing_groups, for the cycle stored in
// chargeback_cycle; after any statement on those it must equal what sql/016's views computed for that cycle: each
// developer-day of the cycle in the group the developer was in that day (no group, or a deleted one: Unassigned).

/** Rows of the two tables that differ from sql/016's view queries run for the stored cycle (both ways). */
async function chargebackOff(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`
    WITH c AS (SELECT start, (start + interval '1 month')::date AS stop FROM chargeback_cycle),
    developers AS (
      SELECT k.user_email, g.group_id, coalesce(g.name, 'Unassigned') AS group_name, count(*) AS source_rows,
             sum(k.charged_cents) AS charged_cents,
             coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) LIKE 'usage%'), 0) AS usage_based_cents,
             coalesce(sum(k.charged_cents) FILTER (WHERE lower(k.kind) NOT LIKE 'usage%'), 0) AS included_cents,
             sum(k.events) AS requests
      FROM user_kind_daily_rollup k
      LEFT JOIN member_group_days m ON m.email = k.user_email AND m.day = k.day
      LEFT JOIN billing_groups g ON g.group_id = m.group_id
      WHERE k.day >= (SELECT start FROM c) AND k.day < (SELECT stop FROM c)
      GROUP BY k.user_email, g.group_id, g.name
    ),
    models AS (
      SELECT g.group_id, r.model, count(*) AS source_rows, sum(r.charged_cents) AS charged_cents
      FROM user_model_daily_rollup r
      LEFT JOIN member_group_days m ON m.email = r.user_email AND m.day = r.day
      LEFT JOIN billing_groups g ON g.group_id = m.group_id
      WHERE r.day >= (SELECT start FROM c) AND r.day < (SELECT stop FROM c)
      GROUP BY g.group_id, r.model
    )
    SELECT
      (SELECT count(*) FROM developers e
       FULL JOIN chargeback_cycle_developers t ON t.user_email = e.user_email AND t.group_id IS NOT DISTINCT FROM e.group_id
       WHERE (e.group_name, e.source_rows, e.charged_cents, e.usage_based_cents, e.included_cents, e.requests)
             IS DISTINCT FROM (t.group_name, t.source_rows, t.charged_cents, t.usage_based_cents, t.included_cents, t.requests)
          OR t.cycle_start <> (SELECT start FROM c))::int
    + (SELECT count(*) FROM models e
       FULL JOIN chargeback_cycle_group_models t ON t.model = e.model AND t.group_id IS NOT DISTINCT FROM e.group_id
       WHERE (e.source_rows, e.charged_cents) IS DISTINCT FROM (t.source_rows, t.charged_cents)
          OR t.cycle_start <> (SELECT start FROM c))::int AS n`.execute(db);
  return r.rows[0].n;
}

/** chargeback_cycle_developers as "developer group dollars", the cycle's start first. */
const developers = async (db: Db) =>
  (
    await sql<{ row: string }>`
      SELECT concat_ws(' ', cycle_start, user_email, group_name, charged_cents::float8) AS row
      FROM chargeback_cycle_developers ORDER BY user_email, group_name`.execute(db)
  ).rows.map((r) => r.row);

type KindRow = [email: string, day: string, kind: string, events: number, cents: number];

/** Kind rows upserted as the collector's flush does, and their spend per model (one model per kind here). */
async function upsert(db: Db, rows: KindRow[]): Promise<void> {
  const col = (i: number) => rows.map((r) => r[i]);
  await sql`
    INSERT INTO user_kind_daily_rollup AS r (user_email, day, kind, events, charged_cents)
    SELECT * FROM unnest(${col(0)}::text[], ${col(1)}::date[], ${col(2)}::text[], ${col(3)}::int[], ${col(4)}::numeric[])
    ON CONFLICT (user_email, day, kind) DO UPDATE
      SET events = r.events + excluded.events, charged_cents = r.charged_cents + excluded.charged_cents`.execute(db);
  await sql`
    INSERT INTO user_model_daily_rollup AS r (user_email, day, model, events, charged_cents)
    SELECT * FROM unnest(${col(0)}::text[], ${col(1)}::date[], ${rows.map((r) => `model-${r[2]}`)}::text[],
                         ${col(3)}::int[], ${col(4)}::numeric[])
    ON CONFLICT (user_email, day, model) DO UPDATE
      SET events = r.events + excluded.events, charged_cents = r.charged_cents + excluded.charged_cents`.execute(db);
}

const run = (db: Db, statement: string) => sql.raw(statement).execute(db);

/** The collector's billing-group upsert (storeBillingGroups): every group written again each pass. */
const storeGroups = (db: Db, groups: [id: string, name: string][]) =>
  sql`INSERT INTO billing_groups (group_id, name)
      SELECT * FROM unnest(${groups.map((g) => g[0])}::text[], ${groups.map((g) => g[1])}::text[])
      ON CONFLICT (group_id) DO UPDATE SET name = excluded.name`.execute(db);

describe('the current cycle’s chargeback kept by triggers (sql/021)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('chargebackkept');
    await run(
      t.db,
      `INSERT INTO member_spend (email, cycle_start, spend_cents, overall_spend_cents)
                     VALUES ('a@x.io', '2026-11-01T00:00:00Z', 0, 0), ('a@x.io', '2026-10-01T00:00:00Z', 0, 0)`,
    );
    expect((await followChargebackCycle(t.db)).rebuilt).toBe(true);
    await storeGroups(t.db, [
      ['g1', 'One'],
      ['g2', 'Two'],
    ]);
  });
  afterEach(async () => dropTestDb(t));

  it('follows the flush, the days filed in groups, groups created, renamed and deleted, deletes and truncates', async () => {
    // a@x.io in g1 on Nov 1-2; b@x.io's days in g9, a group Cursor does not list; c@x.io in none.
    await run(
      t.db,
      `INSERT INTO member_group_days (email, day, group_id)
                     VALUES ('a@x.io', '2026-11-01', 'g1'), ('a@x.io', '2026-11-02', 'g1'), ('b@x.io', '2026-11-01', 'g9')`,
    );
    await upsert(t.db, [
      ['a@x.io', '2026-10-31', 'Usage-based', 5, 50], // the previous cycle: not counted
      ['a@x.io', '2026-11-01', 'Usage-based', 2, 20],
      ['a@x.io', '2026-11-01', 'Included in Business', 3, 3],
      ['a@x.io', '2026-11-02', 'Included in Business', 1, 1.5],
      ['b@x.io', '2026-11-01', 'Included in Business', 1, 0.25],
      ['c@x.io', '2026-11-02', 'Errored, Not Charged', 1, 0],
    ]);
    expect(await developers(t.db)).toEqual([
      '2026-11-01 a@x.io One 24.5',
      '2026-11-01 b@x.io Unassigned 0.25',
      '2026-11-01 c@x.io Unassigned 0',
    ]);
    expect(await chargebackOff(t.db)).toBe(0);

    const steps: [string, () => Promise<unknown>][] = [
      ['the hourly flush adds to a day', () => upsert(t.db, [['a@x.io', '2026-11-02', 'Usage-based', 4, 8]])],
      [
        'a day filed for the first time',
        () => run(t.db, `INSERT INTO member_group_days (email, day, group_id) VALUES ('c@x.io', '2026-11-02', 'g2')`),
      ],
      [
        'a day filed in another group',
        () => run(t.db, `UPDATE member_group_days SET group_id = 'g2' WHERE email = 'a@x.io' AND day = '2026-11-02'`),
      ],
      [
        'a filed day deleted',
        () => run(t.db, `DELETE FROM member_group_days WHERE email = 'a@x.io' AND day = '2026-11-01'`),
      ],
      ['the unknown group appears', () => storeGroups(t.db, [['g9', 'Nine']])],
      [
        'every group written again, one renamed',
        () =>
          storeGroups(t.db, [
            ['g1', 'One'],
            ['g2', 'Deux'],
            ['g9', 'Nine'],
          ]),
      ],
      [
        'the renamed group holds days',
        async () =>
          expect(await developers(t.db)).toEqual([
            '2026-11-01 a@x.io Deux 9.5',
            '2026-11-01 a@x.io Unassigned 23',
            '2026-11-01 b@x.io Nine 0.25',
            '2026-11-01 c@x.io Deux 0',
          ]),
      ],
      ['a group deleted', () => run(t.db, `DELETE FROM billing_groups WHERE group_id = 'g2'`)],
      [
        'a day moved out of the cycle',
        () =>
          run(
            t.db,
            `UPDATE user_kind_daily_rollup SET day = '2026-10-30' WHERE day = '2026-11-02' AND kind = 'Usage-based'`,
          ),
      ],
      ['rows deleted', () => run(t.db, `DELETE FROM user_model_daily_rollup WHERE user_email = 'b@x.io'`)],
    ];
    for (const [what, step] of steps) {
      await step();
      expect([what, await chargebackOff(t.db)]).toEqual([what, 0]);
    }
    expect(await developers(t.db)).toEqual([
      '2026-11-01 a@x.io Unassigned 24.5',
      '2026-11-01 b@x.io Nine 0.25',
      '2026-11-01 c@x.io Unassigned 0',
    ]);

    await run(t.db, 'TRUNCATE member_group_days');
    expect(await chargebackOff(t.db)).toBe(0);
    await run(t.db, 'TRUNCATE user_kind_daily_rollup, user_model_daily_rollup');
    expect(await chargebackOff(t.db)).toBe(0);
    expect(await developers(t.db)).toEqual([]);
  });

  it('moves to a new cycle when the collector finds one, and is kept from there', async () => {
    await upsert(t.db, [
      ['a@x.io', '2026-11-20', 'Usage-based', 1, 10],
      ['a@x.io', '2026-12-01', 'Usage-based', 1, 7],
    ]);
    expect(await developers(t.db)).toEqual(['2026-11-01 a@x.io Unassigned 10']);
    // Cursor reports the next cycle: the tables hold November until the end of the pass.
    await run(
      t.db,
      `INSERT INTO member_spend (email, cycle_start, spend_cents, overall_spend_cents)
                     VALUES ('a@x.io', '2026-12-01T00:00:00Z', 0, 0)`,
    );
    expect(await developers(t.db)).toEqual(['2026-11-01 a@x.io Unassigned 10']);
    expect((await followChargebackCycle(t.db)).rebuilt).toBe(true);
    expect(await developers(t.db)).toEqual(['2026-12-01 a@x.io Unassigned 7']);
    await upsert(t.db, [['a@x.io', '2026-12-02', 'Included', 1, 1]]);
    await run(t.db, `INSERT INTO member_group_days (email, day, group_id) VALUES ('a@x.io', '2026-12-02', 'g1')`);
    expect(await chargebackOff(t.db)).toBe(0);
    expect(await developers(t.db)).toEqual(['2026-12-01 a@x.io One 1', '2026-12-01 a@x.io Unassigned 7']);
  });

  it.each([
    ['a flush held open, then a day filed in another group', 'flush first'],
    ['a day filed in another group held open, then a flush', 'filing first'],
  ])('stays exact with %s in another transaction', async (_, order) => {
    await run(t.db, `INSERT INTO member_group_days (email, day, group_id) VALUES ('a@x.io', '2026-11-05', 'g1')`);
    await upsert(t.db, [['a@x.io', '2026-11-05', 'Usage-based', 1, 1]]);
    const flush = (db: Db) => upsert(db, [['a@x.io', '2026-11-05', 'Usage-based', 2, 5]]);
    const file = (db: Db) => run(db, `UPDATE member_group_days SET group_id = 'g2' WHERE email = 'a@x.io'`);
    const [held, then] = order === 'flush first' ? [flush, file] : [file, flush];

    const waiting = await waitsWhileHeld(t.db, held, then);
    expect(waiting).toHaveLength(1); // the second one's trigger waited for the first transaction
    expect(await chargebackOff(t.db)).toBe(0);
    expect(await developers(t.db)).toEqual(['2026-11-01 a@x.io Two 6']);
  });
});

describe('migration 021 on a database that holds a cycle of spend', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('mig021', { migrated: false });
  });
  afterAll(async () => {
    await dropTestDb(t);
  });

  it('fills the tables for the current cycle, as the views held it', async () => {
    await migrateBefore(t.db, '021');
    await run(
      t.db,
      `INSERT INTO member_spend (email, cycle_start, spend_cents, overall_spend_cents)
                     VALUES ('a@x.io', '2026-11-01T00:00:00Z', 0, 0)`,
    );
    await storeGroups(t.db, [['g1', 'One']]);
    await run(t.db, `INSERT INTO member_group_days (email, day, group_id) VALUES ('a@x.io', '2026-11-03', 'g1')`);
    await upsert(t.db, [
      ['a@x.io', '2026-11-03', 'Usage-based', 2, 30],
      ['a@x.io', '2026-11-04', 'Included', 1, 2],
      ['b@x.io', '2026-10-30', 'Included', 1, 1],
    ]);
    await run(t.db, 'REFRESH MATERIALIZED VIEW chargeback_cycle_developers');
    await run(t.db, 'REFRESH MATERIALIZED VIEW chargeback_cycle_group_models');
    const viewed = await developers(t.db);

    expect(await migrateToLatest(t.db)).toContain('021_chargeback_cycle_kept');
    expect(await developers(t.db)).toEqual(viewed);
    expect(viewed).toEqual(['2026-11-01 a@x.io One 30', '2026-11-01 a@x.io Unassigned 2']);
    expect(await chargebackOff(t.db)).toBe(0);
    await upsert(t.db, [['a@x.io', '2026-11-04', 'Included', 1, 3]]);
    expect(await chargebackOff(t.db)).toBe(0);
    const grants = await sql<{ ok: boolean }>`
      SELECT bool_and(has_table_privilege('grafana_reader', t, 'SELECT')) AS ok
      FROM unnest(ARRAY['chargeback_cycle_developers', 'chargeback_cycle_group_models']) t`.execute(t.db);
    expect(grants.rows[0].ok).toBe(true);
  });
});
