/**
 * `npm run bench:dashboards`: how fast every dashboard panel (and annotation and variable) query answers on a
 * large team. Loads BENCH_USERS developers x BENCH_DAYS days (default 5,000 x 90, about 10M usage events) into an
 * embedded PostgreSQL in its own temporary directory, then times each query, expanded exactly as Grafana expands
 * it and run as the read-only grafana_reader role, over each range. Prints p50 and p95 wall time and the database
 * backend's CPU time per query and range, and flags those above the aim. Takes minutes; a measurement, not a test.
 *
 *   BENCH_USERS=500 BENCH_DAYS=30 npm run bench:dashboards     # a quick run
 *   BENCH_PG_DIR=/tmp/bench-pg npm run bench:dashboards        # keep and reuse the loaded database
 *
 * Issue #13's cases:
 *   (a) 5,000 x 90 with the 1,000-developer group Web selected: the default, rows marked [group Web], aim 150 ms;
 *   (b) BENCH_USERS=20000 BENCH_RAW_DAYS=3 BENCH_AIM_MS=300: 20,000 x 90 days of rollups (what 40M events give),
 *       raw events kept for the last 3 days only (the fixture rolls the older days up from events it then drops);
 *   (c) BENCH_DAYS=365 BENCH_RAW_DAYS=3 BENCH_RANGES=30d,90d,365d: a year of rollups (retention kept the rollups).
 * BENCH_CLOCK=2026-11-28T15:30:00Z: the data's clock (default now), also SQL's now() in the panels (a late day of
 * the month gives the current-cycle panels a full cycle). BENCH_VIEWS=group: only the overview with group Web selected
 * (default all,group). Other knobs: BENCH_DASHBOARDS=cursor-overview (uids, comma-separated), BENCH_RUNS (timed runs, default 15), and
 * BENCH_BASELINE=<git ref>: also time that commit's dashboards, side by side in the same run (before/after).
 */
import { DAY_MS } from '@cursor-cost-watch/contract';
import { execFileSync } from 'node:child_process';
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
import { followChargebackCycle } from '../src/collector/chargeback-cycle';
import { sql } from 'kysely';
import { loadDashboards, panelQueries, type Dashboard, type PanelQuery } from '../tools/grafana-sql/dashboards';
import { loadDashboardFixture } from '../tools/grafana-sql/fixture';
import { expandGrafanaSql, panelIntervalMs, type TimeRange } from '../tools/grafana-sql/grafana-sql';
import { resolveVariables, runPanelQuery } from '../tools/grafana-sql/run-panel';

const USERS = Number(process.env.BENCH_USERS ?? 5000);
const DAYS = Number(process.env.BENCH_DAYS ?? 90);
const RAW_DAYS = process.env.BENCH_RAW_DAYS ? Number(process.env.BENCH_RAW_DAYS) : undefined;
const EVENTS_PER_DAY = Number(process.env.BENCH_EVENTS_PER_USER_DAY ?? 29);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const AIM_MS = Number(process.env.BENCH_AIM_MS ?? 150);
const ONLY = process.env.BENCH_DASHBOARDS?.split(',').map((s) => s.trim());
const BASELINE = process.env.BENCH_BASELINE;
/** Which views to time: 'all' (each dashboard as it opens) and 'group' (the overview with group Web selected). */
const VIEWS = (process.env.BENCH_VIEWS ?? 'all,group').split(',').map((v) => v.trim());
if (VIEWS.some((v) => v !== 'all' && v !== 'group'))
  throw new Error(`BENCH_VIEWS: "${process.env.BENCH_VIEWS}" is not all, group or all,group`);
const RANGES: [string, number][] = (process.env.BENCH_RANGES ?? '24h,7d,30d').split(',').map((r) => {
  const m = /^(\d+)([hd])$/.exec(r.trim());
  if (!m) throw new Error(`BENCH_RANGES: "${r}" is not like 24h or 30d`);
  return [r.trim(), Number(m[1]) * (m[2] === 'h' ? DAY_MS / 24 : DAY_MS)];
});
// How a person opens the user drilldown: through a link to the developer with the open critical incident.
const ARRIVAL: Record<string, Record<string, string>> = { 'cursor-user': { email: 'dev00007@example.com' } };

const log = (msg: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const loadAvg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

/** CPU time (user + system) of a process so far, ms: fields 14 and 15 of /proc/<pid>/stat, in clock ticks. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

interface Timing {
  label: string;
  range: string;
  /** 'before' (BENCH_BASELINE's dashboards) or 'after' (this tree's). */
  version: 'before' | 'after';
  p50: number;
  p95: number;
  /** Mean CPU time of the PostgreSQL backend per run, ms. */
  cpu: number;
  rows: number;
}

async function timeQuery(
  backendPid: number,
  run: () => Promise<number>,
): Promise<{ p50: number; p95: number; cpu: number; rows: number }> {
  const rows = await run(); // warm the cache and the plan
  const samples: number[] = [];
  const cpu0 = cpuMs(backendPid);
  for (let i = 0; i < RUNS; i += 1) {
    const t0 = process.hrtime.bigint();
    await run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const cpu = (cpuMs(backendPid) - cpu0) / RUNS;
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), cpu, rows };
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

/** The provisioned dashboards as they are at a git commit (the "before" of a side-by-side run). */
function dashboardsAt(ref: string): Dashboard[] {
  const dir = 'provisioning/dashboards/json';
  const files = execFileSync('git', ['ls-tree', '--name-only', `${ref}:${dir}`], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.json'));
  return files.map(
    (f) =>
      JSON.parse(
        execFileSync('git', ['show', `${ref}:${dir}/${f}`], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 1 << 26 }),
      ) as Dashboard,
  );
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
  let reader: pg.Client | undefined;
  try {
    await migrateToLatest(owner.db);
    const loaded = await owner.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM members');
    let loadClock = process.env.BENCH_CLOCK ? new Date(process.env.BENCH_CLOCK) : new Date();
    if (Number.isNaN(loadClock.getTime())) throw new Error(`BENCH_CLOCK: "${process.env.BENCH_CLOCK}" is not a date`);
    if (loaded.rows[0].n === 0) {
      const t0 = Date.now();
      const client = await owner.pool.connect();
      try {
        await client.query(`SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'`);
        await loadDashboardFixture(client, {
          users: USERS,
          days: DAYS,
          rawDays: RAW_DAYS,
          eventsPerUserDay: EVENTS_PER_DAY,
          seed: 42,
          now: loadClock,
          onStep: (s) => log(`loading: ${s} (load average ${loadAvg()})`),
        });
        // The clock the data was made for: a reused database is timed at it (its "last 24 h" stays full).
        await client.query(`COMMENT ON TABLE members IS 'bench clock ${loadClock.toISOString()}'`);
      } finally {
        client.release();
      }
      log(`loaded in ${((Date.now() - t0) / 1000).toFixed(0)} s (load average ${loadAvg()})`);
      const boss = await startBoss(embedded.connectionString, createLogger('silent'));
      await boss.stop({ graceful: false });
    } else {
      const c = await owner.pool.query<{ c: string | null; last: Date | null }>(
        `SELECT obj_description('members'::regclass) AS c, (SELECT max(event_ts) FROM usage_events) AS last`,
      );
      const m = /bench clock (\S+)/.exec(c.rows[0].c ?? '');
      loadClock = m ? new Date(m[1]) : (c.rows[0].last ?? loadClock);
      log(`data already loaded at ${loadClock.toISOString()}; ranges end there`);
    }
    if (process.env.BENCH_LOAD_ONLY) return; // BENCH_LOAD_ONLY=1 with BENCH_PG_DIR: load now, time later
    const sizes = await owner.pool.query<{ events: number; members: number; rollup: number; size: string }>(
      `SELECT (SELECT count(*) FROM usage_events)::int AS events, (SELECT count(*) FROM members)::int AS members,
              (SELECT count(*) FROM user_model_daily_rollup)::int AS rollup, pg_size_pretty(pg_database_size(current_database())) AS size`,
    );
    const s = sizes.rows[0];
    // What the collector runs at the end of every pass (followChargebackCycle: nothing to do unless the cycle changed),
    // and what a new cycle costs once (both chargeback tables rebuilt, sql/021); nothing else is refreshed since 021.
    const refreshT0 = Date.now();
    const follow = await followChargebackCycle(owner.db);
    const rebuildT0 = Date.now();
    await sql`SELECT rebuild_chargeback_cycle()`.execute(owner.db);
    const perView = [
      `end of a pass ${follow.ms} ms${follow.rebuilt ? ' (a new cycle: rebuilt)' : ''}`,
      `a new cycle's rebuild ${((Date.now() - rebuildT0) / 1000).toFixed(1)} s`,
    ];
    const refresh = { ms: Date.now() - refreshT0, load: loadAvg(), perView: perView.join(', ') };

    // SQL's now() in the panels is the data's clock too: pinned_clock.now() comes ahead of pg_catalog's in the
    // reader's search_path (PostgreSQL docs, "The Schema Search Path"), as in test/provisioning/dashboards-sql.test.ts.
    await owner.pool.query('CREATE SCHEMA IF NOT EXISTS pinned_clock');
    await owner.pool.query(
      `CREATE OR REPLACE FUNCTION pinned_clock.now() RETURNS timestamptz LANGUAGE sql IMMUTABLE AS $$ SELECT '${loadClock.toISOString()}'::timestamptz $$`,
    );
    await owner.pool.query('GRANT USAGE ON SCHEMA pinned_clock TO grafana_reader');
    await owner.pool.query(`ALTER ROLE grafana_reader LOGIN PASSWORD 'bench-reader'`);
    const url = new URL(embedded.connectionString);
    url.username = 'grafana_reader';
    url.password = 'bench-reader';
    // One connection, so its backend's CPU time is the queries' own.
    reader = new pg.Client({
      connectionString: url.toString(),
      options: '-c search_path=public,pinned_clock,pg_catalog',
    });
    await reader.connect();
    const backendPid = (await reader.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

    const timings: Timing[] = [];
    const versions: ['before' | 'after', Dashboard[]][] = [['after', loadDashboards().map((f) => f.dashboard)]];
    if (BASELINE) versions.unshift(['before', dashboardsAt(BASELINE)]);
    const t0 = Date.now();
    const cpu0 = cpuMs(backendPid);
    for (const [version, dashboards] of versions) {
      // Each dashboard as it opens; the overview also with one billing group selected (per-developer rollups).
      const views: { d: Dashboard; overrides?: Record<string, string | string[]>; suffix: string }[] = [];
      for (const d of dashboards.filter((x) => !ONLY || ONLY.includes(x.uid))) {
        if (VIEWS.includes('all')) views.push({ d, overrides: ARRIVAL[d.uid], suffix: '' });
        if (d.uid === 'cursor-overview' && VIEWS.includes('group'))
          views.push({ d, overrides: { group: ['grp_web'] }, suffix: ' [group Web]' });
      }
      for (const { d, overrides, suffix } of views) {
        for (const [rangeName, ms] of RANGES) {
          const range: TimeRange = { from: new Date(loadClock.getTime() - ms), to: loadClock };
          const db = reader;
          const variables = await resolveVariables(db, d, range, overrides);
          for (const q0 of [...variableQueries(d), ...panelQueries(d)]) {
            const q = { ...q0, label: q0.label + suffix };
            const run = q.label.includes('/ variable ')
              ? async () =>
                  (
                    await db.query(
                      expandGrafanaSql(q.target.rawSql ?? '', { range, intervalMs: panelIntervalMs(range), variables }),
                    )
                  ).rowCount ?? 0
              : async () => (await runPanelQuery(db, q, range, variables)).rows.length;
            try {
              const t = await timeQuery(backendPid, run);
              timings.push({ label: q.label, range: rangeName, version, ...t });
            } catch (err) {
              // A query over grafana_reader's statement_timeout (30 s, sql/004) fails in Grafana too: recorded as such.
              const error = err instanceof Error ? err.message.split('\n')[0] : String(err);
              log(`${version}: ${q.label} over ${rangeName}: ${error}`);
              timings.push({
                label: q.label,
                range: rangeName,
                version,
                p50: Infinity,
                p95: Infinity,
                cpu: NaN,
                rows: 0,
              });
            }
          }
          log(`${version}: ${d.title}${suffix}: ${rangeName} done (load average ${loadAvg()})`);
        }
      }
    }
    const run = {
      wallS: (Date.now() - t0) / 1000,
      backendCpuS: (cpuMs(backendPid) - cpu0) / 1000,
      load: loadAvg(),
    };
    report(timings, s, run, refresh);
  } finally {
    await reader?.end();
    await owner.close();
    await embedded.stop();
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Milliseconds to one decimal; a query stopped by the statement timeout shows as such. */
const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : 'timeout');

function report(
  timings: Timing[],
  s: { events: number; members: number; rollup: number; size: string },
  run: { wallS: number; backendCpuS: number; load: string },
  refresh: { ms: number; load: string; perView: string },
): void {
  const labels = [...new Set(timings.map((t) => t.label))];
  const width = Math.max(...labels.map((l) => l.length));
  const both = timings.some((t) => t.version === 'before');
  const find = (label: string, range: string, version: Timing['version']) =>
    timings.find((t) => t.label === label && t.range === range && t.version === version);
  const flag = (t: Timing) => (t.p95 > AIM_MS ? '!' : ' ');
  const cell = (label: string, range: string) => {
    const a = find(label, range, 'after');
    const b = find(label, range, 'before');
    const after = a
      ? `${fmt(a.p50).padStart(7)} ${fmt(a.p95).padStart(7)}${flag(a)}${(Number.isNaN(a.cpu) ? '' : a.cpu.toFixed(0)).padStart(6)}`
      : ''.padStart(22);
    const before = both ? (b ? `${fmt(b.p95).padStart(8)}${flag(b)}` : ''.padStart(9)) : '';
    return `${before}${after}  `;
  };
  const head = both ? '  before p95  p50     p95    cpu  ' : '  p50     p95    cpu  ';
  const lines = [
    `Dashboard queries on ${s.members.toLocaleString('en-US')} developers x ${DAYS} days, ${s.events.toLocaleString('en-US')} raw usage events` +
      `${RAW_DAYS !== undefined ? ` (last ${RAW_DAYS} days kept raw)` : ''}, ${s.rollup.toLocaleString('en-US')} user-model-day rollup rows (${s.size}); ` +
      `${RUNS} timed runs each after one warm-up. Wall ms (p50, p95) and the PostgreSQL backend's mean CPU ms per run${both ? `; "before" is ${BASELINE}'s dashboards, p95 only, timed in the same run` : ''}.`,
    `Timing took ${run.wallS.toFixed(0)} s wall, ${run.backendCpuS.toFixed(1)} s backend CPU; load average at the end ${run.load} (1, 5, 15 min).`,
    `Keeping the chargeback tables on the current cycle took ${(refresh.ms / 1000).toFixed(1)} s wall at load average ${refresh.load} (${refresh.perView}).`,
    '',
    `${'query'.padEnd(width)}  ${RANGES.map(([r]) => `${r}:`.padEnd(head.length)).join('')}`,
    `${''.padEnd(width)}  ${RANGES.map(() => head).join('')}`,
  ];
  for (const label of labels) {
    lines.push(`${label.padEnd(width)}  ${RANGES.map(([r]) => cell(label, r)).join('')}`);
  }
  for (const version of both ? (['before', 'after'] as const) : (['after'] as const)) {
    const mine = timings.filter((t) => t.version === version);
    const over = mine.filter((t) => t.p95 > AIM_MS);
    const worst = [...mine].sort((a, b) => b.p95 - a.p95)[0];
    lines.push(
      '',
      `${both ? `${version}: ` : ''}${mine.length} query x range measurements; ${over.length} above the ${AIM_MS} ms p95 aim (marked !). ` +
        `Slowest: ${worst.label} over ${worst.range}, p95 ${fmt(worst.p95)} ms (backend CPU ${worst.cpu.toFixed(0)} ms).`,
    );
  }
  console.log(lines.join('\n'));
  const outDir = path.join(REPO_ROOT, 'bench-results');
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `dashboards-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(
    file,
    JSON.stringify(
      { users: USERS, days: DAYS, rawDays: RAW_DAYS, baseline: BASELINE, ...s, runs: RUNS, run, refresh, timings },
      null,
      2,
    ),
  );
  log(`figures written to ${path.relative(REPO_ROOT, file)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
