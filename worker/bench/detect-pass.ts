/**
 * npm run bench:detect-pass — one full detection pass on PostgreSQL at 1,000 to 20,000 developers, before (load every
 * rollup row as an object, then detect()) and after (series straight from the rollups, load-series-set.ts), each in
 * a process of its own (bench/detect-pass-child.ts) so its peak RSS is its own. Checks both find the same anomalies.
 *   --sizes 5000,20000   developers: the generated T2-weekend team (bench/scenarios) tiled with distinct emails
 *   --runs 2             passes of each kind per size (each printed)      --no-before   only the new passes
 *   --node-flags='--max-semi-space-size=16'   V8 flags after npm start's (a later one wins), to try others
 * hourly: the worker's next pass within a day, its series kept from the previous pass (only today re-read), 20 s after it.
 * nextday: the worker's first pass of a new day, its series kept from the day before's pass and slid one day.
 * afterstart: the worker's first pass after a start, its series filled by the warm-up the worker runs at start
 * (warmSeriesCache, while the start-up collection runs; its time printed apart).
 * The machine is shared: each figure is printed with os.loadavg(), the pass's own CPU time (less noisy than wall) and
 * the machine's speed just before it (bench/support/machine-probe.ts: a fixed loop's ms, 467–791 on this machine).
 * Each pass runs with the V8 flags and malloc arenas of `npm start` (the worker's 8 MiB young generation, two arenas), as
 * the worker would run it.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { withBenchDatabase } from './support/database';
import { machineProbeMs } from './support/machine-probe';
import {
  BASE,
  detectPassTeam,
  growDetectPassTeam,
  storeDetectPassTeam,
  storedCounts,
} from './support/detect-pass-team';
import { bundle, workerDir } from '../tools/build/bundle.mjs';
import { npmLaunch } from '../tools/build/npm-launch';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '5000,20000' },
    runs: { type: 'string', default: '2' },
    'no-before': { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '' },
  },
});

interface ChildResult {
  ms: number;
  gc: { minorN: number; minorMs: number; otherN: number; otherMs: number };
  cpuMs: number;
  peakRssMiB: number;
  anomalies: number;
  digest: string;
  phasesMs?: Record<string, number>;
  warmMs?: number;
}

type Mode = 'before' | 'after' | 'hourly' | 'nextday' | 'afterstart';
const LABEL: Record<Mode, string> = {
  before: 'before (rows → detect)     ',
  after: 'after (runDetectionPass)   ',
  hourly: 'hourly (cache, today read) ',
  nextday: 'next day (cache slid 1 day)',
  afterstart: 'after start (cache warmed) ',
};

/**
 * The pass child, bundled as the worker is (tools/build/bundle.mjs) and run with npm start's flags: run by tsx, its
 * loader and transforms held 20–35 MiB more than the worker does.
 */
const CHILD = path.join(workerDir, 'dist/bench/detect-pass-child.cjs');
const EXTRA_FLAGS = args['node-flags'].split(/\s+/).filter(Boolean);

function runChild(url: string, asOf: string, mode: Mode): ChildResult {
  const { flags, env } = npmLaunch('start');
  const out = execFileSync(process.execPath, [...flags, ...EXTRA_FLAGS, CHILD, url, asOf, mode], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    env: { ...process.env, ...env },
  });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(' ');

async function main(): Promise<void> {
  await bundle([path.join(import.meta.dirname, 'detect-pass-child.ts')], path.dirname(CHILD));
  const team = detectPassTeam();
  const asOf = team.asOf;
  await withBenchDatabase('detect-pass', 2, async ({ db, url }) => {
    let copies = await storeDetectPassTeam(db, team);
    console.log(
      `one full detection pass on PostgreSQL (embedded), T2-weekend tiled from ${BASE} developers, asOf ${asOf}, ` +
        `${os.cpus().length} cores shared; node flags of npm start: ${npmLaunch('start').flags.join(' ') || 'none'}` +
        (EXTRA_FLAGS.length ? `, then ${EXTRA_FLAGS.join(' ')} (--node-flags)` : '') +
        ', ' +
        `its environment: ${JSON.stringify(npmLaunch('start').env)}; ` +
        `ms = wall of the pass, cpu = the worker process's own CPU time:`,
    );
    for (const developers of args.sizes.split(',').map(Number)) {
      copies = await growDetectPassTeam(db, copies, developers);
      const c = await storedCounts(db);
      console.log(
        `\n${c.u.toLocaleString('en-US')} developers (${c.d.toLocaleString('en-US')} user-days, ${c.m.toLocaleString('en-US')} user-model-days stored):`,
      );
      const modes: Mode[] = args['no-before']
        ? ['after', 'hourly', 'nextday', 'afterstart']
        : ['before', 'after', 'hourly', 'nextday', 'afterstart'];
      const digests = new Set<string>();
      for (const mode of modes) {
        for (let i = 0; i < Number(args.runs); i++) {
          await sql`TRUNCATE anomalies, incidents, incident_events CASCADE`.execute(db);
          const probe = machineProbeMs();
          const r = runChild(url, asOf, mode);
          digests.add(`${r.anomalies}:${r.digest}`);
          console.log(
            `  ${LABEL[mode]}: ${String(r.ms).padStart(6)} ms, ` +
              `cpu ${String(r.cpuMs).padStart(6)} ms (gc pauses: young ${r.gc.minorN} × = ${r.gc.minorMs} ms, ` +
              `other ${r.gc.otherN} × = ${r.gc.otherMs} ms), peak RSS ${String(r.peakRssMiB).padStart(5)} MiB, ` +
              `${r.anomalies} anomalies (${r.digest}); loadavg ${load()}; machine probe ${probe.toFixed(0)} ms` +
              (r.warmMs !== undefined ? `; the warm-up at start took ${r.warmMs} ms` : '') +
              (r.phasesMs
                ? `\n      phases (ms): ${Object.entries(r.phasesMs)
                    .map(([k, v]) => `${k} ${v}`)
                    .join(', ')}`
                : ''),
          );
        }
      }
      console.log(`  same anomalies in every mode: ${digests.size === 1 ? 'yes' : 'NO'}`);
      if (digests.size !== 1) process.exitCode = 1;
    }
  });
}

void main();
