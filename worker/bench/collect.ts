/**
 * bench:collect — the collector against a simulated Cursor API served by `npm run simulate` in its own process,
 * into an embedded PostgreSQL (its own processes), so the figures are the worker's own. Three measurements:
 *
 *  1. Backfill memory: the worker itself, launched as `npm start` launches it, backfills --days days of --developers
 *     simulated developers unpaced (the simulator without rate limits; --events-per-min paces the worker's own client,
 *     e.g. 60, Cursor's ceiling, to see its memory when it mostly waits); prints events, wall and CPU time, and the
 *     worker process's peak RSS (VmHWM).
 *  2. Pacer: a second backfill of --paced-developers developers with the simulator and the client both at Cursor's
 *     documented ceiling on the events endpoint (--ceiling, 60 a minute: /work/shared/design/cursor-api.md, "Rate
 *     limits are per team, per endpoint") and prints the events run's wall time ÷ (pages ÷ rate).
 *  3. Storing: the same --store-events events (read from the simulator) stored as the collector stores them, a page of
 *     1,000 at a time (storeEventPages: the next page prepared while the current one is stored), then the rollups moved once
 *     (flushPendingRollups, inside the timed span: the days were empty, so it sums their events), and COPYed raw into an unindexed table, alternately, side by side, in fresh tables each round; with the
 *     embedded PostgreSQL's CPU for each, and the store's rate over the first and the last tenth of its pages. Then the
 *     same store again on days that already hold data (an hourly pass's path: every page adds pending rows).
 *
 *  4. Flushing: one synthetic day of --flush-developers developers' pending rows into the rollups (flushing() says how).
 *
 * Section 1's diagnostics: BENCH_MEM_TRACE=1 prints the worker's RSS at each line it logs; BENCH_WORKER_FLAGS adds node
 * flags to the worker's (e.g. "--trace-gc", printed with BENCH_MEM_TRACE=1).
 *
 *   npm run bench:collect -- [--developers 1000] [--days 27] [--events-per-min 10000] [--paced-developers 100] [--ceiling 60]
 *                            [--store-events 100000] [--flush-developers 20000]
 *                            [--skip backfill,paced,store,flush]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pino from 'pino';
import { collectOnce } from '../src/collector/collect';
import { eventDedupeKey } from '../src/collector/dedupe';
import { followChargebackCycle } from '../src/collector/chargeback-cycle';
import { addInsertedToPending, flushPendingRollups } from '../src/collector/rollup-pending';
import { ensureEventPartitions, storeEventPages } from '../src/collector/store-events';
import { CursorClient } from '../src/cursor/client';
import type { UsageEvent } from '../src/cursor/schemas';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded';
import { migrateToLatest } from '../src/db/migrate';
import { createDb } from '../src/db/pool';
import { npmLaunch } from '../tools/build/npm-launch';

/** Section 1's events pacing when none is asked: far above what a backfill's pages need, so nothing waits. */
const UNPACED = 10_000;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const skip = (process.argv.includes('--skip') ? process.argv[process.argv.indexOf('--skip') + 1] : '').split(',');
const WORKER_DIR = path.resolve(__dirname, '..');
const API_KEY = 'key_' + 'ee'.repeat(32);
const DAY_MS = 86_400_000;

const loadAvg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
const cpuS = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

/**
 * CPU seconds the embedded PostgreSQL has used so far: the postmaster with its exited children (cutime, cstime) plus
 * its live children (backends, WAL writer, checkpointer). The database's share of the work, which wall time under a
 * shared machine's load does not show.
 */
function postgresCpuS(dataDir: string): number {
  const ticks = 100; // USER_HZ on Linux
  const stat = (pid: string) => {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on: the name may hold spaces
  };
  const postmaster = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0].trim();
  const pm = stat(postmaster);
  let total = Number(pm[11]) + Number(pm[12]) + Number(pm[13]) + Number(pm[14]); // utime stime cutime cstime
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const f = stat(pid);
      if (f[1] === postmaster) total += Number(f[11]) + Number(f[12]);
    } catch {
      // gone since readdir
    }
  }
  return total / ticks;
}

/** `npm run simulate` in its own process group; resolves with its URL once it listens. */
async function startSimulator(
  args: string[],
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn('npm', ['run', '--silent', 'simulate', '--', '--port', '0', '--key', API_KEY, ...args], {
    cwd: WORKER_DIR,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /CURSOR_API_BASE_URL=(\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`npm run simulate exited with ${code} before listening:\n${out}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(-child.pid!, 'SIGTERM'); // the group: npm and the node it started
    });
  return { url, child, stop };
}

async function freshDatabase(admin: pg.Pool, base: string, name: string) {
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  const handle = createDb(url.toString(), 4);
  await migrateToLatest(handle.db);
  return { handle, url: url.toString() };
}

/** A process's peak resident set (VmHWM) in MiB and CPU seconds (utime + stime), read from /proc while it lives. */
function processFigures(pid: number): { peakMiB: number; cpuS: number } {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return { peakMiB: Number(hwm![1]) / 1024, cpuS: (Number(f[11]) + Number(f[12])) / 100 };
}

/**
 * Section 1: the worker itself, as `npm start` runs it (its bundle, V8 flags and malloc arenas: tools/build/npm-launch.ts),
 * pointed at the bench's database and the simulator, its rate limits out of the way. Its first run is the backfill;
 * its figures are read from /proc when it logs the backfill's summary, then it is stopped (before its detection).
 */
async function backfill(admin: pg.Pool, base: string, developers: number, days: number, eventsPerMin: number) {
  const sim = await startSimulator([
    '--size',
    String(developers),
    '--history-days',
    String(days + 5),
    '--no-rate-limits',
  ]);
  try {
    const { handle, url } = await freshDatabase(admin, base, 'bench_backfill');
    await handle.close();
    execFileSync(process.execPath, [path.join(WORKER_DIR, 'tools/build/main.mjs')], { stdio: 'inherit' });
    return await workerBackfill(url, sim.url, developers, days, eventsPerMin);
  } finally {
    await sim.stop();
  }
}

/** The worker, started as `npm start` starts it, until it logs its first run's summary; then it is stopped. */
async function workerBackfill(
  databaseUrl: string,
  apiUrl: string,
  developers: number,
  days: number,
  eventsPerMin: number,
) {
  const load0 = loadAvg();
  const t0 = performance.now();
  const launch = npmLaunch('start');
  const worker = spawn(
    process.execPath,
    [...launch.flags, ...(process.env.BENCH_WORKER_FLAGS?.split(' ').filter(Boolean) ?? []), launch.entry],
    {
      env: {
        ...process.env,
        ...launch.env,
        DATABASE_URL: databaseUrl,
        CURSOR_ADMIN_API_KEY: API_KEY,
        CURSOR_API_BASE_URL: apiUrl,
        CURSOR_RATE_LIMIT_PER_MIN: '10000',
        CURSOR_EVENTS_RATE_LIMIT_PER_MIN: String(eventsPerMin),
        BACKFILL_DAYS: String(days),
        RESTATE_DAYS: '2',
        WORKER_API_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const { summary, firstDay, done } = await new Promise<{
      summary: { events: { inserted: number; duplicates: number }; durationMs: number; errors: unknown[] };
      firstDay: { peakMiB: number };
      done: { peakMiB: number; cpuS: number };
    }>((resolve, reject) => {
      let firstDay: { peakMiB: number } | undefined;
      let rest = '';
      worker.stdout!.on('data', (chunk: Buffer) => {
        const lines = (rest + chunk.toString()).split('\n');
        rest = lines.pop()!;
        for (const line of lines) {
          if (!line.startsWith('{')) {
            if (process.env.BENCH_MEM_TRACE) console.log(`   worker: ${line}`); // e.g. node --trace-gc
            continue;
          }
          const entry = JSON.parse(line) as { msg: string; level: number; day?: string; summary?: never };
          if (entry.level >= 50) console.log(`   worker: ${entry.msg}`);
          // BENCH_MEM_TRACE=1: the worker's resident set at each line it logs, to see which step raises the peak.
          if (process.env.BENCH_MEM_TRACE) {
            const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${worker.pid}/status`, 'utf8'))![1];
            const { peakMiB } = processFigures(worker.pid!);
            console.log(
              `   ${((performance.now() - t0) / 1000).toFixed(1)} s  rss ${Math.round(Number(rss) / 1024)} MiB, peak ${peakMiB.toFixed(0)}: ${entry.msg.slice(0, 60)} ${entry.day ?? ''}`,
            );
          }
          if (!firstDay && entry.msg.startsWith('backfill: usage events collected'))
            firstDay = processFigures(worker.pid!);
          if (entry.msg.startsWith('collection finished')) {
            const done = processFigures(worker.pid!);
            resolve({ summary: entry.summary!, firstDay: firstDay ?? done, done });
          }
        }
      });
      worker.on('exit', (code) => reject(new Error(`the worker exited with ${code} before its backfill finished`)));
    });
    const wall = (performance.now() - t0) / 1000;
    console.log(
      `\n1. Backfill of ${days} days, ${developers.toLocaleString()} developers: the worker as npm start runs it ` +
        `(${[...launch.flags, path.relative(WORKER_DIR, launch.entry)].join(' ')}, ${JSON.stringify(launch.env)}), ` +
        `the simulator in its own process, ${eventsPerMin >= UNPACED ? 'unpaced' : `events paced at ${eventsPerMin} requests a minute by the worker`}`,
    );
    console.log(
      `   events          ${summary.events.inserted.toLocaleString()} stored (${summary.events.duplicates} duplicates) in ${(summary.durationMs / 1000).toFixed(1)} s ` +
        `(${wall.toFixed(1)} s from the worker's launch), ${done.cpuS.toFixed(1)} s worker CPU; load average ${load0} → ${loadAvg()}`,
    );
    console.log(
      `   end to end      ${Math.round(summary.events.inserted / (summary.durationMs / 1000)).toLocaleString()} events/s`,
    );
    console.log(
      `   worker peak RSS ${done.peakMiB.toFixed(0)} MiB (VmHWM of the worker's process; ${firstDay.peakMiB.toFixed(0)} MiB after ` +
        `its start-up and the first day) — aim < 300 MB (286 MiB)`,
    );
    if (summary.errors.length) console.log('   ERRORS', summary.errors);
    return { events: summary.events.inserted, wall, cpu: done.cpuS, peakMiB: done.peakMiB };
  } finally {
    await new Promise<void>((resolve) => {
      if (worker.exitCode !== null) return resolve();
      worker.once('exit', () => resolve());
      worker.kill('SIGTERM');
    });
  }
}

async function paced(admin: pg.Pool, base: string, developers: number, ceiling: number) {
  const days = 30;
  const sim = await startSimulator([
    '--size',
    String(developers),
    '--history-days',
    String(days + 5),
    '--events-per-minute',
    String(ceiling),
  ]);
  const { handle } = await freshDatabase(admin, base, 'bench_paced');
  try {
    // The other endpoints unpaced (the simulator's own limits for them are generous next to one page each).
    const client = new CursorClient({
      baseUrl: sim.url,
      apiKey: API_KEY,
      rateLimits: { admin: 20, events: ceiling, analytics: 100 },
    });
    const load0 = loadAvg();
    const cpu0 = process.cpuUsage();
    const summary = await collectOnce(
      { db: handle.db, client, log: pino({ level: 'warn' }), config: { BACKFILL_DAYS: days, RESTATE_DAYS: 2 } },
      { trigger: 'bench', now: new Date() },
    );
    const cpu = cpuS(cpu0);
    const run = await sql<{ pages: number; duration_ms: number; rate_limited: number }>`
      SELECT pages, duration_ms, rate_limited FROM collection_runs WHERE endpoint = 'usage_events'`.execute(handle.db);
    const { pages, duration_ms: ms, rate_limited: limited } = run.rows[0];
    const minimum = (pages / ceiling) * 60;
    // A rolling minute lets the first `ceiling` requests go at once: the least any client could take is this.
    const rollingMinimum = (Math.max(0, pages - ceiling) / ceiling) * 60;
    console.log(
      `\n2. Backfill paced at Cursor's documented ceiling: ${ceiling} requests a minute on the events endpoint`,
    );
    console.log(
      `   ${summary.events.inserted.toLocaleString()} events in ${pages} pages: events run ${(ms / 1000).toFixed(1)} s wall, ` +
        `${cpu.toFixed(1)} s worker CPU for the whole collection; ${limited} answered 429; load average ${load0} → ${loadAvg()}`,
    );
    console.log(
      `   wall ÷ (pages ÷ rate) = ${(ms / 1000).toFixed(1)} ÷ ${minimum.toFixed(1)} = ${(ms / 1000 / minimum).toFixed(2)} (aim ≤ 1.1); ` +
        `÷ the rolling-minute minimum ((pages − ${ceiling}) ÷ rate = ${rollingMinimum.toFixed(1)} s) = ${rollingMinimum > 0 ? (ms / 1000 / rollingMinimum).toFixed(2) : 'n/a'}`,
    );
    return { pages, seconds: ms / 1000, ratio: ms / 1000 / minimum };
  } finally {
    await handle.close();
    await sim.stop();
  }
}

/** The usage_events columns a raw COPY writes, in the order of copyLine. */
const COPY_COLUMNS =
  'event_ts, dedupe_key, day, user_email, model, kind, max_mode, requests_costs, is_token_based_call, is_chargeable, ' +
  'is_headless, input_tokens, output_tokens, cache_write_tokens, cache_read_tokens, token_total_cents, charged_cents, ' +
  'cursor_token_fee, conversation_id';
const esc = (v: string | null | undefined) =>
  v == null ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
function copyLine(e: UsageEvent): string {
  const t = e.tokenUsage;
  const ts = new Date(e.timestamp);
  return (
    [
      ts.toISOString(),
      '\\\\x' + eventDedupeKey(e),
      ts.toISOString().slice(0, 10),
      esc(e.userEmail.toLowerCase()),
      esc(e.model),
      esc(e.kind),
      e.maxMode ? 't' : 'f',
      String(e.requestsCosts),
      e.isTokenBasedCall ? 't' : 'f',
      e.isChargeable ? 't' : 'f',
      e.isHeadless ? 't' : 'f',
      String(t?.inputTokens ?? 0),
      String(t?.outputTokens ?? 0),
      String(t?.cacheWriteTokens ?? 0),
      String(t?.cacheReadTokens ?? 0),
      String(t?.totalCents ?? 0),
      String(e.chargedCents),
      String(e.cursorTokenFee ?? 0),
      esc(e.conversationId ?? null),
    ].join('\t') + '\n'
  );
}

/** The pages as the collector's source hands them out, one at a time. */
async function* toAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

async function storing(admin: pg.Pool, base: string, pgDataDir: string, developers: number, want: number) {
  const sim = await startSimulator(['--size', String(developers), '--history-days', '35', '--no-rate-limits']);
  const events: UsageEvent[] = [];
  try {
    const client = new CursorClient({
      baseUrl: sim.url,
      apiKey: API_KEY,
      rateLimits: { admin: 0, events: 0, analytics: 0 },
    });
    const end = Date.now();
    for await (const page of client.usageEventPages(end - 30 * DAY_MS, end)) {
      events.push(...page.events);
      if (events.length >= want) break;
    }
  } finally {
    await sim.stop();
  }
  const pages: UsageEvent[][] = [];
  for (let i = 0; i < events.length; i += 1000) pages.push(events.slice(i, i + 1000));
  const { handle, url } = await freshDatabase(admin, base, 'bench_store');
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  // The collector commits its event pages without waiting for the WAL flush (store-events.ts says why it is safe):
  // the raw COPY gets the same, so the two differ only in the work each does.
  await raw.query('SET synchronous_commit = off');
  interface Stored {
    store: number;
    storeCpu: number;
    storePgCpu: number;
    tenths: [first: number, last: number];
    rollups: number;
    pending: number;
  }
  const rounds: (Stored & { copy: number; copyCpu: number; copyPgCpu: number; held: Stored })[] = [];
  const days = [...new Set(events.map((e) => new Date(e.timestamp).toISOString().slice(0, 10)))];
  /**
   * The events stored into emptied tables, timed with the flush. `held`: each of their days already holds a rollup row
   * (a placeholder developer's), so no day is fresh and every page adds its pending rows: an hourly pass's path.
   * Without it every day is fresh (a backfill's path: the flush sums the days' events).
   */
  const timeStore = async (held: boolean): Promise<Stored> => {
    await sql`TRUNCATE usage_events, user_daily_rollup, user_model_daily_rollup, model_daily_rollup, user_kind_daily_rollup, hourly_rollup`.execute(
      handle.db,
    );
    if (held)
      await sql`INSERT INTO user_daily_rollup (user_email, day) SELECT 'held-day@bench.invalid', d::date
        FROM unnest(${days}::text[]) d`.execute(handle.db);
    await raw.query('CHECKPOINT');
    const cpu0 = process.cpuUsage();
    const pg0 = postgresCpuS(pgDataDir);
    const t0 = performance.now();
    // As the collector stores a day's pages: the next page prepared while the current one is stored. A page's time
    // is from the previous page's `more` (just before its commit) to its own.
    const pageSeconds: number[] = [];
    let t = performance.now();
    await storeEventPages(handle.db, toAsync(pages.map((events) => ({ events }))), async () => {
      const now = performance.now();
      pageSeconds.push((now - t) / 1000);
      t = now;
    });
    // The rollups moved once, as the collector does after a day's pages: part of the cost of storing, so inside
    // the timed span.
    const r0 = performance.now();
    const pending = await flushPendingRollups(handle.db);
    const rollups = (performance.now() - r0) / 1000;
    const store = (performance.now() - t0) / 1000;
    // The first and the last tenth of the pages: a store that slows down as the month's partition fills shows here.
    const tenth = Math.max(1, Math.floor(pages.length / 10));
    const rate = (ps: number[], pp: UsageEvent[][]) =>
      pp.reduce((n, p) => n + p.length, 0) / ps.reduce((a, b) => a + b, 0);
    const tenths: [number, number] = [
      rate(pageSeconds.slice(0, tenth), pages.slice(0, tenth)),
      rate(pageSeconds.slice(-tenth), pages.slice(-tenth)),
    ];
    return { store, storeCpu: cpuS(cpu0), storePgCpu: postgresCpuS(pgDataDir) - pg0, tenths, rollups, pending };
  };
  try {
    for (let round = 1; round <= 2; round++) {
      // Fresh tables each round: every event is new to both.
      await raw.query(`DROP TABLE IF EXISTS raw_copy; CREATE TABLE raw_copy (LIKE usage_events INCLUDING DEFAULTS)`);
      const fresh = await timeStore(false);
      await raw.query('CHECKPOINT');
      const cpu0 = process.cpuUsage();
      const pg0 = postgresCpuS(pgDataDir);
      const t0 = performance.now();
      for (const page of pages) {
        const stream = raw.query(copyFrom(`COPY raw_copy (${COPY_COLUMNS}) FROM STDIN`));
        await pipeline(Readable.from([page.map(copyLine).join('')]), stream);
      }
      const copy = (performance.now() - t0) / 1000;
      const copyCpu = cpuS(cpu0);
      const copyPgCpu = postgresCpuS(pgDataDir) - pg0;
      const held = await timeStore(true);
      rounds.push({ ...fresh, copy, copyCpu, copyPgCpu, held });
    }
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM usage_events`.execute(handle.db);
    const copied = await raw.query<{ n: number }>('SELECT count(*)::int AS n FROM raw_copy');
    console.log(
      `\n3. Storing ${events.length.toLocaleString()} events a page of 1,000 at a time (one transaction per page), two rounds, side by side; ` +
        `the first figure is a backfill's path (every day fresh: the flush sums the days' events)`,
    );
    for (const [i, r] of rounds.entries()) {
      const s = events.length / r.store;
      const c = events.length / r.copy;
      console.log(
        `   round ${i + 1}: stored ${Math.round(s).toLocaleString()} events/s (${r.store.toFixed(1)} s wall, of which ${r.rollups.toFixed(1)} s adding ${r.pending.toLocaleString()} rows to the rollups; ${r.storeCpu.toFixed(1)} s worker CPU) · ` +
          `raw COPY into an unindexed table ${Math.round(c).toLocaleString()} rows/s (${r.copy.toFixed(1)} s, ${r.copyCpu.toFixed(1)} s CPU) · ` +
          `ratio ${(s / c).toFixed(2)} (aim ≥ 0.5); load average ${loadAvg()}`,
      );
      console.log(
        `            PostgreSQL CPU: storing ${r.storePgCpu.toFixed(1)} s, raw COPY ${r.copyPgCpu.toFixed(1)} s (ratio ${(r.copyPgCpu / r.storePgCpu).toFixed(2)}); ` +
          `pages: first tenth ${Math.round(r.tenths[0]).toLocaleString()} events/s, last tenth ${Math.round(r.tenths[1]).toLocaleString()} events/s`,
      );
      const h = events.length / r.held.store;
      console.log(
        `            the same events on days that already hold data (an hourly pass's path, every page adding pending rows): ` +
          `${Math.round(h).toLocaleString()} events/s (${r.held.store.toFixed(1)} s, of which ${r.held.rollups.toFixed(1)} s adding ` +
          `${r.held.pending.toLocaleString()} pending rows; PostgreSQL CPU ${r.held.storePgCpu.toFixed(1)} s) · ratio ${(h / c).toFixed(2)}`,
      );
    }
    console.log(`   rows stored ${stored.rows[0].n.toLocaleString()}, copied ${copied.rows[0].n.toLocaleString()}`);
    return rounds;
  } finally {
    await raw.end();
    await handle.close();
  }
}

/**
 * 4. Moving the rollups at a size no simulator backfill here reaches: one day of `developers` × 23 synthetic events
 * (5 models, 3 kinds, over the day's first 23 hours) inserted by SQL with their pending rows, and flushed into empty
 * rollups; then the day's last hour, one event per developer, flushed into the full ones (what an hourly pass late
 * in the day does). Every developer is in one of 20 billing groups, filed in it that day, in a cycle that began on
 * the 1st, so the flush also moves the per-group rollups and the cycle's chargeback (sql/020 and sql/021's triggers),
 * as it does for a team with groups.
 */
async function flushing(admin: pg.Pool, base: string, developers: number) {
  const { handle } = await freshDatabase(admin, base, 'bench_flush');
  const day = '2026-11-18';
  await sql`INSERT INTO billing_groups (group_id, name) SELECT 'g' || g, 'Group ' || g FROM generate_series(1, 20) g`.execute(
    handle.db,
  );
  await sql`INSERT INTO billing_group_members (group_id, email)
    SELECT 'g' || (1 + d % 20), 'dev' || d || '@example.org' FROM generate_series(1, ${developers}) d`.execute(
    handle.db,
  );
  await sql`INSERT INTO member_group_days (email, day, group_id)
    SELECT email, ${day}::date, group_id FROM billing_group_members`.execute(handle.db);
  await sql`INSERT INTO member_spend (email, cycle_start, spend_cents, overall_spend_cents)
    SELECT email, date_trunc('month', ${day}::date), 0, 0 FROM billing_group_members`.execute(handle.db);
  await followChargebackCycle(handle.db);
  const addEvents = (fromHour: number, hours: number, perDeveloper: number) =>
    handle.db.transaction().execute(async (tx) => {
      await sql`INSERT INTO usage_events (event_ts, dedupe_key, day, user_email, model, kind, max_mode, is_chargeable,
          charged_cents, cursor_token_fee, requests_costs, input_tokens, output_tokens)
        SELECT ${day}::timestamptz + make_interval(hours => ${fromHour}) + (random() * ${hours} * interval '1 hour'),
          decode(md5(d || ':' || i || ':' || ${fromHour}), 'hex') || decode(md5(i || ':' || d), 'hex'), ${day}::date,
          'dev' || d || '@example.org', 'model-' || (i % 5), (ARRAY['Included', 'Usage-based', 'Errored'])[1 + i % 3],
          i % 7 = 0, true, round((random() * 40)::numeric, 6), round((random() * 2)::numeric, 6), 1,
          (random() * 50000)::bigint, (random() * 5000)::bigint
        FROM generate_series(1, ${developers}) d, generate_series(1, ${perDeveloper}) i`.execute(tx);
      await addInsertedToPending(tx, `${day}T00:00:00Z`, `${day}T23:59:59.999Z`);
    });
  const flush = async () => {
    const t = performance.now();
    const rows = await flushPendingRollups(handle.db);
    return `${rows.toLocaleString()} pending rows in ${((performance.now() - t) / 1000).toFixed(2)} s`;
  };
  try {
    await ensureEventPartitions(handle.db, Date.parse(day), Date.parse(day));
    await addEvents(0, 23, 23);
    const dayFlush = await flush();
    await addEvents(23, 1, 1);
    const hourFlush = await flush();
    console.log(`\n4. Moving the rollups of one day of ${developers.toLocaleString()} developers`);
    console.log(
      `   the first 23 hours (${(developers * 23).toLocaleString()} events) into empty rollups: ${dayFlush} · ` +
        `the last hour (${developers.toLocaleString()} events) into the day's rollups: ${hourFlush}; load average ${loadAvg()}`,
    );
  } finally {
    await handle.close();
  }
}

async function main() {
  const developers = arg('developers', 1000);
  const days = arg('days', 27);
  const eventsPerMin = arg('events-per-min', UNPACED);
  const pacedDevelopers = arg('paced-developers', 100);
  const ceiling = arg('ceiling', 60);
  const storeEvents = arg('store-events', 100_000);
  const flushDevelopers = arg('flush-developers', 20_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bench-collect-'));
  fs.chmodSync(dir, 0o777);
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    ephemeral: true,
  });
  const admin = new pg.Pool({ connectionString: embedded.connectionString, max: 1 });
  console.log(`bench:collect on ${os.cpus().length} cores, load average ${loadAvg()} (1, 5, 15 min)`);
  try {
    // First, so that this process's peak RSS is the backfill's.
    if (!skip.includes('backfill')) await backfill(admin, embedded.connectionString, developers, days, eventsPerMin);
    if (!skip.includes('paced')) await paced(admin, embedded.connectionString, pacedDevelopers, ceiling);
    if (!skip.includes('store'))
      await storing(admin, embedded.connectionString, embedded.dataDir, developers, storeEvents);
    if (!skip.includes('flush')) await flushing(admin, embedded.connectionString, flushDevelopers);
  } finally {
    await admin.end();
    await embedded.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
