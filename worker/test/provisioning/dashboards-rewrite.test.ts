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

beforeAll(async () => {
  t = await createTestDb('rewrite');
  const client = await t.pool.connect();
  try {
    await loadDashboardFixture(client, { users: 60, days: 100, now, seed: 11 });
  } finally {
    client.release();
  }
  // SQL's now() resolves to pinned_clock.now() ahead of pg_catalog's (docs, "The Schema Search Path").
  await t.pool.query('CREATE SCHEMA pinned_clock');
  await t.pool.query(
    `CREATE FUNCTION pinned_clock.now() RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$ SELECT '${now.toISOString()}'::timestamptz $$`,
  );
  await t.pool.query('GRANT USAGE ON SCHEMA pinned_clock TO grafana_reader');
  await t.pool.query(`ALTER ROLE grafana_reader LOGIN PASSWORD 'grafana-test-password'`);
  const url = new URL(t.url);
  url.username = 'grafana_reader';
  url.password = 'grafana-test-password';
  reader = quietPool({
    connectionString: url.toString(),
    max: 2,
    options: '-c search_path=public,pinned_clock,pg_catalog',
  });
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
