import pg from 'pg';
import { createLogger } from '../../src/config/log';
import { startBoss } from '../../src/queue/boss';
import { collectOnce } from '../../src/collector/collect';
import { loadConfig } from '../../src/config/config';
import { replayDetection } from '../../src/jobs/replay-detection';
import { acknowledgeIncident, resolveIncident } from '../../src/incidents';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { cycleDayStartedBefore, DAY_MS, silentLog, startTestSimulator, testClient } from '../support/sim';
import { loadDashboards, panelQueries, relativeMs, type Dashboard } from '../../tools/grafana-sql/dashboards';
import { resolveVariables, runPanelQuery, showsData, timeSeriesProblems } from '../../tools/grafana-sql/run-panel';
import { quietPool } from '../support/quiet-pool';

// The same dashboards on data the real pipeline stored: the simulated Cursor API served over HTTP, collected by
// collectOnce into the real schema (members, spend, daily usage, events and their rollups, groups, runs), then the
// detection pass run day by day, and people acknowledging and resolving incidents through the incidents module.
const BACKFILL_DAYS = 35;
const dashboards = loadDashboards().map((f) => f.dashboard);
const queries = dashboards.flatMap(panelQueries);

// Panels the collected data alone cannot fill: nothing failed, nothing was sent, no budget is set, the simulator
// answers in the documented shapes (no schema drift).
const EMPTY_WITHOUT_FAILURES = new Set([
  'Cursor: Collection health / Failed runs',
  'Cursor: Collection health / Schema drift',
  'Cursor: Collection health / Job failures',
  'Cursor: Collection health / Notification deliveries',
  'Cursor: Collection health / Quarantined events',
  'Cursor: Collection health / Detection days caught up or skipped',
  'Cursor: Team overview / Forecast vs budget',
]);

let t: TestDb;
let reader: pg.Pool;
let sim: Awaited<ReturnType<typeof startTestSimulator>>;
let spiker: string;
let collectedCents = 0;
let incidentCount = 0;

beforeAll(async () => {
  // The test runs on the real clock (the collector stamps its runs with it), so what it needs must hold whatever today
  // is: the current billing cycle began ten days ago (the current-cycle chargeback panels have collected days to show),
  // and 40 developers replayed over 30 days open enough incidents to act on: 4-9 at six dates and hours tried under
  // libfaketime (25 developers over 14 days opened only 2 at 2027-02-01 00:00; over 30 days, 3-8 at seven dates).
  sim = await startTestSimulator({
    teamSize: 40,
    historyDays: 45,
    seed: 11,
    cycleDayOfMonth: cycleDayStartedBefore(Date.now(), 10),
  });
  t = await createTestDb('dashpipe');
  const summary = await collectOnce(
    { db: t.db, client: testClient(sim.server.url), log: silentLog, config: { BACKFILL_DAYS, RESTATE_DAYS: 2 } },
    { trigger: 'backfill', now: new Date(sim.nowMs) },
  );
  expect(summary.errors).toEqual([]);
  const windowStart = Math.floor(sim.nowMs / DAY_MS) * DAY_MS - BACKFILL_DAYS * DAY_MS;
  collectedCents = sim.team.eventsBetween(windowStart, sim.nowMs).reduce((s, e) => s + (e.chargedCents ?? 0), 0);

  // The detection pass over the last 30 days, day by day as the hourly job would have run it, then people
  // acting on what it opened: one incident acknowledged, two resolved with a verdict.
  const config = loadConfig({} as NodeJS.ProcessEnv);
  await replayDetection({ db: t.db, config, log: silentLog }, { days: 30, now: new Date(sim.nowMs) });
  const opened = await t.db
    .selectFrom('incidents')
    .select(['id', 'scope', 'subject', 'status'])
    .orderBy('id')
    .execute();
  incidentCount = opened.length;
  const open = opened.filter((i) => i.status !== 'resolved');
  if (open[0]) await acknowledgeIncident(t.db, open[0].id, 'lead@example.com', 'looking');
  if (open[1])
    await resolveIncident(t.db, open[1].id, { reason: 'fixed', note: 'agent loop stopped' }, 'lead@example.com');
  if (open[2]) await resolveIncident(t.db, open[2].id, { reason: 'false_positive' }, 'lead@example.com');
  spiker = opened.find((i) => i.scope === 'user')?.subject ?? sim.team.members()[0].email;
  // The worker always runs pg-boss: its schema is there for the "Job failures" panel.
  const boss = await startBoss(t.url, createLogger('silent'));
  await boss.stop({ graceful: false });
  await t.pool.query(`ALTER ROLE grafana_reader LOGIN PASSWORD 'grafana-test-password'`);
  const url = new URL(t.url);
  url.username = 'grafana_reader';
  url.password = 'grafana-test-password';
  reader = quietPool({ connectionString: url.toString(), max: 4 });
}, 180_000);

afterAll(async () => {
  await reader?.end();
  await sim?.server.close();
  if (t) await dropTestDb(t);
});

// The data is relative to the simulator's clock (the test's start); the collector stamps its runs with the real
// clock a moment later, so ranges end at the real now, as in a browser.
const rangeOf = (d: Dashboard) => ({ from: new Date(Date.now() - relativeMs(d.time.from)), to: new Date() });

it.each(queries.map((q) => [q.label, q] as const))(
  '%s runs on collected data, in shape, and shows it',
  async (_label, q) => {
    const range = rangeOf(q.dashboard);
    const variables = await resolveVariables(
      reader,
      q.dashboard,
      range,
      q.dashboard.uid === 'cursor-user' ? { email: spiker } : {},
    );
    const result = await runPanelQuery(reader, q, range, variables);
    if (q.target.format === 'time_series')
      expect({ panel: q.label, problems: timeSeriesProblems(result) }).toEqual({ panel: q.label, problems: [] });
    if (!EMPTY_WITHOUT_FAILURES.has(q.label))
      expect({ panel: q.label, showsData: showsData(result) }).toEqual({ panel: q.label, showsData: true });
  },
);

it('the detection pass opened incidents on the simulated anomalies', () => {
  expect(incidentCount).toBeGreaterThan(2);
});

it('the overview totals equal what the simulated Cursor API served for the collected window', async () => {
  const overview = dashboards.find((d) => d.uid === 'cursor-overview') as Dashboard;
  const totals = panelQueries(overview).find((q) => q.panel?.title === 'Totals');
  if (!totals) throw new Error('the overview has no Totals panel');
  // A range covering everything collected: the dashboard (reading the team-wide model_daily_rollup that
  // storeUsageEvents maintains) must add up to the ground truth to the cent.
  const range = { from: new Date(sim.nowMs - (BACKFILL_DAYS + 2) * DAY_MS), to: new Date() };
  const result = await runPanelQuery(reader, totals, range, await resolveVariables(reader, overview, range));
  expect(result.rows[0].Spend as number).toBeCloseTo(collectedCents / 100, 2);
  expect(result.rows[0]['Active developers']).toBeGreaterThan(15);
});
