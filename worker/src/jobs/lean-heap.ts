import v8 from 'node:v8';

/**
 * How far V8 may let the old generation grow past what survived its last full GC while a collection runs: ×2.
 *
 * V8 sets the next full GC's trigger at the survivors times a factor of up to 4 when the heap's limit is 2 GiB or
 * more (MemoryController<Trait>::MaxGrowingFactor in V8's src/heap/heap-controller.cc; Node's default limit is 4 GiB
 * on a machine of 24 GiB). A backfill keeps 37–47 MB alive, but each page's events live across the store's round
 * trips and are promoted, so the old generation swelled to 150–240 MB between full GCs: the worker's peak RSS was
 * 261–349 MiB (bench:collect, section 1). With ×2 it stays near 215 MiB, at about the same CPU.
 *
 * The cap is set for the collection only (`--heap-growing-percent`, which MemoryController<Trait>::GrowingFactor
 * reads each time it computes a limit, so a change at run time applies from the next GC): as a start-up flag it also
 * held detection's heap, ten times larger, to ×2 where V8's own factor was lower, and a 20,000-developer hourly pass
 * peaked at 526–538 MiB instead of 466–469 (bench:detect-pass).
 */
export const COLLECTION_HEAP_GROWING_PERCENT = 100;

/** 0 gives V8 back its own factor (the flag's default: "off"). */
const V8_OWN = 0;

let running = 0;

/**
 * Runs `work` with V8's heap growth capped (see COLLECTION_HEAP_GROWING_PERCENT); V8's own growth comes back when
 * the last of the overlapping calls ends, however it ends. `setFlags` is v8.setFlagsFromString, given by tests.
 */
export async function withLeanHeap<T>(
  work: () => Promise<T>,
  setFlags: (flags: string) => void = v8.setFlagsFromString,
): Promise<T> {
  if (running++ === 0) setFlags(`--heap-growing-percent=${COLLECTION_HEAP_GROWING_PERCENT}`);
  try {
    return await work();
  } finally {
    if (--running === 0) setFlags(`--heap-growing-percent=${V8_OWN}`);
  }
}
