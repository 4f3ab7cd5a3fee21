/**
 * npm run bench:detect-pass-worker — the WHOLE worker's memory while it runs detection passes (issue #13, target 1:
 * "peak RSS < 500 MB" at 20,000 developers × 90 days). bench:detect-pass measures a pass alone in a process of its own;
 * here the process is the worker `npm start` runs (its bundle dist/cli/start.cjs, V8 flags and malloc arenas, read from
 * worker/package.json by tools/build/npm-launch.ts): pg-boss and every queue's worker, the HTTP API, the notifiers,
 * and the detect queue's own worker running each pass with its series cache, as in production.
 *
 *   npm run bench:detect-pass-worker -- [--developers 20000] [--idle-seconds 30] [--node-flags=--trace-gc]
 * (--node-flags: V8 flags after npm start's, to try others or trace; lines the worker prints that are not its JSON
 * log are echoed as "worker: …")
 *
 * The database: bench:detect-pass's (bench/support/detect-pass-team.ts: the generated T2-weekend team tiled to
 * --developers, 90 days of rollups ending 2026-11-20), on an embedded PostgreSQL of the bench's own (DATABASE_URL).
 * Cursor: a server of the bench on 127.0.0.1 that answers the worker's start-up key check (GET /teams/members) with no
 * members and 404 to anything else, counted and printed; it is the alert webhook too (ALERT_WEBHOOK_URL, so each pass's
 * alert is queued and delivered as a deployment's would be; no Slack, no email); COLLECT_CRON and RESTATE_EVENTS_CRON are set to once a year
 * (Jan 1) and the usage-events watermark is stored, so the worker neither backfills nor collects: what it does is
 * detection. Each pass is a job on the 'detect' queue sent by the bench (detectQueue.send), as a collection sends it;
 * before the passes after the first, the bench records the usage-events collection run an hourly collection would have
 * recorded (window from 6 h, EVENT_OVERLAP_HOURS, before the worker's clock), from which the pass's series cache knows
 * which days to re-read — as bench:detect-pass's child does.
 *
 * The worker's clock: a pass evaluates the worker's today (UTC) and nothing in its configuration sets it, while the
 * data ends on 2026-11-20. The worker runs with libfaketime preloaded (LD_PRELOAD, Debian/Ubuntu package libfaketime),
 * its wall clock offset to the data's days (FAKETIME_TIMESTAMP_FILE, re-read every second; the monotonic clock, which
 * timers and performance.now() use, is left alone). The passes:
 *   first     asOf − 1, 21:00: the first pass after start: the worker filled its series cache when it started
 *             (warmSeriesCache; the bench waits for it and prints its time), and the start-up collection's run is
 *             recorded, so it re-reads that run's days only
 *   hourly    asOf − 1, 22:00: series kept, the days the recorded run touched re-read
 *   next day  asOf,     01:00: series kept and slid one day
 *   hourly    asOf,     02:00: series kept (its anomalies are comparable with bench:detect-pass's at asOf)
 * each --idle-seconds after the previous one (the worker's passes are an hour apart).
 *
 * Figures, read from /proc/<pid>: VmRSS at rest after start-up; for each pass the peak resident set of the worker's
 * process during it (VmHWM, reset before the pass by writing 5 to /proc/<pid>/clear_refs) and in the idle time before
 * it (when the previous pass's notifications are delivered), VmRSS sampled every 100 ms as a check, the
 * process's CPU time, the pass's wall time as the worker logs it (durationMs, phasesMs) and from the job's send to that
 * log line, os.loadavg(), and the machine's speed just before and after the pass (bench/support/machine-probe.ts, in
 * the bench's process: the same fixed loop's ms; this machine's cores run it at 467–791 ms). The anomalies each pass
 * stored are counted by tile of developers (t<k>#…), so an empty pass or one over part of the team shows.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { PgBoss } from 'pg-boss';
import { addDays } from '@cursor-cost-watch/contract';
import type { Db } from '../src/db/database';
import { freePort } from '../src/db/embedded';
import { detectQueue } from '../src/jobs/queues';
import { withBenchDatabase } from './support/database';
import { machineProbeMs } from './support/machine-probe';
import {
  BASE,
  detectPassTeam,
  growDetectPassTeam,
  storeDetectPassTeam,
  storedCounts,
} from './support/detect-pass-team';
import { workerDir } from '../tools/build/bundle.mjs';
import { npmLaunch } from '../tools/build/npm-launch';

const { values: args } = parseArgs({
  options: {
    developers: { type: 'string', default: '20000' },
    'idle-seconds': { type: 'string', default: '30' },
    'node-flags': { type: 'string', default: '' },
  },
});
const DEVELOPERS = Number(args.developers);
const IDLE_MS = Number(args['idle-seconds']) * 1000;
const API_KEY = 'key_' + 'bb'.repeat(32);
const OVERLAP_HOURS = 6; // EVENT_OVERLAP_HOURS' default: an hourly run reads from 6 h before its watermark
const NEVER = '0 0 1 1 *'; // once a year, on Jan 1: no collection during the bench
const FAKETIME_LIBS = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1',
  '/usr/lib/faketime/libfaketime.so.1',
  '/usr/local/lib/faketime/libfaketime.so.1',
];

const loadAvg = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(' ');
const mib = (kB: number) => Math.round(kB / 1024);

/** The worker process's figures from /proc: resident set now and at its peak (kB), CPU seconds. */
function proc(pid: number): { rssKb: number; hwmKb: number; cpuS: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
  return {
    rssKb: Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]),
    hwmKb: Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]),
    cpuS: (Number(f[11]) + Number(f[12])) / 100, // utime + stime, in clock ticks of 1/100 s
  };
}

/** Starts a new peak: VmHWM becomes the current resident set (Linux, /proc/<pid>/clear_refs, value 5). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** A span of the worker's life: its peak (VmHWM, reset at the start), its sampled peak, its CPU. */
async function measured<T>(pid: number, work: () => Promise<T>) {
  resetPeak(pid);
  const before = proc(pid);
  let sampledKb = before.rssKb;
  const sampler = setInterval(() => {
    try {
      sampledKb = Math.max(sampledKb, proc(pid).rssKb);
    } catch {
      // the worker has exited: the bench reports it
    }
  }, 100);
  const t0 = performance.now();
  try {
    const result = await work();
    const after = proc(pid);
    return {
      result,
      restKb: before.rssKb,
      peakKb: after.hwmKb,
      sampledKb: Math.max(sampledKb, after.rssKb),
      endKb: after.rssKb,
      cpuS: after.cpuS - before.cpuS,
      ms: performance.now() - t0,
    };
  } finally {
    clearInterval(sampler);
  }
}

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

interface PassLog extends LogLine {
  asOf: string;
  anomalies: number;
  opened: number;
  queued: number;
  nudged: number;
  durationMs: number;
  phasesMs: Record<string, number>;
  reread?: string;
  slidDays?: number;
}

/** The worker's log: every line kept, counted by message; waiters for a message. */
class WorkerLog {
  readonly counts = new Map<string, number>();
  private waiters: { msg: string; resolve: (l: LogLine) => void }[] = [];
  private rest = '';

  feed(chunk: Buffer): void {
    const lines = (this.rest + chunk.toString()).split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith('{')) {
        if (line.trim()) console.log(`   worker: ${line}`);
        continue;
      }
      const entry = JSON.parse(line) as LogLine;
      this.counts.set(entry.msg, (this.counts.get(entry.msg) ?? 0) + 1);
      if (entry.level >= 40) console.log(`   worker ${entry.level >= 50 ? 'error' : 'warning'}: ${line.slice(0, 400)}`);
      if (entry.msg === 'idle heap released') {
        const r = entry as unknown as { after: string; ms: number; rssBeforeMiB: number; rssAfterMiB: number };
        console.log(
          `   the worker released its idle heap after the ${r.after} in ${r.ms} ms: RSS ${r.rssBeforeMiB} → ${r.rssAfterMiB} MiB`,
        );
      }
      for (const w of this.waiters.filter((x) => x.msg === entry.msg)) w.resolve(entry);
      this.waiters = this.waiters.filter((x) => x.msg !== entry.msg);
    }
  }

  next(msg: string, timeoutMs: number): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${msg}" from the worker in ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      timer.unref(); // a message that never comes does not hold the bench open
      this.waiters.push({
        msg,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }
}

/**
 * The bench's HTTP server on 127.0.0.1, two roles: Cursor for the worker (its start-up key check answered with no
 * members, anything else 404) and the alert webhook (POST /alerts: 200). Every request counted.
 */
async function startServer(): Promise<{ url: string; requests: Map<string, number>; close: () => Promise<void> }> {
  const requests = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const route = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
    requests.set(route, (requests.get(route) ?? 0) + 1);
    req.resume();
    res.setHeader('content-type', 'application/json');
    if (route === 'GET /teams/members') res.end(JSON.stringify({ teamMembers: [] }));
    else if (route === 'POST /alerts') req.on('end', () => res.end('{}'));
    else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: 'not served by bench:detect-pass-worker' }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The worker's wall clock: libfaketime's offset in seconds from the real one, re-read by the worker every second. */
class WorkerClock {
  constructor(readonly file: string) {}
  set(iso: string): void {
    const offset = Math.round((Date.parse(iso) - Date.now()) / 1000);
    writeFileSync(this.file, `${offset >= 0 ? '+' : ''}${offset}\n`);
  }
}

interface Pass {
  label: string;
  clock: string;
  /** Whether the collection run an hourly collection leaves is recorded before the pass. */
  run: boolean;
  expect: (p: PassLog) => string | null;
}

async function main(): Promise<void> {
  const lib = FAKETIME_LIBS.find((p) => existsSync(p));
  if (!lib)
    throw new Error(
      `libfaketime not found (${FAKETIME_LIBS.join(', ')}): install it (apt-get install libfaketime) to set the worker's clock`,
    );
  // As npm start does: the bundle first (tools/build/main.mjs).
  execFileSync(process.execPath, [path.join(workerDir, 'tools/build/main.mjs')], { stdio: 'inherit' });
  const launch = npmLaunch('start');
  const team = detectPassTeam();
  const asOf = team.asOf;
  const dayBefore = addDays(asOf, -1);
  const passes: Pass[] = [
    { label: 'first', clock: `${dayBefore}T21:00:00Z`, run: true, expect: (p) => rereads(p, dayBefore, 0) },
    { label: 'hourly', clock: `${dayBefore}T22:00:00Z`, run: true, expect: (p) => rereads(p, dayBefore, 0) },
    { label: 'next day', clock: `${asOf}T01:00:00Z`, run: true, expect: (p) => rereads(p, dayBefore, 1) },
    { label: 'hourly', clock: `${asOf}T02:00:00Z`, run: true, expect: (p) => rereads(p, dayBefore, 0) },
  ];
  const seed0 = performance.now();
  await withBenchDatabase('detect-pass-worker', 2, async ({ db, url }) => {
    await growDetectPassTeam(db, await storeDetectPassTeam(db, team), DEVELOPERS);
    const c = await storedCounts(db);
    // The first-run backfill is queued when usage events were never collected: they were, up to the data's end.
    await db
      .insertInto('collection_watermarks')
      .values({ endpoint: 'usage_events', watermark: new Date(`${asOf}T23:00:00Z`) })
      .execute();
    console.log(
      `the whole worker running detection passes: T2-weekend tiled from ${BASE} to ${c.u.toLocaleString('en-US')} developers ` +
        `(${c.d.toLocaleString('en-US')} user-days, ${c.m.toLocaleString('en-US')} user-model-days, data up to ${asOf}), ` +
        `seeded in ${((performance.now() - seed0) / 1000).toFixed(0)} s; ${os.cpus().length} cores shared; ` +
        `started ${new Date().toISOString()}`,
    );
    const cursor = await startServer();
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'cw-bench-worker-clock-'));
    const clock = new WorkerClock(path.join(tmp, 'faketime'));
    clock.set(passes[0].clock);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Whatever a .env beside the repository says (bootstrap.ts loadDotEnv), no channel gets the bench's alerts.
      ...Object.fromEntries(
        [
          'SLACK_WEBHOOK_URL',
          'SMTP_HOST',
          'SMTP_USER',
          'SMTP_PASS',
          'ALERT_EMAIL_FROM',
          'ALERT_EMAIL_TO',
          'WORKER_API_TOKEN',
          'CURSOR_ANALYTICS_API_KEY',
          'CURSOR_CAPTURE_DIR',
        ].map((k) => [k, '']),
      ),
      ...launch.env,
      DATABASE_URL: url,
      CURSOR_ADMIN_API_KEY: API_KEY,
      CURSOR_API_BASE_URL: cursor.url,
      ALERT_WEBHOOK_URL: `${cursor.url}/alerts`,
      COLLECT_CRON: NEVER,
      RESTATE_EVENTS_CRON: NEVER,
      WORKER_API_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      LD_PRELOAD: lib,
      FAKETIME_TIMESTAMP_FILE: clock.file,
      FAKETIME_CACHE_DURATION: '1',
      FAKETIME_DONT_FAKE_MONOTONIC: '1',
    };
    const log = new WorkerLog();
    const started = log.next('worker started', 120_000);
    const warmed = log.next('detection: series cache filled', 900_000);
    const warmFailed = log.next(
      'detection: filling the series cache at start failed; the first pass reads all',
      900_000,
    );
    for (const waiter of [warmed, warmFailed]) waiter.catch(() => undefined); // the one that never comes times out
    const flags = [...launch.flags, ...args['node-flags'].split(/\s+/).filter(Boolean)];
    const worker = spawn(process.execPath, [...flags, launch.entry], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = worker.pid!;
    worker.stdout.on('data', (chunk: Buffer) => log.feed(chunk));
    const exited = new Promise<never>((_, reject) =>
      worker.on('exit', (code, signal) => reject(new Error(`the worker exited (${code ?? signal})`))),
    );
    exited.catch(() => undefined);
    let boss: PgBoss | undefined;
    try {
      await Promise.race([started, exited]);
      console.log(
        `worker: ${[...flags, path.relative(workerDir, launch.entry)].join(' ')} ${JSON.stringify(launch.env)}, ` +
          `pid ${pid}, COLLECT_CRON and RESTATE_EVENTS_CRON "${NEVER}", Cursor at ${cursor.url} (key check only), ` +
          `alerts to a webhook there (ALERT_WEBHOOK_URL; no Slack, no email), ` +
          `clock by libfaketime (${path.basename(lib)}); passes --idle-seconds ${IDLE_MS / 1000} apart`,
      );
      const warm = (await Promise.race([warmed, warmFailed, exited])) as unknown as { msg: string; ms: number };
      if (warm.msg !== 'detection: series cache filled') throw new Error(`the worker's warm-up failed: ${warm.msg}`);
      console.log(`the series cache filled at start in ${(warm.ms / 1000).toFixed(1)} s (warmSeriesCache)`);
      await sleep(IDLE_MS);
      const rest = proc(pid);
      console.log(
        `at rest after start-up: VmRSS ${mib(rest.rssKb)} MiB (peak since launch ${mib(rest.hwmKb)} MiB), ` +
          `CPU ${rest.cpuS.toFixed(1)} s; loadavg ${loadAvg()}; ${new Date().toISOString()}`,
      );
      boss = new PgBoss({ connectionString: url, supervise: false, schedule: false, migrate: false });
      boss.on('error', (err: Error) => console.log(`   bench's pg-boss: ${err.message}`));
      await boss.start();
      let processPeakKb = rest.hwmKb;
      let failed = 0;
      for (const pass of passes) {
        // The idle time before the pass (the hour between two passes, shortened): the notifications and nudges the
        // previous pass queued are delivered then.
        // Before the first pass, the start-up collection's time.
        const idle = await measured(pid, async () => {
          clock.set(pass.clock);
          if (pass.run) await recordHourlyRun(db, pass.clock);
          await sleep(IDLE_MS);
        });
        const probeBefore = machineProbeMs();
        const load0 = loadAvg();
        const m = await measured(pid, async () => {
          const finished = log.next('detection pass finished', 900_000);
          const id = await detectQueue.send(boss!, { trigger: 'bench' });
          if (!id) throw new Error('the detect queue refused the job (one already queued or running)');
          return (await Promise.race([finished, exited])) as PassLog;
        });
        const p = m.result;
        const probeAfter = machineProbeMs();
        const verified = await anomaliesByTile(db, p.asOf);
        const problem =
          pass.expect(p) ??
          (verified.anomalies !== p.anomalies
            ? `${verified.anomalies} anomalies stored for ${p.asOf}, the log says ${p.anomalies}`
            : verified.tiles < Math.ceil(DEVELOPERS / BASE)
              ? `anomalies in ${verified.tiles} of ${Math.ceil(DEVELOPERS / BASE)} tiles`
              : null);
        if (problem) failed++;
        processPeakKb = Math.max(processPeakKb, m.peakKb, idle.peakKb);
        console.log(
          `${pass.label.padEnd(8)} asOf ${p.asOf} (clock ${pass.clock.slice(0, 16)}): peak RSS ${mib(m.peakKb)} MiB ` +
            `(sampled ${mib(m.sampledKb)}; at rest before ${mib(m.restKb)}, after ${mib(m.endKb)}` +
            `; the idle ${IDLE_MS / 1000} s before it peaked at ${mib(idle.peakKb)}` +
            `), pass ${(p.durationMs / 1000).toFixed(1)} s (${Object.entries(p.phasesMs)
              .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`)
              .join(' · ')}), send→logged ${(m.ms / 1000).toFixed(1)} s, worker CPU ${m.cpuS.toFixed(1)} s; ` +
            `${p.anomalies} anomalies in ${verified.tiles} tiles, ${p.opened} opened, ${p.queued} notifications, ` +
            `${p.nudged} nudges; re-read from ${p.reread ?? '?'}${p.slidDays ? `, slid ${p.slidDays} day` : ''}; ` +
            `loadavg ${load0} → ${loadAvg()}; machine probe ${probeBefore.toFixed(0)} → ${probeAfter.toFixed(0)} ms; ` +
            new Date().toISOString() +
            (problem ? `\n         NOT AS EXPECTED: ${problem}` : ''),
        );
      }
      const last = await measured(pid, () => sleep(IDLE_MS));
      processPeakKb = Math.max(processPeakKb, last.peakKb);
      console.log(
        `the ${IDLE_MS / 1000} s after the last pass: peak RSS ${mib(last.peakKb)} MiB, at rest ${mib(last.endKb)}`,
      );
      // Every span from launch to here had its peak read (start-up, each idle time, each pass): the run's is the largest.
      console.log(
        `worker peak RSS over the run: ${mib(processPeakKb)} MiB = ${Math.round((processPeakKb * 1024) / 1e6)} MB ` +
          `(target < 500 MB: ${processPeakKb * 1024 < 500e6 ? 'met' : 'NOT met'}); the worker's log: ` +
          [...log.counts.entries()].map(([msg, n]) => `"${msg}" ×${n}`).join(', ') +
          `; requests to the bench's server (Cursor, the webhook): ${[...cursor.requests.entries()].map(([r, n]) => `${r} ×${n}`).join(', ')}`,
      );
      if (failed) process.exitCode = 1;
    } finally {
      await boss?.stop({ graceful: false, close: true }).catch(() => undefined);
      if (worker.exitCode === null && worker.signalCode === null) {
        const gone = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill('SIGTERM');
        await gone;
      }
      await cursor.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
}

/** A pass from the kept series re-reads from the day the recorded run's window starts, after sliding `slid` days. */
function rereads(p: PassLog, from: string, slid: number): string | null {
  return p.reread === from && (p.slidDays ?? 0) === slid
    ? null
    : `re-read from ${from}${slid ? `, slid ${slid}` : ''} expected, got ${p.reread} (slid ${p.slidDays ?? 0})`;
}

/** The usage-events run an hourly collection at `clockIso` records: its window from EVENT_OVERLAP_HOURS before. */
async function recordHourlyRun(db: Db, clockIso: string): Promise<void> {
  const start = new Date(Date.parse(clockIso) - OVERLAP_HOURS * 3_600_000);
  await sql`INSERT INTO collection_runs (run_id, endpoint, trigger, status, window_start, window_end, started_at, finished_at)
    VALUES (gen_random_uuid(), 'usage_events', 'schedule', 'ok', ${start}, ${new Date(clockIso)}, now(), now())`.execute(
    db,
  );
}

/** The anomalies stored for `asOf`, and in how many tiles of BASE developers (t<k>#…, the first tile unprefixed). */
async function anomaliesByTile(db: Db, asOf: string): Promise<{ anomalies: number; tiles: number }> {
  const { rows } = await sql<{ anomalies: number; tiles: number }>`
    SELECT count(*)::int AS anomalies,
           count(DISTINCT CASE WHEN subject ~ '^t[0-9]+#' THEN split_part(subject, '#', 1) ELSE 't0' END)
             FILTER (WHERE scope = 'user')::int AS tiles
    FROM anomalies WHERE as_of = ${asOf}`.execute(db);
  return rows[0];
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
