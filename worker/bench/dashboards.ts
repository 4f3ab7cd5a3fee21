/**
 * `npm run bench:dashboards`: how fast every dashboard panel (and annotation and variable) query answers on a
 * large team. Loads BENCH_USERS developers x BENCH_DAYS days (default 5,000 x 90, about 10M usage events) into an
 * embedded PostgreSQL in its own temporary directory, then times each query, expanded exactly as Grafana expands
 * it and run as the read-only grafana_reader role, over the last 24 h, 7 days and 30 days. Prints p50 and p95 per
 * query and range and flags those above the 150 ms aim. Takes minutes; it is a measurement, not a test.
 *
 *   BENCH_USERS=500 BENCH_DAYS=30 npm run bench:dashboards     # a quick run
 *   BENCH_PG_DIR=./data/bench-pg npm run bench:dashboards      # keep and reuse the loaded database
 */
import { DAY_MS } from '@cursor-cost-watch/contract';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { REPO_ROOT } from '../src/config/config';
import { createLogger } from '../src/config/log';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded';
import { migrateToLatest } from '../src/db/migrate';
import { createDb } from '../src/db/pool';
import { startBoss } from '../src/queue/boss';
import { loadDashboards, panelQueries, type Dashboard, type PanelQuery } from '../tools/grafana-sql/dashboards';
import { loadDashboardFixture } from '../tools/grafana-sql/fixture';
import { expandGrafanaSql, panelIntervalMs, type TimeRange } from '../tools/grafana-sql/grafana-sql';
import { resolveVariables, runPanelQuery } from '../tools/grafana-sql/run-panel';

const USERS = Number(process.env.BENCH_USERS ?? 5000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const EVENTS_PER_DAY = Number(process.env.BENCH_EVENTS_PER_USER_DAY ?? 29);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const AIM_MS = 150;
const RANGES: [string, number][] = [
  ['24h', DAY_MS],
  ['7d', 7 * DAY_MS],
  ['30d', 30 * DAY_MS],
];
// How a person opens the user drilldown: through a link to the developer with the open critical incident.
const ARRIVAL: Record<string, Record<string, string>> = { 'cursor-user': { email: 'dev00007@example.com' } };

const log = (msg: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

interface Timing {
  label: string;
  range: string;
  p50: number;
  p95: number;
  rows: number;
}

async function timeQuery(run: () => Promise<number>): Promise<{ p50: number; p95: number; rows: number }> {
  const rows = await run(); // warm the cache and the plan
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), rows };
}

/** Variable queries are timed too: Grafana runs them on load (and on every range change when refresh = 2). */
function variableQueries(d: Dashboard): PanelQuery[] {
  return d.templating.list
    .filter((v) => v.type === 'query' && v.query)
    .map((v) => ({
      dashboard: d,
      label: `${d.title} / variable ${v.name}`,
      target: { refId: v.name, rawSql: v.query, format: 'table' as const },
    }));
}

async function main(): Promise<void> {
  const keepDir = process.env.BENCH_PG_DIR ? path.resolve(REPO_ROOT, process.env.BENCH_PG_DIR) : undefined;
  const dir = keepDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bench-dash-'));
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o777);
  const reuse = keepDir !== undefined && fs.existsSync(path.join(dir, 'data', 'PG_VERSION'));
  log(`PostgreSQL in ${dir}${reuse ? ' (reusing the loaded data)' : ''}`);
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'data'),
    port: await freePort(),
    ephemeral: !keepDir,
    database: 'bench',
  });
  const owner = createDb(embedded.connectionString, 4);
  let reader: pg.Pool | undefined;
  try {
    await migrateToLatest(owner.db);
    const loaded = await owner.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM members');
    if (loaded.rows[0].n === 0) {
      const t0 = Date.now();
      const client = await owner.pool.connect();
      try {
        await client.query(`SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'`);
        await loadDashboardFixture(client, {
          users: USERS,
          days: DAYS,
          eventsPerUserDay: EVENTS_PER_DAY,
          seed: 42,
          onStep: (s) => log(`loading: ${s}`),
        });
      } finally {
        client.release();
      }
      log(`loaded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      const boss = await startBoss(embedded.connectionString, createLogger('silent'));
      await boss.stop({ graceful: false });
    } else {
      log('data already loaded; note: its clock is the first run\'s, so "last 24 h" may hold less');
    }
    const sizes = await owner.pool.query<{ events: number; members: number; rollup: number; size: string }>(
      `SELECT (SELECT count(*) FROM usage_events)::int AS events, (SELECT count(*) FROM members)::int AS members,
              (SELECT count(*) FROM user_model_daily_rollup)::int AS rollup, pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    const s = sizes.rows[0];

    await owner.pool.query(`ALTER ROLE grafana_reader LOGIN PASSWORD 'bench-reader'`);
    const url = new URL(embedded.connectionString);
    url.username = 'grafana_reader';
    url.password = 'bench-reader';
    reader = new pg.Pool({ connectionString: url.toString(), max: 2 });

    const timings: Timing[] = [];
    // Each dashboard as it opens; the overview also with one billing group selected (per-developer rollups).
    const views: { d: Dashboard; overrides?: Record<string, string | string[]>; suffix: string }[] = [];
    for (const d of loadDashboards().map((f) => f.dashboard)) {
      views.push({ d, overrides: ARRIVAL[d.uid], suffix: '' });
      if (d.uid === 'cursor-overview') views.push({ d, overrides: { group: ['grp_web'] }, suffix: ' [group Web]' });
    }
    for (const { d, overrides, suffix } of views) {
      for (const [rangeName, ms] of RANGES) {
        const range: TimeRange = { from: new Date(Date.now() - ms), to: new Date() };
        const variables = await resolveVariables(reader, d, range, overrides);
        for (const q0 of [...variableQueries(d), ...panelQueries(d)]) {
          const q = { ...q0, label: q0.label + suffix };
          const db = reader;
          const run = q.label.includes('/ variable ')
            ? async () =>
                (
                  await db.query(
                    expandGrafanaSql(q.target.rawSql ?? '', { range, intervalMs: panelIntervalMs(range), variables }),
                  )
                ).rowCount ?? 0
            : async () => (await runPanelQuery(db, q, range, variables)).rows.length;
          const t = await timeQuery(run);
          timings.push({ label: q.label, range: rangeName, ...t });
        }
        log(`${d.title}${suffix}: ${rangeName} done`);
      }
    }
    report(timings, s);
  } finally {
    await reader?.end();
    await owner.close();
    await embedded.stop();
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function report(timings: Timing[], s: { events: number; members: number; rollup: number; size: string }): void {
  const labels = [...new Set(timings.map((t) => t.label))];
  const width = Math.max(...labels.map((l) => l.length));
  const cell = (t: Timing | undefined) =>
    t
      ? `${t.p50.toFixed(1).padStart(7)} ${t.p95.toFixed(1).padStart(7)}${t.p95 > AIM_MS ? ' !' : '  '}`
      : ''.padStart(17);
  const lines = [
    `Dashboard queries on ${s.members.toLocaleString('en-US')} developers, ${s.events.toLocaleString('en-US')} usage events, ` +
      `${s.rollup.toLocaleString('en-US')} user-model-day rollup rows (${s.size}); ${RUNS} timed runs each after one warm-up, ms.`,
    '',
    `${'query'.padEnd(width)}  ${RANGES.map(([r]) => `${r.padStart(7)} p50     p95  `).join('')}`,
  ];
  for (const label of labels) {
    lines.push(
      `${label.padEnd(width)}  ${RANGES.map(([r]) => cell(timings.find((t) => t.label === label && t.range === r))).join('')}`,
    );
  }
  const over = timings.filter((t) => t.p95 > AIM_MS);
  const worst = [...timings].sort((a, b) => b.p95 - a.p95)[0];
  lines.push(
    '',
    `${timings.length} query x range measurements; ${over.length} above the ${AIM_MS} ms p95 aim (marked !). ` +
      `Slowest: ${worst.label} over ${worst.range}, p95 ${worst.p95.toFixed(1)} ms.`,
  );
  console.log(lines.join('\n'));
  const outDir = path.join(REPO_ROOT, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `dashboards-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ users: USERS, days: DAYS, ...s, runs: RUNS, timings }, null, 2));
  log(`figures written to ${path.relative(REPO_ROOT, file)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
