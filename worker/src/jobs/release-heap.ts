import type { Logger } from '../config/log';
import { collectionsRunning } from './lean-heap';

/** The options of the `gc` that `--expose-gc` gives (V8's src/extensions/gc-extension.cc: type, execution, flavor). */
export interface GcOptions {
  type: 'major';
  execution: 'sync';
  flavor: 'last-resort';
}
export type ExposedGc = (options: GcOptions) => void;

/** What a release freed: its time, and the process's resident set before and after it. */
export interface HeapRelease {
  ms: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
}

const MIB = 1024 * 1024;

/**
 * Gives back to the system what V8 holds but no longer uses, once a detection pass or the series warm-up has ended: a
 * memory-reducing full collection (`gc({ flavor: 'last-resort' })`: Heap::CollectAllAvailableGarbage, two to seven
 * mark-compacts with kReduceMemoryFootprint), which also empties V8's page pool (heap.cc, after a mark-compact:
 * `if (ShouldReduceMemory()) memory_allocator_->pool()->ReleasePooledChunks()`). Every ordinary mark-compact adds the
 * pages it emptied to that pool and only a memory-reducing one empties it. In the runs of bench:detect-pass-worker with
 * --trace-gc (Dec 5 2026, passes 10 s apart) no collection was a memory-reducing one; the pool held 4, 16 and 24 MiB at
 * rest after start-up (up to 91 just after a pass's mark-compact), the worker rested at 372-413 MiB once it had filled
 * the series cache, and a 20,000-developer pass peaked 84-93 MiB above wherever it rested: over issue #13's 500 MB in
 * 4 of 11 runs. With the release it rests at 275-279 MiB after start-up and peaks at 437-440 MiB (five runs); each
 * release takes 200-270 ms. Checked on Node 24.21 (V8 13.6) and 22.23 (V8 12.4): "Mark-Compact (reduce)", "pooled: 0".
 *
 * Throws what `gc` or the RSS reading throws; returns null without a `gc` (node without --expose-gc: tests, `tsx`).
 */
export function releaseIdleHeap(gc: ExposedGc | null = exposedGc()): HeapRelease | null {
  if (gc === null) return null;
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return {
    ms: performance.now() - started,
    rssBeforeMiB: Math.round(rssBefore / MIB),
    rssAfterMiB: Math.round(process.memoryUsage.rss() / MIB),
  };
}

/** The `gc` this process was given by --expose-gc, or null. */
export function exposedGc(): ExposedGc | null {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as ExposedGc) : null;
}

/** Releases the idle heap after `after` (a detection pass, the warm-up) ended. */
export type ReleaseHeap = (after: string) => void;

/**
 * The worker's release (releaseIdleHeap), logged. Skipped while a collection runs in the process (lean-heap.ts): it
 * would take the pages straight back. It never throws: a failure is a warning, and the pass or warm-up it follows
 * stands. It blocks the event loop while it runs (pg-boss's heartbeats are seconds apart; an API request waits).
 */
export function idleHeapReleaser(log: Logger, gc: ExposedGc | null = exposedGc()): ReleaseHeap {
  return (after) => {
    if (gc === null) return;
    if (collectionsRunning() > 0) {
      log.debug({ after }, 'idle heap kept: a collection runs');
      return;
    }
    try {
      const release = releaseIdleHeap(gc)!;
      log.info({ after, ...release, ms: Math.round(release.ms) }, 'idle heap released');
    } catch (err) {
      log.warn({ err, after }, 'releasing the idle heap failed');
    }
  };
}
