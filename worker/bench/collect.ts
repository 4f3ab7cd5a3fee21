/**
 * bench:collect — collects 30 days of a simulated 1,000-developer team into a fresh embedded PostgreSQL and prints
 * events/s end to end, rows/s into Postgres, peak RSS, and the share of the simulator's rate limit used.
 *
 *   npm run bench:collect -- [--developers 1000] [--days 30] [--events-per-minute 3000]
 *
 * Cursor's documented limit on the events endpoint is 20–60 requests a minute; at 1,000 events a page that caps a
 * real backfill at 20k–60k events a minute whatever the collector does. The simulator's limit is raised here (and
 * the client paced to it) so the figure measures the collector and Postgres, not the limit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pino from 'pino';
import { collectOnce } from '../src/collector/collect';
import { CursorClient } from '../src/cursor/client';
import { freePort, startEmbeddedPostgres } from '../src/db/embedded';
import { migrateToLatest } from '../src/db/migrate';
import { createDb } from '../src/db/pool';
import { createSimulatedTeam, startSimulatorServer } from '@cursor-cost-watch/simulator';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  const developers = arg('developers', 1000);
  const days = arg('days', 30);
  const eventsPerMinute = arg('events-per-minute', 3000);
  const limits = { admin: 600, events: eventsPerMinute, analytics: 600 };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-bench-collect-'));
  fs.chmodSync(dir, 0o777);
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), ephemeral: true });
  const handle = createDb(pg.connectionString, 4);
  await migrateToLatest(handle.db);

  const now = Date.now();
  const team = createSimulatedTeam({ seed: 42, teamSize: developers, historyDays: days + 5, now: () => now });
  const apiKey = 'key_' + 'ee'.repeat(32);
  const sim = await startSimulatorServer({ team, apiKey, port: 0, rateLimitsPerMinute: limits });
  const client = new CursorClient({ baseUrl: sim.url, apiKey, rateLimits: limits });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const log = pino({ level: 'warn' });
  console.log(
    `collecting ${days} days of ${developers.toLocaleString()} simulated developers (rate limit ${eventsPerMinute}/min on events)…`,
  );
  const t0 = performance.now();
  const summary = await collectOnce(
    { db: handle.db, client, log, config: { BACKFILL_DAYS: days, RESTATE_DAYS: 2 } },
    { trigger: 'bench', now: new Date(now) },
  );
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);

  const rows = await sql<{ n: number }>`
    SELECT ((SELECT count(*) FROM usage_events) + (SELECT count(*) FROM user_daily_rollup) + (SELECT count(*) FROM user_model_daily_rollup)
      + (SELECT count(*) FROM hourly_rollup) + (SELECT count(*) FROM daily_usage) + (SELECT count(*) FROM member_spend)
      + (SELECT count(*) FROM members))::int AS n`.execute(handle.db);
  const stats = sim.stats();
  const eventsKey = Object.keys(stats.maxRequestsPerMinute).find((k) => k.includes('filtered-usage-events')) ?? '';
  const peakPerMinute = stats.maxRequestsPerMinute[eventsKey] ?? 0;
  const minutes = seconds / 60;
  const avgPerMinute = (stats.requestsByEndpoint[eventsKey] ?? 0) / Math.max(minutes, 1 / 60);

  console.log(
    `events          ${summary.events.inserted.toLocaleString()} stored (${summary.events.duplicates} duplicates) in ${seconds.toFixed(1)} s`,
  );
  console.log(`end to end      ${Math.round(summary.events.inserted / seconds).toLocaleString()} events/s`);
  console.log(
    `into Postgres   ${Math.round(rows.rows[0].n / seconds).toLocaleString()} rows/s (${rows.rows[0].n.toLocaleString()} rows: events, rollups, daily usage, spend, members)`,
  );
  console.log(
    `peak RSS        ${(peakRss / 1024 / 1024).toFixed(0)} MiB (worker, simulator and client in one process)`,
  );
  console.log(`API requests    ${stats.totalRequests} (${stats.rateLimited} answered 429)`);
  console.log(
    `rate limit used events endpoint: busiest wall-clock minute ${peakPerMinute} of ${eventsPerMinute} allowed (${((100 * peakPerMinute) / eventsPerMinute).toFixed(0)}%); ` +
      `${Math.round(avgPerMinute)} requests per minute of run time on average`,
  );
  console.log(
    `at Cursor's documented 60/min, the same backfill would need ≥ ${Math.ceil((stats.requestsByEndpoint[eventsKey] ?? 0) / 60)} minutes of API time`,
  );
  if (summary.errors.length) console.log('ERRORS', summary.errors);

  await sim.close();
  await handle.close();
  await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
