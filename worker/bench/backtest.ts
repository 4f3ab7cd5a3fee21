/**
 * npm run bench:backtest — the settings preview's backtest (src/jobs/backtest.ts) on PostgreSQL: each replayed day
 * read with the hourly pass's series loader (now) against the rows loaded once and detect() per day (before, the
 * reference in bench/load-arrays-reference.ts). Checks both open the same incidents.
 *   --developers 400   the T2-weekend team tiled      --days 30   days replayed (the preview's)
 */
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { backtest } from '../src/jobs/backtest';
import { DEFAULT_SETTINGS } from '../src/settings';
import { backtestOnRows } from './backtest-reference';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';
import { storeTeam, withBenchDatabase } from './support/database';
import { tile } from './support/tile';

const { values: args } = parseArgs({
  options: { developers: { type: 'string', default: '400' }, days: { type: 'string', default: '30' } },
});
const days = Number(args.days);

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; cpuMs: number; result: T }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await f();
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, result };
}

async function main(): Promise<void> {
  const base = generateScenario(SCENARIOS.find((s) => s.name === 'T2-weekend')!);
  const input = tile(base, Number(args.developers));
  const to = base.shape.lastDay;
  await withBenchDatabase('backtest', 4, async ({ db }) => {
    await storeTeam(db, input, base.firstDay);
    const before = await timed(() => backtestOnRows(db, to, days, DEFAULT_SETTINGS));
    const after = await timed(() => backtest(db, { days, endDay: to, settings: DEFAULT_SETTINGS }));
    console.log(`backtest of ${days} days, ${args.developers} developers (T2-weekend tiled), default settings:`);
    console.log(
      `  before (rows once, detect() per day): ${before.ms.toFixed(0)} ms, cpu ${before.cpuMs.toFixed(0)} ms`,
    );
    console.log(`  now (series loader per day):          ${after.ms.toFixed(0)} ms, cpu ${after.cpuMs.toFixed(0)} ms`);
    const same = isDeepStrictEqual(before.result, after.result.incidents);
    console.log(`  ${after.result.total} incidents; the same before and now: ${same ? 'yes' : 'NO'}`);
    if (!same) process.exitCode = 1;
  });
}

void main();
