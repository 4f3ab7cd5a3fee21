/**
 * npm run bench:detect-load — loading detection's input from PostgreSQL, the row-by-row loader detection used before
 * (bench/load-rows-reference.ts) against the per-user arrays loader (bench/load-arrays-reference.ts), side by side on the same embedded PostgreSQL, plus a check
 * that both return the same input.
 *   --developers 5000   simulated developers (one 200-developer team tiled with distinct emails)
 *   --days 90           history stored      --window 57   days loaded (runDetectionPass's window at default settings)
 *   --runs 3            timed runs of each loader (best and mean printed)
 */
import { addDays } from '@cursor-cost-watch/contract';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createSimulatedTeam } from '@cursor-cost-watch/simulator';
import { EventRollup } from './evaluation/rollup';
import type { DetectionInput } from '../src/detection';
import type { UserDay, UserModelDay } from '../src/detection/types';
import { loadDetectionInputRowByRow, normalized } from './load-rows-reference';
import { storeTeam, withBenchDatabase } from './support/database';

const { values: args } = parseArgs({
  options: {
    developers: { type: 'string', default: '5000' },
    days: { type: 'string', default: '90' },
    window: { type: 'string', default: '57' },
    runs: { type: 'string', default: '3' },
  },
});
const developers = Number(args.developers);
const historyDays = Number(args.days);
const TEAM = 200;
const NOW = Date.parse('2026-11-20T23:59:59.999Z');

/** The simulator's team, rolled up as the collector would, tiled with distinct emails up to `developers`. */
function tiledInput(): DetectionInput & { firstDay: string } {
  const team = createSimulatedTeam({ seed: 1, teamSize: TEAM, historyDays, now: () => NOW });
  const lastDay = new Date(NOW).toISOString().slice(0, 10);
  const firstDay = addDays(lastDay, -(historyDays - 1));
  const rollup = new EventRollup();
  for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) rollup.add(team.eventsForDay(day));
  const base = rollup.rows();
  const copies = Math.ceil(developers / TEAM);
  const rename = (email: string, c: number) => (c === 0 ? email : `c${c}.${email}`);
  const members: DetectionInput['members'] = [];
  for (let c = 0; c < copies; c++)
    for (const m of team.members().slice(0, Math.min(TEAM, developers - c * TEAM)))
      members.push({ email: rename(m.email, c), firstSeenDay: m.joinedDay, isRemoved: m.isRemoved });
  const wanted = new Set(members.map((m) => m.email));
  const userDays: UserDay[] = [];
  const userModelDays: UserModelDay[] = [];
  for (let c = 0; c < copies; c++) {
    for (const r of base.userDays)
      if (wanted.has(rename(r.email, c))) userDays.push({ ...r, email: rename(r.email, c) });
    for (const r of base.userModelDays)
      if (wanted.has(rename(r.email, c))) userModelDays.push({ ...r, email: rename(r.email, c) });
  }
  return { asOf: lastDay, userDays, userModelDays, members, cycleSpend: [], firstDay };
}

async function time<T>(runs: number, f: () => Promise<T>): Promise<{ best: number; mean: number; result: T }> {
  let result = await f(); // warm-up: JIT and PostgreSQL's buffer cache
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = await f();
    ms.push(performance.now() - t0);
  }
  return { best: Math.min(...ms), mean: ms.reduce((s, v) => s + v, 0) / ms.length, result };
}

async function main(): Promise<void> {
  const { loadDetectionInput } = await import('./load-arrays-reference');
  const input = tiledInput();
  await withBenchDatabase('detect-load', 4, async ({ db }) => {
    await storeTeam(db, input, input.firstDay);
    await sql`VACUUM ANALYZE`.execute(db);
    const opts = { days: Number(args.window), now: new Date(`${addDays(input.asOf, 1)}T00:30:00Z`) };
    const runs = Number(args.runs);
    const rss0 = process.memoryUsage().rss;
    const before = await time(runs, () => loadDetectionInputRowByRow(db, input.asOf, opts));
    const after = await time(runs, () => loadDetectionInput(db, input.asOf, opts));
    // the row-by-row loader left models within a user's day and members unordered: both ordered alike first
    const same = isDeepStrictEqual(normalized(before.result), normalized(after.result));
    const n = after.result;
    console.log(
      `loading detection's input: ${developers} developers, ${args.window} of ${historyDays} days ` +
        `(${n.userDays.length.toLocaleString('en-US')} user-days, ${n.userModelDays.length.toLocaleString('en-US')} user-model-days), best/mean of ${runs}:`,
    );
    console.log(`  row by row (before): ${before.best.toFixed(0)} / ${before.mean.toFixed(0)} ms`);
    console.log(`  arrays (reference):  ${after.best.toFixed(0)} / ${after.mean.toFixed(0)} ms`);
    console.log(`  speed-up ${(before.best / after.best).toFixed(1)}×; same input: ${same ? 'yes' : 'NO'}`);
    console.log(
      `  process RSS ${(rss0 / 2 ** 20).toFixed(0)} MiB before loading, peak ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    );
    if (!same) process.exitCode = 1;
  });
}

void main();
