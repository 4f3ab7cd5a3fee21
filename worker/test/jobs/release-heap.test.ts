import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { releaseIdleHeap, type GcOptions } from '../../src/jobs/release-heap';
import { npmLaunch } from '../../tools/build/npm-launch';

// What a release gives back is measured by bench:detect-pass-worker (the whole worker's RSS at rest and per pass); this
// checks that the worker asks V8 for a memory-reducing collection, and that the V8 it runs on does one for that ask.

const WORKER_DIR = path.resolve(__dirname, '../..');
/** Jest's own NODE_OPTIONS left out: a child's output holds only what its flags make V8 print. */
const CHILD_ENV = { ...process.env, NODE_OPTIONS: '' };

/** The collections V8 traced (--trace-gc) in a child that runs `script` with --expose-gc, and what it printed. */
function traced(script: string): { collections: string[]; printed: string[] } {
  const child = spawnSync(process.execPath, ['--expose-gc', '--trace-gc', '--import', 'tsx', '-e', script], {
    cwd: WORKER_DIR,
    encoding: 'utf8',
    env: CHILD_ENV,
  });
  expect(child.stderr).toBe('');
  const lines = child.stdout.trim().split('\n');
  return {
    collections: lines.filter((l) => /ms: (Mark-Compact|Scavenge)/.test(l)).map((l) => l.replace(/^.*ms: /, '')),
    printed: lines.filter((l) => !/ms: (Mark-Compact|Scavenge)/.test(l)),
  };
}

describe('releaseIdleHeap', () => {
  it('asks the exposed gc for one memory-reducing full collection and reports its time and the RSS around it', () => {
    const asked: GcOptions[] = [];
    const release = releaseIdleHeap((options) => void asked.push(options));
    expect(asked).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    expect(release!.ms).toBeGreaterThanOrEqual(0);
    expect(release!.rssBeforeMiB).toBeGreaterThan(0);
    expect(release!.rssAfterMiB).toBeGreaterThan(0);
  });

  it('does nothing without an exposed gc (node without --expose-gc, as jest runs)', () => {
    expect(releaseIdleHeap(undefined)).toBeNull();
    expect(releaseIdleHeap()).toBeNull(); // this process's: jest's node has no --expose-gc
  });

  it("makes this Node's V8 run memory-reducing collections, which empty its page pool", () => {
    const run = traced(
      "const { releaseIdleHeap } = require('./src/jobs/release-heap.ts'); console.log(JSON.stringify(releaseIdleHeap()));",
    );
    const reducing = run.collections.filter((c) => c.startsWith('Mark-Compact (reduce)'));
    expect(reducing.length).toBeGreaterThanOrEqual(2); // CollectAllAvailableGarbage: two to seven
    for (const c of reducing) expect(c).toContain('pooled: 0 MB');
    expect(JSON.parse(run.printed.at(-1)!)).toMatchObject({ ms: expect.any(Number) });
    // The same check fails on a plain full collection, so the one above can fail.
    const plain = traced("gc({ type: 'major', execution: 'sync' });");
    expect(plain.collections.some((c) => c.startsWith('Mark-Compact'))).toBe(true);
    expect(plain.collections.some((c) => c.startsWith('Mark-Compact (reduce)'))).toBe(false);
  });

  it('has its gc: npm start and npm run collect run node with --expose-gc', () => {
    for (const script of ['start', 'collect']) expect(npmLaunch(script, {}).flags).toContain('--expose-gc');
  });
});
