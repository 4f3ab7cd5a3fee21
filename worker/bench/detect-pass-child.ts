/**
 * One detection pass in a process of its own, so its peak RSS is the pass's alone (bench/detect-pass.ts runs it).
 *   node dist/bench/detect-pass-child.cjs <database url> <asOf> <before|after|hourly|nextday|afterstart>
 *   (bundled there by bench/detect-pass.ts as the worker is bundled, tools/build/bundle.mjs)
 * before: loadDetectionInput → detect() (one object per rollup row, the pass until issue #13);
 * after:  runDetectionPass end to end (load-series-set.ts → detectOnSeries → anomalies → incidents).
 * hourly: the worker's next pass within the day: one pass fills its series cache (not timed), an hourly collection of
 *         today is recorded, and the next pass (timed) re-reads today only (detection-series-cache.ts).
 * nextday: the worker's first pass of a new day: one pass at asOf − 1 fills the cache (not timed; asOf's rows are
 *         already stored but outside its window), a collection from asOf − 1 08:00 on is recorded, and the pass at
 *         asOf (timed) slides the kept series one day and re-reads asOf − 1 and asOf (detection-series-slide.ts).
 * afterstart: the worker's first pass after a start: the cache filled at start by warmSeriesCache (timed apart, as
 *         warmMs: it runs while the start-up collection does), that collection recorded as the hourly one is, and the
 *         pass (timed) re-reads today only.
 * In all three, the timed pass starts IDLE_MS after the one that filled the cache, as the worker's passes are apart (an hourly
 * collection between them): back to back, the timed pass allocated while the first one's garbage was still being
 * swept, and peaked 30-45 MiB higher at 20,000 developers than with a pause (the worker never runs them that way).
 * Prints one JSON line: wall and CPU ms of this process, the garbage collector's pauses during the timed pass (their
 * count and ms, young generation and the rest), peak RSS, and a digest of the anomalies found.
 */
import { createHash } from 'node:crypto';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { createDb } from '../src/db/pool';
import { detect, historyDays, olderDays, type Anomaly } from '../src/detection';
import { loadDetectionInput } from './load-arrays-reference';
import { runDetectionPass, warmSeriesCache } from '../src/jobs/detection-pass';
import { loadConfig } from '../src/config/config';
import { createLogger } from '../src/config/log';
import { DEFAULT_SETTINGS } from '../src/settings';
import { addDays } from '@cursor-cost-watch/contract';
import { sql } from 'kysely';
import { DetectionSeriesCache } from '../src/db/repositories/detection-series-cache';

const [url, asOf, mode] = process.argv.slice(2);
const IDLE_MS = 20_000;
const now = new Date(`${addDays(asOf, 1)}T00:30:00Z`);

const digest = (found: Omit<Anomaly, 'severity'>[]) =>
  createHash('sha256')
    .update(JSON.stringify(found.map((a) => [a.subject, a.detector, a.onsetAt, a.impactCents, a.observed, a.why])))
    .digest('hex')
    .slice(0, 12);

/** The collector's pauses (perf_hooks 'gc' entries) from start() on: young generation (scavenges) and the rest. */
class GcPauses {
  private minor = { n: 0, ms: 0 };
  private other = { n: 0, ms: 0 };
  private observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { detail?: { kind?: number } })[]) {
      const into = e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR ? this.minor : this.other;
      into.n++;
      into.ms += e.duration;
    }
  });
  start(): void {
    this.observer.observe({ entryTypes: ['gc'] });
  }
  /** Stops observing once the entries still queued are delivered. */
  async stop(): Promise<{ minorN: number; minorMs: number; otherN: number; otherMs: number }> {
    await new Promise((resolve) => setImmediate(resolve));
    this.observer.disconnect();
    const r = (x: number) => Math.round(x);
    return { minorN: this.minor.n, minorMs: r(this.minor.ms), otherN: this.other.n, otherMs: r(this.other.ms) };
  }
}

async function main(): Promise<void> {
  const handle = createDb(url, 4);
  try {
    const deps = { db: handle.db, config: loadConfig({} as NodeJS.ProcessEnv), log: createLogger('silent') };
    const seriesCache = new DetectionSeriesCache();
    let warmMs: number | undefined;
    if (mode === 'hourly' || mode === 'nextday' || mode === 'afterstart') {
      const filled = mode === 'nextday' ? addDays(asOf, -1) : asOf;
      if (mode === 'afterstart')
        warmMs = Math.round(
          await warmSeriesCache({ db: handle.db, seriesCache }, { asOf: filled, now, settings: DEFAULT_SETTINGS }),
        );
      else await runDetectionPass({ ...deps, seriesCache }, { asOf: filled, now, settings: DEFAULT_SETTINGS });
      await sql`INSERT INTO collection_runs (run_id, endpoint, trigger, status, window_start)
        VALUES (gen_random_uuid(), 'usage_events', 'schedule', 'ok', ${`${filled}T08:00:00Z`})`.execute(handle.db);
      await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    }
    const gc = new GcPauses();
    gc.start();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let found: Anomaly[];
    let phasesMs: Record<string, number> | undefined;
    if (mode === 'before') {
      const days = historyDays(DEFAULT_SETTINGS) + olderDays(DEFAULT_SETTINGS); // the days before: the scale's
      const input = await loadDetectionInput(handle.db, asOf, { days, now });
      found = detect(input, DEFAULT_SETTINGS);
    } else {
      const cached = mode === 'after' ? deps : { ...deps, seriesCache };
      const summary = await runDetectionPass(cached, { asOf, now, settings: DEFAULT_SETTINGS });
      found = summary.anomalies;
      phasesMs = summary.phasesMs;
      if (mode === 'nextday' && !(summary.cache && !summary.cache.full && summary.cache.slid === 1))
        throw new Error(`the next-day pass did not slide its series: ${JSON.stringify(summary.cache)}`);
      if (mode === 'afterstart' && !(summary.cache && !summary.cache.full))
        throw new Error(`the pass after the warm-up read everything: ${JSON.stringify(summary.cache)}`);
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const gcPauses = await gc.stop();
    const result = {
      ms: Math.round(ms),
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      gc: gcPauses,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      anomalies: found.length,
      digest: digest(found),
      phasesMs,
      ...(warmMs !== undefined ? { warmMs } : {}),
    };
    console.log(JSON.stringify(result));
  } finally {
    await handle.close();
  }
}

void main();
