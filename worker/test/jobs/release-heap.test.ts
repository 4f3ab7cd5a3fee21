import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { withLeanHeap } from '../../src/jobs/lean-heap';
import { exposedGc, idleHeapReleaser, releaseIdleHeap, type GcOptions } from '../../src/jobs/release-heap';
import { npmLaunch } from '../../tools/build/npm-launch';
import { keptLog } from '../support/kept-log';

// What a release gives back is measured by bench:detect-pass-worker (the whole worker's RSS at rest and per pass); this
// checks that the worker asks V8 for a memory-reducing collection, that the V8 it runs on does one for that ask, and
// when the worker asks. That it asks after the warm-up and after each detection job: warm-series-cache.test.ts.

const WORKER_DIR = path.resolve(__dirname, '../..');
/** Jest's own NODE_OPTIONS left out: a child's output holds only what its flags make V8 print. */
const CHILD_ENV = { ...process.env, NODE_OPTIONS: '' };
/** A line of V8's --trace-gc: "[pid:0xisolate]   123 ms: <collection> …". */
const TRACE_LINE = /^\[\d+:0x[0-9a-f]+\]\s+\d+ ms: /;

/** The collections V8 traced (--trace-gc) in a child that runs `script` with --expose-gc, and its RESULT line. */
function traced(script: string): { collections: string[]; result: string | undefined } {
  const child = spawnSync(process.execPath, ['--expose-gc', '--trace-gc', '--import', 'tsx', '-e', script], {
    cwd: WORKER_DIR,
    encoding: 'utf8',
    env: CHILD_ENV,
    timeout: 30_000,
  });
  expect(child.status).toBe(0);
  const lines = child.stdout.trim().split('\n');
  return {
    collections: lines.filter((l) => TRACE_LINE.test(l)).map((l) => l.replace(TRACE_LINE, '')),
    result: lines.find((l) => l.startsWith('RESULT '))?.slice('RESULT '.length),
  };
}

/** Flushes pino's lines to the stream (it writes asynchronously). */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('releaseIdleHeap', () => {
  it('asks the exposed gc for one memory-reducing full collection and reports its time and the RSS around it', () => {
    const asked: GcOptions[] = [];
    const release = releaseIdleHeap((options) => void asked.push(options));
    expect(asked).toEqual([{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
    expect(release!.ms).toBeGreaterThanOrEqual(0);
    expect(release!.rssBeforeMiB).toBeGreaterThan(0);
    expect(release!.rssAfterMiB).toBeGreaterThan(0);
  });

  it('does nothing without a gc, and finds the one --expose-gc puts on globalThis', () => {
    expect(releaseIdleHeap(null)).toBeNull();
    const global = globalThis as { gc?: unknown };
    const own = global.gc;
    try {
      delete global.gc;
      expect(exposedGc()).toBeNull();
      const asked: GcOptions[] = [];
      global.gc = (options: GcOptions) => void asked.push(options);
      expect(releaseIdleHeap()).not.toBeNull();
      expect(asked).toHaveLength(1);
    } finally {
      global.gc = own;
    }
  });

  it("makes this Node's V8 run memory-reducing collections, which empty its page pool", () => {
    const run = traced(
      "const { releaseIdleHeap } = require('./src/jobs/release-heap.ts'); console.log('RESULT ' + JSON.stringify(releaseIdleHeap()));",
    );
    const reducing = run.collections.filter((c) => c.startsWith('Mark-Compact (reduce)'));
    expect(reducing.length).toBeGreaterThanOrEqual(2); // CollectAllAvailableGarbage: two to seven
    for (const c of reducing) expect(c).toContain('pooled: 0 MB');
    expect(JSON.parse(run.result!)).toMatchObject({ ms: expect.any(Number) });
    // The same check fails on a plain full collection, so the one above can fail.
    const plain = traced("gc({ type: 'major', execution: 'sync' }); console.log('RESULT done');");
    expect(plain.result).toBe('done');
    expect(plain.collections.some((c) => c.startsWith('Mark-Compact'))).toBe(true);
    expect(plain.collections.some((c) => c.startsWith('Mark-Compact (reduce)'))).toBe(false);
  });

  it('has its gc in the worker: npm start runs node with --expose-gc', () => {
    expect(npmLaunch('start', {}).flags).toContain('--expose-gc');
  });
});

describe("idleHeapReleaser: the worker's release, logged", () => {
  it('logs what it released', async () => {
    const { log, lines } = keptLog('debug');
    let asked = 0;
    idleHeapReleaser(log, () => void asked++)('detection pass');
    await settled();
    expect(asked).toBe(1);
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'idle heap released', after: 'detection pass', ms: expect.any(Number) }),
    ]);
  });

  it('never throws: a failing release is a warning, and what it followed stands', async () => {
    const { log, lines } = keptLog('debug');
    const release = idleHeapReleaser(log, () => {
      throw new Error('no gc today');
    });
    expect(() => release('warm-up')).not.toThrow();
    await settled();
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'releasing the idle heap failed', after: 'warm-up' }),
    ]);
    expect(JSON.stringify(lines[0].err)).toContain('no gc today');
  });

  it('keeps the heap while a collection runs in the process (it would take the pages straight back)', async () => {
    const { log, lines } = keptLog('debug');
    let asked = 0;
    const release = idleHeapReleaser(log, () => void asked++);
    await withLeanHeap(
      async () => release('detection pass'),
      () => undefined,
    );
    expect(asked).toBe(0);
    release('detection pass'); // the collection has ended
    expect(asked).toBe(1);
    await settled();
    expect(lines.map((l) => l.msg)).toEqual(['idle heap kept: a collection runs', 'idle heap released']);
  });

  it('does nothing without a gc', async () => {
    const { log, lines } = keptLog('debug');
    idleHeapReleaser(log, null)('detection pass');
    await settled();
    expect(lines).toEqual([]);
  });
});
