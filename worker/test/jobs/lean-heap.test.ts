import { spawnSync } from 'node:child_process';
import { COLLECTION_HEAP_GROWING_PERCENT, withLeanHeap } from '../../src/jobs/lean-heap';

// What the memory gains is measured by bench:collect (section 1); this checks when the cap is set and lifted, and
// that the flags are ones this Node's V8 knows (an unknown one is only a line on stderr, and nothing changes).

const CAP = `--heap-growing-percent=${COLLECTION_HEAP_GROWING_PERCENT}`;
const V8_OWN = '--heap-growing-percent=0';
/** Jest's own NODE_OPTIONS left out: a child's stderr holds only what its flags make V8 print. */
const CHILD_ENV = { ...process.env, NODE_OPTIONS: '' };

function recorder() {
  const set: string[] = [];
  return { set, setFlags: (flags: string) => void set.push(flags) };
}

describe('withLeanHeap: V8 heap growth held down while a collection runs', () => {
  it('caps the growth before the work starts and gives V8 its own back when it ends', async () => {
    const { set, setFlags } = recorder();
    const seen = await withLeanHeap(async () => [...set], setFlags);
    expect(seen).toEqual([CAP]);
    expect(set).toEqual([CAP, V8_OWN]);
    expect(COLLECTION_HEAP_GROWING_PERCENT).toBeGreaterThan(0);
  });

  it('gives it back after work that throws, and passes the error on', async () => {
    const { set, setFlags } = recorder();
    await expect(
      withLeanHeap(async () => {
        throw new Error('the database went away');
      }, setFlags),
    ).rejects.toThrow('the database went away');
    expect(set).toEqual([CAP, V8_OWN]);
  });

  it('keeps the cap until the last of overlapping calls ends (a collection and a one-off collect in one process)', async () => {
    const { set, setFlags } = recorder();
    let endFirst!: () => void;
    const first = withLeanHeap(() => new Promise<void>((resolve) => (endFirst = resolve)), setFlags);
    const second = withLeanHeap(async () => [...set], setFlags);
    expect(await second).toEqual([CAP]);
    expect(set).toEqual([CAP]); // the second ended, the first still runs: still capped
    endFirst();
    await first;
    expect(set).toEqual([CAP, V8_OWN]);
    // And a later call caps again.
    await withLeanHeap(async () => undefined, setFlags);
    expect(set).toEqual([CAP, V8_OWN, CAP, V8_OWN]);
  });

  it("sets flags this Node's V8 accepts at run time", () => {
    const { set, setFlags } = recorder();
    void withLeanHeap(async () => undefined, setFlags);
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
      {
        encoding: 'utf8',
      },
    );
    expect(unknown.stderr).toContain('unrecognized flag');
  });
});
