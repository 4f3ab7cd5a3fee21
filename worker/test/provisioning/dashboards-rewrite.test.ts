import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { loadDashboards, panelQueries, type Dashboard, type PanelQuery } from '../../tools/grafana-sql/dashboards';
import { loadDashboardFixture } from '../../tools/grafana-sql/fixture';
import { resolveVariables, runPanelQuery } from '../../tools/grafana-sql/run-panel';
import type { TimeRange } from '../../tools/grafana-sql/grafana-sql';
import { quietPool } from '../support/quiet-pool';

// Issue #13 rewrote overview panels for speed (bench:dashboards): first the chargeback panels, then the group branch
// of the daily panels onto the per-group rollups (sql/015), then the chargeback panels onto the current cycle's
// chargeback views (sql/016). Their SQL before each rewrite is kept in support/overview-panels-before-13.json, -15.json
// and -16.json; on the dashboard fixture both must return exactly the same rows, for every range and billing-group
// selection a manager can make.
// A panel rewritten twice is compared with both of its earlier versions.
const CASES: [file: string, title: string, sql: string][] = [
  'overview-panels-before-13.json',
  'overview-panels-before-15.json',
  'overview-panels-before-16.json',
].flatMap((file) =>
  Object.entries(
    JSON.parse(fs.readFileSync(path.join(__dirname, 'support', file), 'utf8')) as Record<string, string>,
  ).map(([title, sql]): [string, string, string] => [file, title, sql]),
);
const TITLES = [...new Set(CASES.map(([, title]) => title))];
const overview = loadDashboards().find((f) => f.dashboard.uid === 'cursor-overview')!.dashboard as Dashboard;
const now = new Date('2026-11-18T15:30:00Z'); // pinned: the fixture, the ranges and SQL's now()
// 90 days: whole calendar months in the range (Aug 20 - Nov 18: September, October and November's stored days), which
// the rankings take from the monthly rollup (sql/016); 30 days: November's.
const RANGES = [86_400_000, 7 * 86_400_000, 30 * 86_400_000, 90 * 86_400_000];
const SELECTIONS: (string[] | undefined)[] = [undefined, ['grp_web'], ['grp_web', 'grp_data'], ['grp_mobile']];

let t: TestDb;
let reader: pg.Pool;

/** A database with the dashboard fixture, the clock pinned to `now`, and a pool logged in as grafana_reader. */
async function openFixture(
  name: string,
  fixture: { users: number; days: number; seed: number; eventsPerUserDay?: number },
) {
  const db = await createTestDb(name);
  const client = await db.pool.connect();
  try {
    await loadDashboardFixture(client, { ...fixture, now });
  } finally {
    client.release();
  }
  // SQL's now() resolves to pinned_clock.now() ahead of pg_catalog's (docs, "The Schema Search Path").
  await db.pool.query('CREATE SCHEMA pinned_clock');
  await db.pool.query(
    `CREATE FUNCTION pinned_clock.now() RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$ SELECT '${now.toISOString()}'::timestamptz $$`,
  );
  await db.pool.query('GRANT USAGE ON SCHEMA pinned_clock TO grafana_reader');
  await db.pool.query(`ALTER ROLE grafana_reader LOGIN PASSWORD 'grafana-test-password'`);
  const url = new URL(db.url);
  url.username = 'grafana_reader';
  url.password = 'grafana-test-password';
  const pool = quietPool({
    connectionString: url.toString(),
    max: 2,
    options: '-c search_path=public,pinned_clock,pg_catalog',
  });
  return { db, reader: pool };
}

beforeAll(async () => {
  ({ db: t, reader } = await openFixture('rewrite', { users: 60, days: 100, seed: 11 }));
}, 180_000);

afterAll(async () => {
  await reader?.end();
  if (t) await dropTestDb(t);
});

describe('overview panels rewritten for speed (issue #13)', () => {
  const rewritten = panelQueries(overview).filter((q) => q.panel && TITLES.includes(q.panel.title));

  it('covers every panel whose SQL changed, and each did change', () => {
    expect(rewritten.map((q) => q.panel!.title).sort()).toEqual([...TITLES].sort());
    for (const [, title, sql] of CASES)
      expect(rewritten.find((q) => q.panel!.title === title)!.target.rawSql).not.toBe(sql);
  });

  it('the chargeback views hold the fixture’s current cycle, so the rewritten panels read them', async () => {
    const { rows } = await t.pool.query<{ cycle: string; n: number }>(
      `SELECT cycle_start::text AS cycle, count(*)::int AS n FROM chargeback_cycle_developers GROUP BY 1`,
    );
    expect(rows).toEqual([{ cycle: '2026-11-01', n: expect.any(Number) }]);
    expect(rows[0].n).toBeGreaterThan(40);
  });

  it('the 90-day range holds whole stored months, so the rankings read the monthly rollup for them', async () => {
    const { rows } = await t.pool.query<{ month: string }>(
      `SELECT month::text FROM rollup_months WHERE first_day >= $1::date AND last_day <= $2::date ORDER BY 1`,
      [new Date(now.getTime() - 90 * 86_400_000).toISOString(), now.toISOString()],
    );
    expect(rows.map((r) => r.month)).toEqual(['2026-09-01', '2026-10-01', '2026-11-01']); // November: Nov 1-18 stored
  });

  it.each(CASES)('%s: %s returns the same rows as before', async (_file, title, sql) => {
    await expectSameRows(title, sql);
  });

  // A new cycle Cursor reported (or a new calendar month) before the views were refreshed: the views hold the previous
  // cycle, so the panels must compute the new one from the per-day rows, not show the old one's figures.
  it.each(
    CASES.filter(([file, title]) => file === 'overview-panels-before-16.json' && title.endsWith('(current cycle)')),
  )('%s: %s returns the same rows as before when the views hold another cycle', async (_file, title, sql) => {
    await t.pool.query(`UPDATE member_spend SET cycle_start = cycle_start - interval '1 month'`);
    try {
      await expectSameRows(title, sql);
    } finally {
      await t.pool.query(`UPDATE member_spend SET cycle_start = cycle_start + interval '1 month'`);
    }
  });

  async function expectSameRows(title: string, sql: string): Promise<void> {
    const after = rewritten.find((q) => q.panel!.title === title)!;
    const before: PanelQuery = { ...after, target: { ...after.target, rawSql: sql } };
    let nonEmpty = 0;
    for (const ms of RANGES) {
      const range: TimeRange = { from: new Date(now.getTime() - ms), to: now };
      for (const group of SELECTIONS) {
        const vars = await resolveVariables(reader, overview, range, group ? { group } : {});
        const a = await runPanelQuery(reader, after, range, vars);
        const b = await runPanelQuery(reader, before, range, vars);
        expect({ range: ms, group, rows: a.rows }).toEqual({ range: ms, group, rows: b.rows });
        if (a.rows.length > 0) nonEmpty++;
      }
    }
    // The comparison means something: the fixture gives these panels rows.
    expect(nonEmpty).toBeGreaterThan(RANGES.length * SELECTIONS.length - 2);
  }
});

// The user drilldown's rank summed every developer's days in the range (600k rows over 30 days at 20,000 developers:
// 330 ms p95, bench:dashboards); it now reads the monthly rollup (sql/016) for the range's whole months, as "Top
// spenders" does. Its SQL before: support/user-panels-before-16.json.
describe('user drilldown panels rewritten for speed (issue #13)', () => {
  const user = loadDashboards().find((f) => f.dashboard.uid === 'cursor-user')!.dashboard as Dashboard;
  const before = JSON.parse(
    fs.readFileSync(path.join(__dirname, 'support', 'user-panels-before-16.json'), 'utf8'),
  ) as Record<string, string>;

  it.each(Object.entries(before))(
    '%s returns the same rows as before, for every range and developer',
    async (title, sql) => {
      const after = panelQueries(user).find((q) => q.panel?.title === title)!;
      expect(after.target.rawSql).not.toBe(sql);
      const old: PanelQuery = { ...after, target: { ...after.target, rawSql: sql } };
      // Developers from the top of the ranking to its bottom, and one with no usage at all (no row).
      const { rows: people } = await t.pool.query<{ email: string }>(
        `(SELECT user_email AS email FROM user_daily_rollup GROUP BY 1 ORDER BY sum(charged_cents) DESC LIMIT 2)
       UNION ALL (SELECT user_email FROM user_daily_rollup GROUP BY 1 ORDER BY sum(charged_cents) LIMIT 2)
       UNION ALL SELECT 'nobody@example.com'`,
      );
      let ranked = 0;
      for (const ms of RANGES) {
        const range: TimeRange = { from: new Date(now.getTime() - ms), to: now };
        for (const { email } of people) {
          const vars = await resolveVariables(reader, user, range, { email });
          const a = await runPanelQuery(reader, after, range, vars);
          const b = await runPanelQuery(reader, old, range, vars);
          expect({ range: ms, email, rows: a.rows }).toEqual({ range: ms, email, rows: b.rows });
          if (a.rows.length > 0) ranked++;
        }
      }
      expect(ranked).toBeGreaterThanOrEqual(RANGES.length * (people.length - 2)); // the comparison ranks someone
    },
  );
});

// "Who uses which model" chose its 100 top spenders by summing every developer's days in the range (1.8M rows over
// 365 days at 5,000 developers: 1,159 ms p95, 386 ms CPU, bench:dashboards); it now reads the monthly rollup
// (sql/016) for the range's whole months, as "Top spenders" does. Its SQL before: support/models-panels-before-16.json.
// A team of 150 here, so that the top 100 is a choice the monthly sums must get right.
describe('models panels rewritten for speed (issue #13)', () => {
  const models = loadDashboards().find((f) => f.dashboard.uid === 'cursor-models')!.dashboard as Dashboard;
  const before = JSON.parse(
    fs.readFileSync(path.join(__dirname, 'support', 'models-panels-before-16.json'), 'utf8'),
  ) as Record<string, string>;
  let big: TestDb;
  let bigReader: pg.Pool;

  beforeAll(async () => {
    ({ db: big, reader: bigReader } = await openFixture('rewrite_models', {
      users: 150,
      days: 100,
      seed: 12,
      eventsPerUserDay: 4,
    }));
  }, 180_000);

  afterAll(async () => {
    await bigReader?.end();
    if (big) await dropTestDb(big);
  });

  it.each(Object.entries(before))('%s returns the same rows as before, for every range', async (title, sql) => {
    const after = panelQueries(models).find((q) => q.panel?.title === title)!;
    expect(after.target.rawSql).not.toBe(sql);
    const old: PanelQuery = { ...after, target: { ...after.target, rawSql: sql } };
    const { rows: team } = await big.pool.query<{ n: number }>(
      'SELECT count(DISTINCT user_email)::int AS n FROM user_daily_rollup',
    );
    expect(team[0].n).toBeGreaterThan(100); // more developers than the panel's top 100
    for (const ms of [...RANGES, 365 * 86_400_000]) {
      const range: TimeRange = { from: new Date(now.getTime() - ms), to: now };
      const vars = await resolveVariables(bigReader, models, range);
      const a = await runPanelQuery(bigReader, after, range, vars);
      const b = await runPanelQuery(bigReader, old, range, vars);
      expect({ range: ms, rows: a.rows }).toEqual({ range: ms, rows: b.rows });
      expect(a.rows.length).toBeGreaterThan(0);
    }
    // Ranges that end in the past and start and end mid-month (whole months inside or none), and a few models only.
    const past: [from: string, to: string][] = [
      ['2026-08-20T09:15:00Z', '2026-10-20T17:45:00Z'], // September whole
      ['2026-09-03T00:00:00Z', '2026-11-02T06:00:00Z'], // October whole
      ['2026-10-05T12:00:00Z', '2026-10-25T12:00:00Z'], // no whole month
    ];
    for (const [from, to] of past) {
      const range: TimeRange = { from: new Date(from), to: new Date(to) };
      for (const overrides of [{}, { model: ['gpt-5', 'auto'] }] as Record<string, string[]>[]) {
        const vars = await resolveVariables(bigReader, models, range, overrides);
        const a = await runPanelQuery(bigReader, after, range, vars);
        const b = await runPanelQuery(bigReader, old, range, vars);
        expect({ from, overrides, rows: a.rows }).toEqual({ from, overrides, rows: b.rows });
        expect(a.rows.length).toBeGreaterThan(0);
      }
    }
  });
});
