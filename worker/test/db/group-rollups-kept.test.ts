import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate';
import type { Db } from '../../src/db/database';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { waitsWhileHeld } from '../support/lock-waits';
import { migrateBefore } from '../support/migrate-before';

// sql/020_group_rollups_kept.sql: the per-group rollups and the team's developers per day are kept by triggers on the
// per-developer rollups and on billing_group_members, so after any statement on those they must equal what sql/015's
// views computed: the per-developer rows summed by the groups each developer is listed in now.

/** Rows of the three tables that differ from the per-developer rollups summed as sql/015's views summed them. */
async function groupOff(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT
      (SELECT count(*)
       FROM (SELECT bm.group_id, r.day, count(*) AS developers, sum(r.events) AS events,
                    sum(r.charged_cents) AS charged_cents, sum(r.input_tokens) AS input_tokens,
                    sum(r.output_tokens) AS output_tokens, sum(r.cache_write_tokens) AS cache_write_tokens,
                    sum(r.cache_read_tokens) AS cache_read_tokens
             FROM user_daily_rollup r JOIN billing_group_members bm ON bm.email = r.user_email
             GROUP BY 1, 2) v
       FULL JOIN group_daily_rollup g USING (group_id, day)
       WHERE (v.developers, v.events, v.charged_cents, v.input_tokens, v.output_tokens, v.cache_write_tokens,
              v.cache_read_tokens)
         IS DISTINCT FROM (g.developers, g.events, g.charged_cents, g.input_tokens, g.output_tokens,
                           g.cache_write_tokens, g.cache_read_tokens))::int
    + (SELECT count(*)
       FROM (SELECT bm.group_id, r.day, r.model, count(*) AS developers, sum(r.events) AS events,
                    sum(r.charged_cents) AS charged_cents
             FROM user_model_daily_rollup r JOIN billing_group_members bm ON bm.email = r.user_email
             GROUP BY 1, 2, 3) v
       FULL JOIN group_model_daily_rollup g USING (group_id, day, model)
       WHERE (v.developers, v.events, v.charged_cents) IS DISTINCT FROM (g.developers, g.events, g.charged_cents))::int
    + (SELECT count(*)
       FROM (SELECT day, count(*) AS developers FROM user_daily_rollup GROUP BY 1) v
       FULL JOIN team_daily_developers g USING (day)
       WHERE v.developers IS DISTINCT FROM g.developers)::int AS n`.execute(db);
  return r.rows[0].n;
}

/** group_daily_rollup as "group day developers events cents". */
const groupDays = async (db: Db) =>
  (
    await sql<{ row: string }>`
      SELECT concat_ws(' ', group_id, day, developers, events, charged_cents::float8) AS row
      FROM group_daily_rollup ORDER BY group_id, day`.execute(db)
  ).rows.map((r) => r.row);

type DailyRow = [email: string, day: string, model: string, events: number, cents: number];

/** Daily rows upserted as the collector's flush does, per model and summed per developer and day. */
async function upsert(db: Db, rows: DailyRow[]): Promise<void> {
  const col = <T>(i: number) => rows.map((r) => r[i] as T);
  await sql`
    INSERT INTO user_model_daily_rollup AS r (user_email, day, model, events, charged_cents)
    SELECT * FROM unnest(${col(0)}::text[], ${col(1)}::date[], ${col(2)}::text[], ${col(3)}::int[], ${col(4)}::numeric[])
    ON CONFLICT (user_email, day, model) DO UPDATE
      SET events = r.events + excluded.events, charged_cents = r.charged_cents + excluded.charged_cents`.execute(db);
  await sql`
    INSERT INTO user_daily_rollup AS r (user_email, day, events, charged_cents, input_tokens)
    SELECT e, d, sum(n), sum(c), sum(n) * 100
    FROM unnest(${col(0)}::text[], ${col(1)}::date[], ${col(3)}::int[], ${col(4)}::numeric[]) u (e, d, n, c)
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (user_email, day) DO UPDATE
      SET events = r.events + excluded.events, charged_cents = r.charged_cents + excluded.charged_cents,
          input_tokens = r.input_tokens + excluded.input_tokens`.execute(db);
}

const run = (db: Db, statement: string) => sql.raw(statement).execute(db);

describe('the per-group rollups kept by triggers (sql/020)', () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb('groupkept');
    await run(t.db, `INSERT INTO billing_groups (group_id, name) VALUES ('g1', 'One'), ('g2', 'Two'), ('g3', 'Three')`);
  });
  afterEach(async () => dropTestDb(t));

  it('follow upserts, membership changes, deletes and truncates of what they sum', async () => {
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'a@x.io'), ('g1', 'b@x.io')`);
    await upsert(t.db, [
      ['a@x.io', '2026-11-01', 'gpt-5', 3, 10],
      ['a@x.io', '2026-11-01', 'auto', 1, 0.5],
      ['b@x.io', '2026-11-01', 'gpt-5', 2, 1.25],
      ['c@x.io', '2026-11-01', 'auto', 7, 4], // in no group yet
      ['a@x.io', '2026-11-02', 'gpt-5', 1, 2],
    ]);
    expect(await groupDays(t.db)).toEqual(['g1 2026-11-01 2 6 11.75', 'g1 2026-11-02 1 1 2']);
    expect(await groupOff(t.db)).toBe(0);

    // The flush's upsert adds to today's rows (the UPDATE path) and adds a day.
    await upsert(t.db, [
      ['a@x.io', '2026-11-02', 'gpt-5', 4, 8],
      ['b@x.io', '2026-11-03', 'auto', 1, 0],
    ]);
    expect(await groupDays(t.db)).toEqual([
      'g1 2026-11-01 2 6 11.75',
      'g1 2026-11-02 1 5 10',
      'g1 2026-11-03 1 1 0', // a day at $0 still counts its developer
    ]);
    expect(await groupOff(t.db)).toBe(0);

    // c@x.io is listed in g2: their history is filed there. a@x.io moves to g2: theirs follows them.
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g2', 'c@x.io')`);
    await run(t.db, `UPDATE billing_group_members SET group_id = 'g2' WHERE email = 'a@x.io'`);
    expect(await groupDays(t.db)).toEqual([
      'g1 2026-11-01 1 2 1.25',
      'g1 2026-11-03 1 1 0',
      'g2 2026-11-01 2 11 14.5',
      'g2 2026-11-02 1 5 10',
    ]);
    expect(await groupOff(t.db)).toBe(0);

    // A developer in two groups counts in both, as the views counted them.
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g3', 'a@x.io')`);
    expect(await groupOff(t.db)).toBe(0);
    // A group deleted: its members' rows go by the foreign key's cascade, and its rollup rows with them.
    await run(t.db, `DELETE FROM billing_groups WHERE group_id = 'g2'`);
    expect((await groupDays(t.db)).filter((r) => r.startsWith('g2'))).toEqual([]);
    expect(await groupOff(t.db)).toBe(0);
    // Rows changed by hand: a day moved, a developer's rows deleted.
    await run(
      t.db,
      `UPDATE user_daily_rollup SET day = '2026-11-05' WHERE user_email = 'a@x.io' AND day = '2026-11-02'`,
    );
    await run(t.db, `UPDATE user_model_daily_rollup SET model = 'o3' WHERE model = 'auto'`);
    await run(t.db, `DELETE FROM user_daily_rollup WHERE user_email = 'b@x.io'`);
    await run(t.db, `DELETE FROM user_model_daily_rollup WHERE user_email = 'b@x.io'`);
    expect(await groupOff(t.db)).toBe(0);
    expect(await groupDays(t.db)).toEqual(['g3 2026-11-01 1 4 10.5', 'g3 2026-11-05 1 5 10']);

    await run(t.db, 'TRUNCATE billing_group_members');
    expect(await groupDays(t.db)).toEqual([]);
    expect(await groupOff(t.db)).toBe(0);
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'a@x.io'), ('g1', 'c@x.io')`);
    expect(await groupOff(t.db)).toBe(0);
    await run(t.db, 'TRUNCATE user_daily_rollup, user_model_daily_rollup');
    expect(await groupOff(t.db)).toBe(0);
    const left = await sql<{ n: number }>`
      SELECT (SELECT count(*) FROM group_daily_rollup) + (SELECT count(*) FROM group_model_daily_rollup)
           + (SELECT count(*) FROM team_daily_developers) AS n`.execute(t.db);
    expect(Number(left.rows[0].n)).toBe(0);
  });

  it.each([
    ['a flush held open, then a membership change', 'flush first'],
    ['a membership change held open, then a flush', 'move first'],
  ])('stay exact with %s in another transaction', async (_, order) => {
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'a@x.io')`);
    await upsert(t.db, [['a@x.io', '2026-11-01', 'gpt-5', 1, 1]]);
    const flush = (db: Db) => upsert(db, [['a@x.io', '2026-11-02', 'gpt-5', 2, 5]]);
    const move = (db: Db) => run(db, `UPDATE billing_group_members SET group_id = 'g2' WHERE email = 'a@x.io'`);
    const [held, then] = order === 'flush first' ? [flush, move] : [move, flush];

    const waiting = await waitsWhileHeld(t.db, held, then);
    expect(waiting).toHaveLength(1);

    expect(await groupOff(t.db)).toBe(0);
    expect(await groupDays(t.db)).toEqual(['g2 2026-11-01 1 1 1', 'g2 2026-11-02 1 2 5']);
  });

  it('hold up no flush for a transaction left open after a statement that changed nothing', async () => {
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'a@x.io')`);
    const idle = (db: Db) => run(db, `UPDATE billing_group_members SET group_id = group_id WHERE false`);
    const flush = (db: Db) => upsert(db, [['a@x.io', '2026-11-02', 'gpt-5', 2, 5]]);
    expect(await waitsWhileHeld(t.db, idle, flush)).toEqual([]);
    expect(await groupDays(t.db)).toEqual(['g1 2026-11-02 1 2 5']);
  });

  it('refuse a write in REPEATABLE READ, whose snapshot would miss other transactions’ rows, and say why', async () => {
    const write = t.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((tx) => run(tx, `INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'a@x.io')`));
    await expect(write).rejects.toThrow(/only in READ COMMITTED transactions, and this one is repeatable read/);
    expect(await groupOff(t.db)).toBe(0);
  });
});

describe('migration 020 on a database that holds rollups and memberships', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb('mig020', { migrated: false });
  });
  afterAll(async () => {
    await dropTestDb(t);
  });

  it('fills the tables from the rows stored before it, as the views held them', async () => {
    await migrateBefore(t.db, '020');
    await run(t.db, `INSERT INTO billing_groups (group_id, name) VALUES ('g1', 'One')`);
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'a@x.io')`);
    await upsert(t.db, [
      ['a@x.io', '2026-10-01', 'gpt-5', 3, 30],
      ['b@x.io', '2026-10-01', 'auto', 1, 1],
    ]);
    await run(t.db, 'REFRESH MATERIALIZED VIEW group_daily_rollup');
    const viewed = await groupDays(t.db);

    expect(await migrateToLatest(t.db)).toContain('020_group_rollups_kept');
    expect(await groupDays(t.db)).toEqual(viewed);
    expect(viewed).toEqual(['g1 2026-10-01 1 3 30']);
    expect(await groupOff(t.db)).toBe(0);
    // And the triggers keep them from there.
    await upsert(t.db, [['a@x.io', '2026-10-02', 'gpt-5', 1, 5]]);
    await run(t.db, `INSERT INTO billing_group_members (group_id, email) VALUES ('g1', 'b@x.io')`);
    expect(await groupOff(t.db)).toBe(0);
    const grants = await sql<{ ok: boolean }>`
      SELECT bool_and(has_table_privilege('grafana_reader', t, 'SELECT')) AS ok
      FROM unnest(ARRAY['group_daily_rollup', 'group_model_daily_rollup', 'team_daily_developers']) t`.execute(t.db);
    expect(grants.rows[0].ok).toBe(true);
  });
});
