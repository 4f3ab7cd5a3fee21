import { quarantineEvents } from '../../src/collector/quarantine';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { createLogger } from '../../src/config/log';
import { startBoss } from '../../src/queue/boss';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { loadDashboards, panelQueries, relativeMs, type Dashboard } from '../../tools/grafana-sql/dashboards';
import { loadDashboardFixture } from '../../tools/grafana-sql/fixture';
import { resolveVariables, runPanelQuery, showsData, timeSeriesProblems } from '../../tools/grafana-sql/run-panel';
import { expandGrafanaSql, type TimeRange } from '../../tools/grafana-sql/grafana-sql';
import { alertRules, ruleParts, thresholdFires, type AlertRule } from './support/provisioning-files';
import { quietPool } from '../support/quiet-pool';

// Every panel and annotation query of every provisioned dashboard, expanded as Grafana expands it and run as
// the read-only grafana_reader role against a database holding 100 days of a simulated team.
const dashboards = loadDashboards().map((f) => f.dashboard);
const queries = dashboards.flatMap(panelQueries);
const RANGES: [string, number][] = [
  ['24h', 86_400_000],
  ['7d', 7 * 86_400_000],
  ['30d', 30 * 86_400_000],
];

let t: TestDb;
let owner: pg.Pool;
let reader: pg.Pool;
let boss: PgBoss | undefined;
// The clock is pinned: the fixture, the time ranges and SQL's now() all read this instant, so no result depends on
// the day or hour the suite runs (a Wednesday afternoon; the fixture's spike lands on its last two weekdays).
const now = new Date('2026-11-18T15:30:00Z');

beforeAll(async () => {
  t = await createTestDb('dash');
  const client = await t.pool.connect();
  try {
    await loadDashboardFixture(client, { users: 60, days: 100, now, seed: 7 });
  } finally {
    client.release();
  }
  // A poison event refused by the collector, for the "Quarantined events" panel.
  await quarantineEvents(t.db, 'usage_events', { start: now.getTime() - 86_400_000, end: now.getTime() }, [
    {
      raw: { timestamp: '99999999999999999999', userEmail: 'x@example.com' },
      reason: 'timestamp is outside the window',
    },
  ]);
  // Seen at the pinned instant (the column defaults to the database's own clock).
  await t.db.updateTable('quarantined_events').set({ first_seen_at: now, last_seen_at: now }).execute();
  // The worker came back this morning after days down: two days caught up, one older than the catch-up reaches.
  await t.db
    .insertInto('detection_days')
    .values([
      { as_of: '2026-11-01', passes: 0, first_pass_at: now, last_pass_at: now },
      { as_of: '2026-11-16', passes: 1, caught_up: true, first_pass_at: now, last_pass_at: now },
      { as_of: '2026-11-17', passes: 1, caught_up: true, first_pass_at: now, last_pass_at: now },
      { as_of: '2026-11-18', passes: 3, first_pass_at: now, last_pass_at: now },
    ])
    .execute();
  // A real failed pg-boss job for the "Job failures" panel (the schema is created after the migrations, so this
  // also proves the role's default privileges reach it).
  boss = await startBoss(t.url, createLogger('silent'));
  await boss.send('collect', { trigger: 'schedule' }, { retryLimit: 0 });
  const [job] = await boss.fetch('collect');
  await boss.fail('collect', job.id, { message: 'Cursor answered 500 three times' });
  await boss.stop({ graceful: false });
  boss = undefined;
  await t.pool.query(
    `UPDATE pgboss.job SET created_on = $1::timestamptz - interval '5 minutes', started_on = $1::timestamptz - interval '4 minutes', completed_on = $1::timestamptz - interval '3 minutes'`,
    [now.toISOString()],
  );
  await pinClock(t.pool, now);

  // The role comes from sql/004_grafana_reader.sql without LOGIN; compose's init script gives it one.
  await t.pool.query(`ALTER ROLE grafana_reader LOGIN PASSWORD 'grafana-test-password'`);
  const url = new URL(t.url);
  url.username = 'grafana_reader';
  url.password = 'grafana-test-password';
  reader = quietPool({ connectionString: url.toString(), max: 4, options: PINNED_SEARCH_PATH });
  owner = quietPool({ connectionString: t.url, max: 2, options: PINNED_SEARCH_PATH });
}, 180_000);

afterAll(async () => {
  await boss?.stop({ graceful: false });
  await reader?.end();
  await owner?.end();
  if (t) await dropTestDb(t);
});

// SQL's now() in panels and rules resolves to pinned_clock.now() ahead of pg_catalog's: PostgreSQL searches
// pg_catalog first only when the search_path does not name it (docs, "The Schema Search Path").
const PINNED_SEARCH_PATH = '-c search_path=public,pinned_clock,pg_catalog';

async function pinClock(db: pg.Pool, at: Date): Promise<void> {
  await db.query('CREATE SCHEMA pinned_clock');
  await db.query(
    `CREATE FUNCTION pinned_clock.now() RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$ SELECT '${at.toISOString()}'::timestamptz $$`,
  );
  await db.query('GRANT USAGE ON SCHEMA pinned_clock TO grafana_reader');
}

function rangeEndingNow(ms: number): TimeRange {
  return { from: new Date(now.getTime() - ms), to: now };
}

function defaultRange(d: Dashboard): TimeRange {
  return rangeEndingNow(relativeMs(d.time.from));
}

describe('the grafana_reader role', () => {
  it('reads every table the dashboards use and cannot write', async () => {
    const { rows } = await reader.query<{ n: number }>('SELECT count(*)::int AS n FROM usage_events');
    expect(rows[0].n).toBeGreaterThan(10_000);
    await expect(reader.query(`INSERT INTO settings (key, value) VALUES ('x', '1')`)).rejects.toThrow(
      /read-only transaction|permission denied/,
    );
    // Turning read-only off does not help: the role has no write privilege either.
    const client = await reader.connect();
    try {
      await client.query('SET default_transaction_read_only = off');
      await expect(client.query(`INSERT INTO settings (key, value) VALUES ('x', '1')`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(client.query(`DELETE FROM incidents`)).rejects.toThrow(/permission denied/);
    } finally {
      client.release();
    }
  });
});

describe.each(RANGES)('every dashboard query over the last %s', (_name, ms) => {
  it.each(queries.map((q) => [q.label, q] as const))(
    '%s runs and has the shape its format needs',
    async (_label, q) => {
      const range = rangeEndingNow(ms);
      const variables = await resolveVariables(reader, q.dashboard, range);
      const result = await runPanelQuery(reader, q, range, variables);
      if (q.target.format === 'time_series') {
        expect({ panel: q.label, problems: timeSeriesProblems(result) }).toEqual({ panel: q.label, problems: [] });
      }
    },
  );
});

// How a person arrives: the user drilldown through a link naming the developer of the open critical incident.
const ARRIVAL: Record<string, Record<string, string>> = { 'cursor-user': { email: 'dev00007@example.com' } };

describe('over each dashboard default range', () => {
  it.each(queries.map((q) => [q.label, q] as const))('%s shows data', async (_label, q) => {
    const range = defaultRange(q.dashboard);
    const variables = await resolveVariables(reader, q.dashboard, range, ARRIVAL[q.dashboard.uid]);
    const result = await runPanelQuery(reader, q, range, variables);
    expect({ panel: q.label, rows: result.rows.length > 0, showsData: showsData(result) }).toEqual({
      panel: q.label,
      rows: true,
      showsData: true,
    });
  });
});

describe('variables', () => {
  const overview = dashboards.find((d) => d.uid === 'cursor-overview') as Dashboard;
  const overviewQueries = panelQueries(overview);

  it('narrows the overview to the selected billing groups, and All includes developers in no group', async () => {
    const range = defaultRange(overview);
    const totals = overviewQueries.find((q) => q.panel?.title === 'Totals');
    if (!totals) throw new Error('the overview has no Totals panel');
    const all = await runPanelQuery(reader, totals, range, await resolveVariables(reader, overview, range));
    const some = await runPanelQuery(
      reader,
      totals,
      range,
      await resolveVariables(reader, overview, range, { group: ['grp_web', 'grp_data'] }),
    );
    const direct = await owner.query<{ all: number; grouped: number }>(
      `SELECT sum(r.charged_cents) / 100.0 AS all,
              sum(r.charged_cents) FILTER (WHERE r.user_email IN (SELECT email FROM billing_group_members WHERE group_id IN ('grp_web', 'grp_data'))) / 100.0 AS grouped
       FROM user_daily_rollup r WHERE r.day >= $1::date`,
      [range.from.toISOString().slice(0, 10)],
    );
    expect(all.rows[0].Spend).toBeCloseTo(direct.rows[0].all, 2);
    expect(some.rows[0].Spend).toBeCloseTo(direct.rows[0].grouped, 2);
    expect(some.rows[0].Spend as number).toBeLessThan(all.rows[0].Spend as number);
  });

  it('shows the developer a link names (var-email) in the user drilldown', async () => {
    const user = dashboards.find((d) => d.uid === 'cursor-user') as Dashboard;
    const range = defaultRange(user);
    const q = panelQueries(user).find((p) => p.panel?.title === 'Rank in the team');
    if (!q) throw new Error('the user drilldown has no rank panel');
    // dev00007 is the injected spike: the most expensive developer of the fixture.
    const result = await runPanelQuery(
      reader,
      q,
      range,
      await resolveVariables(reader, user, range, { email: 'dev00007@example.com' }),
    );
    expect(result.rows[0]['Rank by spend']).toBe(1);
  });

  it('escapes a quote in a single-value variable instead of breaking the SQL', async () => {
    const user = dashboards.find((d) => d.uid === 'cursor-user') as Dashboard;
    const range = defaultRange(user);
    const q = panelQueries(user).find((p) => p.panel?.title === 'In the selected range');
    if (!q) throw new Error('the user drilldown has no totals panel');
    const result = await runPanelQuery(
      reader,
      q,
      range,
      await resolveVariables(reader, user, range, { email: "o'brien@example.com" }),
    );
    expect(result.rows).toEqual([{ Spend: null, Requests: null, Tokens: null, 'Cost per request': null }]);
  });
});

// Alert rules: the SQL goes straight to the backend (no dashboard variables), table format: string columns become
// labels and the one numeric column the value; the threshold decides which instances fire.
interface Instance {
  labels: Record<string, string>;
  value: number;
  fires: boolean;
}

async function evaluateRule(db: Pick<pg.Pool, 'query'>, rule: AlertRule): Promise<Instance[]> {
  const { sql, evaluator } = ruleParts(rule);
  const range = rangeEndingNow(3_600_000);
  const res = await db.query<Record<string, unknown>>(
    expandGrafanaSql(sql, { range, intervalMs: 60_000, backendOnly: true }),
  );
  const fields = res.fields.map((f) => f.name);
  return res.rows.map((row) => {
    const numeric = fields.filter((f) => typeof row[f] === 'number');
    const strings = fields.filter((f) => typeof row[f] === 'string');
    if (numeric.length !== 1 || numeric.length + strings.length !== fields.length) {
      throw new Error(
        `rule ${rule.uid}: a row must have one numeric column and string labels, got ${JSON.stringify(row)}`,
      );
    }
    const value = row[numeric[0]] as number;
    return {
      labels: Object.fromEntries(strings.map((f) => [f, row[f] as string])),
      value,
      fires: thresholdFires(evaluator, value),
    };
  });
}

describe('alert rules', () => {
  const rule = (uid: string) => {
    const r = alertRules().find((x) => x.uid === uid);
    if (!r) throw new Error(`no alert rule ${uid}`);
    return r;
  };

  it.each(alertRules().map((r) => [r.uid, r] as const))(
    '%s: runs as grafana_reader and gives one labelled number per instance',
    async (_uid, r) => {
      const instances = await evaluateRule(reader, r);
      const labelSets = instances.map((i) => JSON.stringify(i.labels));
      expect(new Set(labelSets).size).toBe(labelSets.length); // Grafana rejects duplicate label sets
    },
  );

  it('fires for the open critical incident nobody acknowledged, naming who, what and how much, and stops once acknowledged', async () => {
    const r = rule('cursor-critical-incident-open');
    const firing = (await evaluateRule(reader, r)).filter((i) => i.fires);
    expect(firing).toEqual([
      {
        labels: {
          email: 'dev00007@example.com',
          subject: 'dev00007@example.com',
          detector: 'spike',
          incident_id: expect.any(String),
          top_model: 'claude-4.1-opus',
        },
        value: 428,
        fires: true,
      },
    ]);
    const client = await owner.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `UPDATE incidents SET status = 'acknowledged', acknowledged_at = now() WHERE subject = 'dev00007@example.com'`,
      );
      expect((await evaluateRule(client, r)).filter((i) => i.fires)).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('fires when the cycle forecast passes the budget, and not without a budget or under it', async () => {
    const r = rule('cursor-team-forecast-over-budget');
    const [instance] = await evaluateRule(reader, r);
    expect(instance.fires).toBe(true);
    expect(instance.value).toBeGreaterThan(1);
    const client = await owner.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE settings SET value = to_jsonb(1000000) WHERE key = 'teamBudgetDollars'`);
      expect((await evaluateRule(client, r)).map((i) => i.fires)).toEqual([false]);
      await client.query(`DELETE FROM settings WHERE key = 'teamBudgetDollars'`);
      expect(await evaluateRule(client, r)).toEqual([]); // no row: NoData, which the rule maps to OK
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('fires per endpoint once collection has not succeeded for more than two hours', async () => {
    const r = rule('cursor-collection-stale');
    expect((await evaluateRule(reader, r)).filter((i) => i.fires)).toEqual([]);
    const client = await owner.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `DELETE FROM collection_runs WHERE endpoint = 'usage_events' AND started_at > now() - interval '3 hours'`,
      );
      const firing = (await evaluateRule(client, r)).filter((i) => i.fires);
      expect(firing.map((i) => i.labels)).toEqual([{ endpoint: 'usage_events' }]);
      expect(firing[0].value).toBeGreaterThan(2);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('Collection health: detection days caught up or skipped', () => {
  it('lists the days evaluated late and those never evaluated, not the days evaluated on time', async () => {
    const health = dashboards.find((d) => d.uid === 'cursor-collection') as Dashboard;
    const q = panelQueries(health).find((p) => p.panel?.title === 'Detection days caught up or skipped')!;
    const range = defaultRange(health);
    const result = await runPanelQuery(reader, q, range, await resolveVariables(reader, health, range));
    expect(result.rows.map((r) => [new Date(r.Day as string).toISOString().slice(0, 10), r.What])).toEqual([
      ['2026-11-17', 'caught up'],
      ['2026-11-16', 'caught up'],
      ['2026-11-01', 'skipped: never evaluated'],
    ]);
  });
});

describe('the Chargeback row of the overview', () => {
  const overview = dashboards.find((d) => d.uid === 'cursor-overview') as Dashboard;
  const panel = (title: string) => {
    const q = panelQueries(overview).find((p) => p.panel?.title === title);
    if (!q) throw new Error(`the overview has no panel "${title}"`);
    return q;
  };

  it('splits the current cycle by group, each day in that day’s group, and adds up to the team', async () => {
    const range = defaultRange(overview);
    const vars = await resolveVariables(reader, overview, range);
    const groups = await runPanelQuery(reader, panel('Chargeback by billing group (current cycle)'), range, vars);
    const devs = await runPanelQuery(reader, panel('Chargeback by developer (current cycle)'), range, vars);
    // The fixture's cycle is the calendar month of the pinned clock (2026-11-01 .. now).
    const direct = await owner.query<{ total: number; usage: number }>(
      `SELECT sum(charged_cents) / 100.0 AS total,
              sum(charged_cents) FILTER (WHERE kind = 'Usage-based') / 100.0 AS usage
       FROM usage_events WHERE day >= '2026-11-01'`,
    );
    const sum = (rows: Record<string, unknown>[], col: string) => rows.reduce((s, r) => s + Number(r[col]), 0);
    expect(sum(groups.rows, 'Spend')).toBeCloseTo(Number(direct.rows[0].total), 2);
    expect(sum(groups.rows, 'Usage-based')).toBeCloseTo(Number(direct.rows[0].usage), 2);
    expect(sum(groups.rows, 'Share of team')).toBeCloseTo(100, 6);
    expect(groups.rows.map((r) => r.Group).sort()).toEqual(['Data & ML', 'Mobile', 'Platform', 'Unassigned', 'Web']);
    expect(groups.rows.every((r) => typeof r['Top model'] === 'string')).toBe(true);
    // Developer 2 moved from Web to Data & ML on 2026-11-09: a row in each, holding exactly the days of each.
    const moved = devs.rows.filter((r) => r.Developer === 'dev00002@example.com');
    const split = await owner.query<{ web: number; data: number }>(
      `SELECT sum(charged_cents) FILTER (WHERE day < '2026-11-09') / 100.0 AS web,
              sum(charged_cents) FILTER (WHERE day >= '2026-11-09') / 100.0 AS data
       FROM user_daily_rollup WHERE user_email = 'dev00002@example.com' AND day >= '2026-11-01'`,
    );
    expect(moved.map((r) => r.Group).sort()).toEqual(['Data & ML', 'Web']);
    expect(Number(moved.find((r) => r.Group === 'Web')!.Spend)).toBeCloseTo(Number(split.rows[0].web), 2);
    expect(Number(moved.find((r) => r.Group === 'Data & ML')!.Spend)).toBeCloseTo(Number(split.rows[0].data), 2);

    // One group selected: only its rows, with shares still of the whole team.
    const web = await runPanelQuery(
      reader,
      panel('Chargeback by billing group (current cycle)'),
      range,
      await resolveVariables(reader, overview, range, { group: ['grp_web'] }),
    );
    expect(web.rows.map((r) => [r.Group, r['Share of team']])).toEqual([
      ['Web', groups.rows.find((r) => r.Group === 'Web')!['Share of team']],
    ]);
  });
});
