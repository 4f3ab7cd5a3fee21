import { spawnSync } from 'node:child_process';
import {
  COLLECTION_HEAP_GROWING_PERCENT,
  startingGrowingPercent,
  withLeanHeap,
  withOwnHeapGrowth,
} from '../../src/jobs/lean-heap';

// What the memory gains is measured by bench:collect (section 1); this checks when the factor is set and given back,
// and that the flags are ones this Node's V8 knows (an unknown one is only a line on stderr, and nothing changes).

const LEAN = `--heap-growing-percent=${COLLECTION_HEAP_GROWING_PERCENT}`;
/** This test process starts with no growth flag: V8's own factor (0). */
const OWN = '--heap-growing-percent=0';
/** Jest's own NODE_OPTIONS left out: a child's stderr holds only what its flags make V8 print. */
const CHILD_ENV = { ...process.env, NODE_OPTIONS: '' };

function recorder() {
  const set: string[] = [];
  return { set, setFlags: (flags: string) => void set.push(flags) };
}

/** A piece of work that runs until `end()` is called. */
function pending() {
  let end!: () => void;
  const done = new Promise<void>((resolve) => (end = resolve));
  return { work: () => done, end };
}

describe('withLeanHeap: V8 heap growth at ×2 while a collection runs, never while detection does', () => {
  it('sets the factor before a collection starts and gives the process its own back when it ends', async () => {
    const { set, setFlags } = recorder();
    const seen = await withLeanHeap(async () => [...set], setFlags);
    expect(seen).toEqual([LEAN]);
    expect(set).toEqual([LEAN, OWN]);
  });

  it('gives it back after a collection that throws, and passes the error on', async () => {
    const { set, setFlags } = recorder();
    await expect(
      withLeanHeap(async () => {
        throw new Error('the database went away');
      }, setFlags),
    ).rejects.toThrow('the database went away');
    expect(set).toEqual([LEAN, OWN]);
  });

  it('a detection pass during a collection runs with the process own growth, and the collection gets ×2 back after', async () => {
    const { set, setFlags } = recorder();
    const collection = pending();
    const detection = pending();
    const collecting = withLeanHeap(collection.work, setFlags);
    expect(set).toEqual([LEAN]);
    const detecting = withOwnHeapGrowth(detection.work, setFlags);
    expect(set).toEqual([LEAN, OWN]); // detection started: V8's own
    detection.end();
    await detecting;
    expect(set).toEqual([LEAN, OWN, LEAN]); // the collection still runs
    collection.end();
    await collecting;
    expect(set).toEqual([LEAN, OWN, LEAN, OWN]);
  });

  it('a collection that starts during a detection pass waits for it to end before ×2', async () => {
    const { set, setFlags } = recorder();
    const detection = pending();
    const collection = pending();
    const detecting = withOwnHeapGrowth(detection.work, setFlags);
    const collecting = withLeanHeap(collection.work, setFlags);
    expect(set).toEqual([]); // a detection alone, then with a collection: nothing to change
    detection.end();
    await detecting;
    expect(set).toEqual([LEAN]);
    collection.end();
    await collecting;
    expect(set).toEqual([LEAN, OWN]);
  });

  it('a setter that throws leaves nothing counted: the next collection sets the factor again', async () => {
    let calls = 0;
    const failing = () => {
      calls++;
      throw new Error('V8 refused');
    };
    await expect(withLeanHeap(async () => 'never', failing)).rejects.toThrow('V8 refused');
    const { set, setFlags } = recorder();
    await withLeanHeap(async () => undefined, setFlags);
    expect(set).toEqual([LEAN, OWN]);
    expect(calls).toBeGreaterThan(0);
  });

  it("gives back the operator's own --heap-growing-percent, from the start flags over NODE_OPTIONS", () => {
    expect(startingGrowingPercent([])).toBe(0);
    expect(startingGrowingPercent(['--max-semi-space-size=8'], '--heap-growing-percent=30')).toBe(30);
    expect(startingGrowingPercent(['--heap_growing_percent=50'], '--heap-growing-percent=30')).toBe(50);
  });

  it("sets flags this Node's V8 accepts at run time", async () => {
    const { set, setFlags } = recorder();
    await withLeanHeap(async () => undefined, setFlags);
    expect(set).toEqual([LEAN, OWN]);
    const script = set.map((f) => `require('node:v8').setFlagsFromString(${JSON.stringify(f)});`).join('');
    const accepted = spawnSync(process.execPath, ['-e', `${script} console.log('set')`], {
      encoding: 'utf8',
      env: CHILD_ENV,
    });
    expect(accepted.stderr).toBe('');
    expect(accepted.stdout.trim()).toBe('set');
    // The same check fails on a flag V8 does not know, so the one above can fail.
    const unknown = spawnSync(
      process.execPath,
      ['-e', `require('node:v8').setFlagsFromString('--heap-growing-percentage=50')`],
      { encoding: 'utf8', env: CHILD_ENV },
    );
    expect(unknown.stderr).toContain('unrecognized flag');
  });
});
