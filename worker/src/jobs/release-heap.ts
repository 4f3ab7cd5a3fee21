import type { Logger } from '../config/log';

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
 * Gives back to the system the pages V8 keeps for reuse, once a detection pass or the series warm-up has ended: a
 * memory-reducing full collection (`gc({ flavor: 'last-resort' })`: Heap::CollectAllAvailableGarbage, two to seven
 * mark-compacts with kReduceMemoryFootprint), after which V8 releases its page pool (heap.cc, after a mark-compact:
 * `if (ShouldReduceMemory()) memory_allocator_->pool()->ReleasePooledChunks()`). Every ordinary mark-compact adds the
 * pages it emptied to that pool and only a memory-reducing one empties it; V8's memory reducer, which would, never ran
 * in the worker (bench:detect-pass-worker with --trace-gc, Dec 5 2026: no "(reduce)" collection in a run). The pool
 * held 4, 16 and 24 MB at rest after start-up in three traced runs (up to 91 MB just after a pass's mark-compact), the
 * worker rested at 369-413 MiB once it had filled the series cache, and a 20,000-developer pass peaked 82-89 MiB above
 * wherever it rested: over issue #13's 500 MB in 4 of 11 runs; with the release, 437-440 MiB in five of five (it takes
 * 200-270 ms). Checked on Node 24.21 (V8 13.6): such a collection printed "Mark-Compact (reduce)" and "pooled: 0 MB".
 *
 * `gc` is there when node runs with --expose-gc (`npm start`'s flags in worker/package.json, and the Dockerfile's);
 * without it (tests, `tsx`) nothing is done and null is returned. It blocks the event loop while it runs, between
 * passes, when the worker has nothing else heavy to do.
 */
export function releaseIdleHeap(gc: ExposedGc | undefined = exposedGc()): HeapRelease | null {
  if (typeof gc !== 'function') return null;
  const rssBefore = process.memoryUsage.rss();
  const started = performance.now();
  gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
  return {
    ms: performance.now() - started,
    rssBeforeMiB: Math.round(rssBefore / MIB),
    rssAfterMiB: Math.round(process.memoryUsage.rss() / MIB),
  };
}

function exposedGc(): ExposedGc | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  return typeof gc === 'function' ? (gc as ExposedGc) : undefined;
}

/** Logs a release (nothing when `gc` is not exposed), after `what` ended. */
export function logRelease(log: Logger, release: HeapRelease | null, what: string): void {
  if (release)
    log.info(
      { after: what, ms: Math.round(release.ms), rssBeforeMiB: release.rssBeforeMiB, rssAfterMiB: release.rssAfterMiB },
      'idle heap released',
    );
}
