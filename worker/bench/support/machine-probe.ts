/**
 * This machine's speed of the moment: a fixed amount of pure JavaScript work (float math over a 1 Mi typed array, no
 * allocation, no I/O), timed. On the 2 cores of the machine the benchmarks ran on, the same loop took 467–791 ms over
 * four minutes with nothing else running (load 0.1; Dec 4 2026, 20:27–20:31 UTC), so a pass's time is read beside the
 * probe taken next to it: a slow pass with a slow probe is the machine, not the code.
 */
const SIZE = 1 << 20;
const ROUNDS = 60;
let data: Float64Array | undefined;

function work(a: Float64Array): number {
  let s = 0;
  for (let r = 0; r < ROUNDS; r++)
    for (let i = 0; i < a.length; i++) s += Math.log(Math.abs(a[i]) + 1) * a[(i * 7) & (a.length - 1)];
  return s;
}

/** Wall ms of the fixed work (the first call also fills the array and warms the loop up, untimed). */
export function machineProbeMs(): number {
  if (!data) {
    data = new Float64Array(SIZE);
    for (let i = 0; i < SIZE; i++) data[i] = Math.sin(i);
    work(data);
  }
  const t0 = performance.now();
  const sum = work(data);
  const ms = performance.now() - t0;
  if (Number.isNaN(sum)) throw new Error('machine probe: the work gave NaN'); // keeps the loop from being dropped
  return ms;
}
