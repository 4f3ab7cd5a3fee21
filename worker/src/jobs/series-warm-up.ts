import type { Logger } from '../config/log';
import type { Db } from '../db/database';
import { DetectionSeriesCache } from '../db/repositories/detection-series-cache';
import { warmSeriesCache } from './detection-pass';
import { withOwnHeapGrowth } from './lean-heap';
import { idleHeapReleaser, type ReleaseHeap } from './release-heap';
import { waitAtMost } from './wait-at-most';

/** How long a job waits for the series cache filled at start (4–6 s at 20,000 developers here). */
export const WARM_WAIT_MS = 10 * 60_000;

/** This process's detection series cache, being filled since the worker started. */
export interface SeriesWarmUp {
  seriesCache: DetectionSeriesCache;
  /** Whether the warm-up has ended, filled or failed. */
  ended(): boolean;
  /** Resolves when it has ended, or after WARM_WAIT_MS, or when `signal` aborts, whichever comes first. */
  wait(signal: AbortSignal): Promise<void>;
}

/**
 * Starts filling the process's series cache as its first detection pass would (warmSeriesCache), so that pass, after
 * the next collection, re-reads only what that collection changed instead of the whole window. The worker collects at
 * start only on a first run, when there is nothing to fill. Jobs that come sooner wait for it: a detection pass (one
 * load at a time) and a collection, whose memory would otherwise add to the warm-up's (issue #13: the whole worker's
 * peak RSS at 20,000 developers is the warm-up's or a pass's, 440–457 MiB, with little room for a collection on top).
 * A failure only leaves the first pass to read everything.
 */
export function startSeriesWarmUp(deps: {
  db: Db;
  log: Logger;
  signal: AbortSignal;
  /** Default: idleHeapReleaser (release-heap.ts); tests count its calls. */
  releaseHeap?: ReleaseHeap;
}): SeriesWarmUp {
  const { db, log, signal, releaseHeap = idleHeapReleaser(log) } = deps;
  const seriesCache = new DetectionSeriesCache();
  let done = false;
  const warming = withOwnHeapGrowth(() => warmSeriesCache({ db, seriesCache }))
    .then(
      (ms) => log.info({ ms: Math.round(ms) }, 'detection: series cache filled'),
      (err: unknown) => {
        if (!signal.aborted)
          log.warn({ err }, 'detection: filling the series cache at start failed; the first pass reads all');
      },
    )
    .finally(() => {
      done = true;
      // What the warm-up left (garbage, V8's pooled pages) stays resident until a memory-reducing collection.
      if (!signal.aborted) releaseHeap('warm-up');
    });
  return {
    seriesCache,
    ended: () => done,
    async wait(jobSignal) {
      const limit = waitAtMost(WARM_WAIT_MS, jobSignal);
      await Promise.race([warming, limit.done]).finally(limit.cancel);
    },
  };
}
