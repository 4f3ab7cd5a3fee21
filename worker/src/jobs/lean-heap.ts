import v8 from 'node:v8';

/**
 * V8's heap growth factor while a collection runs, and only then: ×2 (`--heap-growing-percent=100`).
 *
 * V8 sets the next full GC's trigger at the survivors times a factor of up to 4 when the heap's limit is 2 GiB or
 * more (MemoryController<Trait>::MaxGrowingFactor in V8's src/heap/heap-controller.cc; Node's default limit is 4 GiB
 * on a machine of 24 GiB). A backfill keeps 37–47 MB alive, but each page's events live across the store's round
 * trips and are promoted, so the old generation swelled to 150–240 MB between full GCs: the worker's peak RSS was
 * 261–349 MiB (bench:collect, section 1). With ×2 it stays near 215 MiB, at about the same CPU.
 *
 * The flag fixes the factor rather than capping it: MemoryController<Trait>::GrowingFactor applies it after V8's own
 * choice, low-memory modes included (×1.1–1.3). V8 reads it each time it computes a limit, so a change at run time
 * applies from the next GC. It is set for collections only, and never while a detection pass runs: as a start-up flag
 * it held detection's heap, ten times larger, to ×2 where V8's own factor was lower, and a 20,000-developer hourly pass
 * peaked at 526–538 MiB instead of 466–469 (bench:detect-pass).
 */
export const COLLECTION_HEAP_GROWING_PERCENT = 100;

/** The process's own setting, given back when no collection runs: its start flags' or NODE_OPTIONS', else 0 (V8's). */
export function startingGrowingPercent(execArgv: string[], nodeOptions = ''): number {
  const flags = [...nodeOptions.split(/\s+/), ...execArgv]; // the command line's flags win over NODE_OPTIONS'
  let percent = 0;
  for (const f of flags) {
    const m = /^--heap[-_]growing[-_]percent=(\d+)$/.exec(f);
    if (m) percent = Number(m[1]);
  }
  return percent;
}

const OWN = startingGrowingPercent(process.execArgv, process.env.NODE_OPTIONS);

type SetFlags = (flags: string) => void;

/** Collections and detection passes running in this process, and the factor last set. */
const state = { collections: 0, detections: 0, lean: false };

/** ×2 while a collection runs and no detection pass does; the process's own setting otherwise. */
function apply(setFlags: SetFlags): void {
  const lean = state.collections > 0 && state.detections === 0;
  if (lean === state.lean) return;
  setFlags(`--heap-growing-percent=${lean ? COLLECTION_HEAP_GROWING_PERCENT : OWN}`);
  state.lean = lean;
}

async function counted<T>(kind: 'collections' | 'detections', work: () => Promise<T>, setFlags: SetFlags) {
  state[kind]++;
  try {
    apply(setFlags);
    return await work();
  } finally {
    state[kind]--;
    apply(setFlags);
  }
}

/**
 * Runs a collection with V8's heap growth at ×2 (COLLECTION_HEAP_GROWING_PERCENT) unless a detection pass runs at the
 * same time; the process's own growth comes back when the last collection ends, however it ends. `setFlags` is
 * v8.setFlagsFromString, given by tests.
 */
export function withLeanHeap<T>(work: () => Promise<T>, setFlags: SetFlags = v8.setFlagsFromString): Promise<T> {
  return counted('collections', work, setFlags);
}

/** How many collections run in this process now. */
export function collectionsRunning(): number {
  return state.collections;
}

/** Runs a detection pass with the process's own heap growth, even while a collection runs (see withLeanHeap). */
export function withOwnHeapGrowth<T>(work: () => Promise<T>, setFlags: SetFlags = v8.setFlagsFromString): Promise<T> {
  return counted('detections', work, setFlags);
}
