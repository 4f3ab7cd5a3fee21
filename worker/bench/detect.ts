/**
 * npm run bench:detect — the detection engine against the original tool's rules on the simulator's labelled
 * anomalies, replayed day by day; then the run time of one detection pass on a large team.
 *   --seeds 1,2,3   simulated teams (default 1,2,3)     --size 200   developers per team
 *   --verbose       list misses and false positives     --no-timing  skip the run-time part
 *   --db            also time a full runDetectionPass (load from PostgreSQL, detect, store, incidents) on an
 *                   embedded PostgreSQL
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { createSimulatedTeam } from '../src/simulator';
import { detect, type DetectionInput } from '../src/detection';
import { addDays, daysBetween } from '../src/detection/days';
import { EventRollup } from '../src/detection/evaluation/rollup';
import { originalRules } from '../src/detection/evaluation/original-rules';
import { toEpisodes, type Detection, type Episode } from '../src/detection/evaluation/episodes';
import { score, type Score, type TruthAnomaly } from '../src/detection/evaluation/score';
import { DEFAULT_SETTINGS } from '../src/settings';
import type { UserDay, UserModelDay } from '../src/detection/types';
import { storeDetectionInput } from '../src/detection/evaluation/store-input';

const { values: args } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3' },
    size: { type: 'string', default: '200' },
    days: { type: 'string', default: '90' },
    verbose: { type: 'boolean', default: false },
    'no-timing': { type: 'boolean', default: false },
    db: { type: 'boolean', default: false },
  },
});
const seeds = args.seeds.split(',').map(Number);
const size = Number(args.size);
const historyDays = Number(args.days);
const NOW = Date.parse('2026-11-20T23:59:59.999Z');
const MIN_CENTS = 2_000;
/** Nothing is planted in the simulator's first 21 days: they are the warm-up, not replayed. */
const WARM_UP_DAYS = 21;

interface Simulated {
  userDays: UserDay[];
  userModelDays: UserModelDay[];
  members: DetectionInput['members'];
  truth: TruthAnomaly[];
  cycleDayOfMonth: number;
  firstDay: string;
  lastDay: string;
}

function simulate(seed: number, teamSize: number): Simulated {
  const team = createSimulatedTeam({ seed, teamSize, historyDays, now: () => NOW });
  const lastDay = new Date(NOW).toISOString().slice(0, 10);
  const firstDay = addDays(lastDay, -(historyDays - 1));
  const rollup = new EventRollup();
  for (let day = firstDay; day <= lastDay; day = addDays(day, 1)) rollup.add(team.eventsForDay(day));
  const members = team.members().map((m) => ({ email: m.email, firstSeenDay: m.joinedDay, isRemoved: m.isRemoved }));
  return { ...rollup.rows(), members, truth: team.truth(), cycleDayOfMonth: team.cycleDayOfMonth, firstDay, lastDay };
}

function cycleStart(day: string, dayOfMonth: number): string {
  const [y, m, d] = day.split('-').map(Number);
  const start = new Date(Date.UTC(y, m - 1 - (d < dayOfMonth ? 1 : 0), dayOfMonth));
  return start.toISOString().slice(0, 10);
}

/** Rows are sorted by day: the input as of `day` is a prefix. */
function prefix<T extends { day: string }>(rows: T[], day: string): T[] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].day <= day) lo = mid + 1;
    else hi = mid;
  }
  return rows.slice(0, lo);
}

function replay(sim: Simulated): { engine: Detection[]; original: Detection[]; days: number; ms: number[] } {
  const engine: Detection[] = [];
  const original: Detection[] = [];
  const ms: number[] = [];
  const from = addDays(sim.firstDay, WARM_UP_DAYS);
  for (let day = from; day <= sim.lastDay; day = addDays(day, 1)) {
    const start = cycleStart(day, sim.cycleDayOfMonth);
    const input: DetectionInput = {
      asOf: day,
      userDays: prefix(sim.userDays, day),
      userModelDays: prefix(sim.userModelDays, day),
      members: sim.members,
      cycleSpend: sim.members.map((m) => ({ email: m.email, cycleStart: start, spendCents: 0 })),
    };
    const t0 = performance.now();
    for (const a of detect(input, DEFAULT_SETTINGS))
      engine.push({ day, scope: a.scope, subject: a.subject, detector: a.detector });
    ms.push(performance.now() - t0);
    for (const a of originalRules(input, start))
      original.push({ day, scope: 'user', subject: a.subject, detector: a.detector });
  }
  return { engine, original, days: daysBetween(from, sim.lastDay) + 1, ms };
}

interface Totals {
  episodes: Episode[];
  truth: TruthAnomaly[];
  developers: number;
  days: number;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
const fmt = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : 'n/a');

function printComparison(engine: Score, original: Score): void {
  const rows: [string, string, string][] = [
    ['episodes (incidents opened)', String(engine.episodes), String(original.episodes)],
    ['precision', pct(engine.precision), pct(original.precision)],
    [
      `recall (anomalies ≥ $${MIN_CENTS / 100})`,
      `${pct(engine.recall)} (${engine.detected}/${engine.worthy})`,
      `${pct(original.recall)} (${original.detected}/${original.worthy})`,
    ],
    ['F1', fmt(engine.f1), fmt(original.f1)],
    ['median detection delay (days)', fmt(engine.medianDelayDays, 1), fmt(original.medianDelayDays, 1)],
    ['alerts per 100 developers per week', fmt(engine.alertsPer100DevWeek), fmt(original.alertsPer100DevWeek)],
  ];
  const w = [38, 22, 22];
  console.log(`${'metric'.padEnd(w[0])}${'this engine'.padEnd(w[1])}${'original rules'.padEnd(w[2])}`);
  for (const r of rows) console.log(`${r[0].padEnd(w[0])}${r[1].padEnd(w[1])}${r[2].padEnd(w[2])}`);
  const kinds = [...new Set([...Object.keys(engine.recallByKind), ...Object.keys(original.recallByKind)])].sort();
  console.log('\nrecall by kind (anomalies worth ≥ $20):');
  for (const k of kinds) {
    const e = engine.recallByKind[k];
    const o = original.recallByKind[k];
    console.log(
      `  ${k.padEnd(16)} engine ${e ? `${e.detected}/${e.total}` : '-'}   original ${o ? `${o.detected}/${o.total}` : '-'}`,
    );
  }
}

function byDetector(episodes: Episode[]): string {
  const counts = new Map<string, number>();
  for (const e of episodes) counts.set(e.detector, (counts.get(e.detector) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([d, n]) => `${d} ${n}`)
    .join(', ');
}

/** Tiles the simulated team's rows with distinct emails up to `developers` (same statistical shape). */
function tile(base: Simulated, developers: number): DetectionInput {
  const copies = Math.ceil(developers / size);
  const userDays: UserDay[] = [];
  const userModelDays: UserModelDay[] = [];
  const members: DetectionInput['members'] = [];
  const rename = (email: string, c: number) => (c === 0 ? email : `c${c}.${email}`);
  for (let c = 0; c < copies; c++) {
    for (const m of base.members.slice(0, Math.min(size, developers - c * size)))
      members.push({ ...m, email: rename(m.email, c) });
  }
  const wanted = new Set(members.map((m) => m.email));
  for (let c = 0; c < copies; c++) {
    for (const r of base.userDays)
      if (wanted.has(rename(r.email, c))) userDays.push({ ...r, email: rename(r.email, c) });
    for (const r of base.userModelDays)
      if (wanted.has(rename(r.email, c))) userModelDays.push({ ...r, email: rename(r.email, c) });
  }
  return { asOf: base.lastDay, userDays, userModelDays, members, cycleSpend: [] };
}

function timing(base: Simulated, developers: number): number {
  const input = tile(base, developers);
  detect(input, DEFAULT_SETTINGS); // warm-up (JIT)
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    detect(input, DEFAULT_SETTINGS);
    runs.push(performance.now() - t0);
  }
  console.log(
    `  ${String(developers).padStart(5)} developers, ${historyDays} days (${input.userDays.length.toLocaleString('en-US')} user-days, ${input.userModelDays.length.toLocaleString('en-US')} user-model-days): ` +
      `${Math.min(...runs).toFixed(0)} ms best of 3, ${(runs.reduce((s, v) => s + v, 0) / runs.length).toFixed(0)} ms mean`,
  );
  return Math.min(...runs);
}

/** A full pass against PostgreSQL: the rollups stored, then loadDetectionInput → detect → anomalies → incidents. */
async function dbTiming(base: Simulated, sizes: number[]): Promise<void> {
  const { startEmbeddedPostgres, freePort } = await import('../src/db/embedded');
  const { createDb } = await import('../src/db/pool');
  const { migrateToLatest } = await import('../src/db/migrate');
  const { runDetectionPass, loadDetectionInput } = await import('../src/detection');
  const { loadConfig } = await import('../src/config/config');
  const { createLogger } = await import('../src/config/log');
  const pgServer = await startEmbeddedPostgres({
    dataDir: `/tmp/cw-bench-detect-${process.pid}`,
    port: await freePort(),
    ephemeral: true,
  });
  const handle = createDb(pgServer.connectionString, 4);
  try {
    await migrateToLatest(handle.db);
    // One server for every size (the embedded server cannot be started twice in one process): emptied in between.
    for (const developers of sizes) {
      await sql`TRUNCATE user_daily_rollup, user_model_daily_rollup, members, anomalies, incidents, incident_events CASCADE`.execute(
        handle.db,
      );
      const input = tile(base, developers);
      await storeDetectionInput(handle.db, input);
      await handle.db
        .insertInto('members')
        .values(
          input.members.map((m) => ({ email: m.email, first_seen_at: `${m.firstSeenDay ?? base.firstDay}T00:00:00Z` })),
        )
        .execute();
      const deps = { db: handle.db, config: loadConfig({} as NodeJS.ProcessEnv), log: createLogger('silent') };
      const now = new Date(`${addDays(base.lastDay, 1)}T00:30:00Z`);
      let t0 = performance.now();
      await loadDetectionInput(handle.db, base.lastDay, { days: 57, now });
      const loadMs = performance.now() - t0;
      t0 = performance.now();
      const first = await runDetectionPass(deps, { asOf: base.lastDay, now });
      const firstMs = performance.now() - t0;
      t0 = performance.now();
      await runDetectionPass(deps, { asOf: base.lastDay, now: new Date(now.getTime() + 3_600_000) });
      const againMs = performance.now() - t0;
      console.log(
        `  ${String(developers).padStart(5)} developers: full pass ${firstMs.toFixed(0)} ms (of which loading the rollups ~${loadMs.toFixed(0)} ms; ` +
          `${first.anomalies.length} anomalies, ${first.incidents.opened.length} incidents opened), the next hourly pass ${againMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await handle.close();
    await pgServer.stop();
  }
}

async function main(): Promise<void> {
  const engineAll: Totals = { episodes: [], truth: [], developers: 0, days: 0 };
  const originalAll: Totals = { episodes: [], truth: [], developers: 0, days: 0 };
  let first: Simulated | null = null;
  const passMs: number[] = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const sim = simulate(seed, size);
    first ??= sim;
    const { engine, original, days, ms } = replay(sim);
    passMs.push(...ms);
    const gap = DEFAULT_SETTINGS.autoResolveAfterDays;
    const tag = (eps: Episode[]) => eps.map((e) => ({ ...e, subject: `${seed}:${e.subject}` }));
    const truth = sim.truth.map((t) => ({
      ...t,
      email: t.email && `${seed}:${t.email}`,
      emails: (t as { emails?: string[] }).emails?.map((e) => `${seed}:${e}`),
    }));
    engineAll.episodes.push(...tag(toEpisodes(engine, gap)));
    originalAll.episodes.push(...tag(toEpisodes(original, gap)));
    engineAll.truth.push(...truth);
    engineAll.developers += size;
    engineAll.days = days;
    console.log(
      `seed ${seed}: ${size} developers, ${sim.userDays.length.toLocaleString('en-US')} user-days, ${truth.length} labelled anomalies, ${days} days replayed (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
  }
  originalAll.truth = engineAll.truth;
  const o = { minCents: MIN_CENTS, developers: engineAll.developers, days: engineAll.days };
  const e = score(engineAll.episodes, engineAll.truth, o);
  const b = score(originalAll.episodes, originalAll.truth, o);
  console.log(
    `\n== ${seeds.length} simulated team(s) × ${size} developers, replayed day by day, same data for both ==\n`,
  );
  printComparison(e, b);
  console.log(`\nengine episodes by detector:   ${byDetector(engineAll.episodes)}`);
  console.log(`original episodes by rule:     ${byDetector(originalAll.episodes)}`);
  const sorted = [...passMs].sort((x, y) => x - y);
  console.log(`engine pass during replay (${size} developers): median ${sorted[sorted.length >> 1].toFixed(0)} ms`);
  if (args.verbose) {
    console.log('\nengine misses:');
    for (const m of e.missed)
      console.log(`  ${m.kind} ${m.email ?? 'team'} ${m.startDay}..${m.endDay} $${(m.extraCents / 100).toFixed(0)}`);
    console.log('engine false positives:');
    for (const f of e.falsePositives) console.log(`  ${f.detector} ${f.subject} ${f.firstDay}..${f.lastDay}`);
  }
  if (!args['no-timing'] && first) {
    console.log(
      `\nrun time of one detection pass (pure detect(), ${historyDays} days of history; the simulated team's rows tiled with distinct emails):`,
    );
    timing(first, 1_000);
    timing(first, 5_000);
  }
  if (args.db && first) {
    console.log('\nrun time of one full detection pass against PostgreSQL (embedded, same tiled rows):');
    await dbTiming(first, [1_000, 5_000]);
  }
}

void main();
