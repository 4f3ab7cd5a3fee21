/**
 * npm run bench:detect-ceiling — how much of bench:detect's recall and delay gap is the engine's and how much the
 * data's. For every labelled per-developer anomaly worth ≥ $20, an oracle that knows the generator's truth about the
 * developer (their usual day of each class, model mix, the team jump's price; their true noise) judges each day from
 * the anomaly's start at the engine's own evidence bars (bench/evaluation/ceiling.ts), next to the engine's replay as
 * bench:detect scores it. An anomaly the oracle cannot find within 3 days of its extra reaching $20 is beyond these
 * data at these bars; one it finds in time and the engine does not is the engine's. Team-wide jumps are left out.
 *   --set tuning|held-out|fresh|unseen|all   (default all)     --only H3-weekend,T1-steady
 *   --trace H5-churn-040-ramp,...   also print the oracle's days of these anomalies (cents, usual, σ, z)
 *   --settings '{"teamShiftMinFactor":1.1}'   detection settings other than the defaults, for the engine and the
 *                     oracle's bars alike (printed first)
 *   --bars '{"driftZ":3,"spikeZ":4}'   the oracle's bars only (ceiling.ts's OracleBars; the engine keeps its own):
 *                     what the oracle would find at lower bars, and what it would call on developers no anomaly touches
 * Besides its finds, the oracle watches every developer no anomaly touches over the replayed days and counts what it
 * would call (oracleFalseCalls), per 100 of them a week: false alerts that even perfect knowledge of the usual day
 * raises at these bars.
 * The ceiling holds for the generator's log-normal noise only: it says nothing of real, heavier-tailed spend.
 */
import { addDays, daysBetween, isWeekend } from '@cursor-cost-watch/contract';
import { parseArgs } from 'node:util';
import { benchSettings } from './support/bench-settings';
import type { UserDay, UserModelDay } from '../src/detection/types';
import {
  delayFromWorthy,
  oracleBars,
  oracleFalseCalls,
  oracleFind,
  oracleZ,
  summarize,
  untouchedDevelopers,
  usualLevel,
  verdict,
  type CeilingRow,
  type CeilingSummary,
  type OracleDay,
  type UsualLevel,
  withBars,
} from './evaluation/ceiling';
import { DUE_DAYS, MIN_CENTS, replayEngine } from './evaluation/replay';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario, usualDay, type Dev, type Scenario } from './scenarios/team';
import { num } from './support/format';

const { values: args } = parseArgs({
  options: {
    set: { type: 'string', default: 'all' },
    only: { type: 'string', default: '' },
    trace: { type: 'string', default: '' },
    settings: { type: 'string', default: '{}' },
    bars: { type: 'string', default: '{}' },
  },
});
const SETTINGS = benchSettings(args.settings);
if (args.settings !== '{}') console.log(`settings other than the defaults: ${args.settings}`);

/** Days after an anomaly's end an episode still counts as about it (score.ts's GRACE_DAYS): the oracle looks as far. */
const GRACE_DAYS = 2;
const PREMIUM_MODEL = 'premium-model';
const bars = withBars(oracleBars(SETTINGS), args.bars);
if (args.bars !== '{}') console.log(`the oracle's bars other than the engine's: ${args.bars}`);

/** The price factor of the team jumps touching developer `index` on day index `d` (1 when none), as the generator multiplies them. */
function priceOn(sc: Scenario, index: number, d: number): number {
  let price = 1;
  for (const a of sc.plan ?? [])
    if (a.kind === 'team_jump' && d >= a.start && d <= a.end && a.users.includes(index)) price *= a.factor;
  return price;
}

/** The developer's usual day on `day` (its class, at `price`), integrated over the generator's noise. */
function usualOf(sc: Scenario, dev: Dev, day: string, price: number, cache: Map<string, UsualLevel>): UsualLevel {
  const key = `${isWeekend(day)}|${price}`;
  let level = cache.get(key);
  if (level === undefined) {
    level = usualLevel((noise, split) => {
      const row = usualDay(dev, day, sc.shape.weekendVolume, noise, split, price);
      const premium = row.models.find((m) => m.model === PREMIUM_MODEL)?.chargedCents ?? 0;
      return {
        cents: row.day.chargedCents,
        events: row.day.events,
        premiumCents: premium,
        headlessCents: row.day.headlessCents,
      };
    }, dev.sigma);
    cache.set(key, level);
  }
  return level;
}

/** The developer's active days (of `userDays`, theirs) from `from` to `last` (inclusive), with what the oracle knows of each. */
function oracleDays(
  sc: Scenario,
  index: number,
  userDays: UserDay[],
  premiumCents: Map<string, number>,
  from: string,
  last: string,
): OracleDay[] {
  const dev = sc.devs![index];
  const rowsOf = new Map(userDays.map((r) => [r.day, r]));
  const cache = new Map<string, UsualLevel>();
  const days: OracleDay[] = [];
  let idle = 0;
  for (let day = from; day <= last; day = addDays(day, 1)) {
    const row = rowsOf.get(day);
    if (row === undefined || row.events <= 0) {
      if (!isWeekend(day)) idle++;
      continue;
    }
    const d = daysBetween(sc.firstDay, day);
    days.push({
      day,
      cents: row.chargedCents,
      events: row.events,
      headlessCents: row.headlessCents,
      premiumCents: premiumCents.get(`${dev.email}|${day}`) ?? 0,
      idleWorkdaysBefore: idle,
      usual: usualOf(sc, dev, day, priceOn(sc, index, d), cache),
    });
    idle = 0;
  }
  return days;
}

interface TeamCeiling {
  rows: CeilingRow[];
  engineRecall: string;
  /** The oracle's calls on developers no anomaly touches, over the replayed days (oracleFalseCalls). */
  falseCalls: number;
  /** Developer-weeks the false calls are counted over: the untouched developers' over the replayed days. */
  devWeeks: number;
}

function ceilingRows(sc: Scenario): TeamCeiling {
  const { score, days: replayed } = replayEngine(sc, SETTINGS);
  const devs = sc.devs!;
  const byEmail = new Map<string, UserDay[]>();
  for (const r of sc.input.userDays) byEmail.set(r.email, [...(byEmail.get(r.email) ?? []), r]);
  const premiumCents = new Map<string, number>();
  for (const m of sc.input.userModelDays as UserModelDay[])
    if (m.model === PREMIUM_MODEL) premiumCents.set(`${m.email}|${m.day}`, m.chargedCents);
  const engineFind = new Map(score.found.map((f) => [f.truth.id, f.episode.firstDay]));
  const judgedIds = new Set<string>();
  for (const t of sc.truth) if (t.extraCents >= MIN_CENTS && !score.tooLate.includes(t)) judgedIds.add(t.id);
  const rows: CeilingRow[] = [];
  for (const t of sc.truth) {
    if (t.scope !== 'user' || t.extraCents < MIN_CENTS || t.worthyDay === undefined) continue;
    const planned = sc.plan!.find((a) => a.id === t.id)!;
    const index = planned.users[0];
    const dev = devs[index];
    const last = addDays(t.endDay, GRACE_DAYS) < sc.shape.lastDay ? addDays(t.endDay, GRACE_DAYS) : sc.shape.lastDay;
    const days = oracleDays(sc, index, byEmail.get(dev.email) ?? [], premiumCents, t.startDay, last);
    const find = oracleFind(days, bars);
    if (traced.has(t.id)) trace(t.id, dev, days);
    const engineDay = engineFind.get(t.id);
    rows.push({
      id: t.id,
      kind: t.kind,
      worthyDay: t.worthyDay,
      judged: judgedIds.has(t.id),
      oracle: find ? { day: find.day, delay: delayFromWorthy(t.worthyDay, find.day), path: find.path } : null,
      engine: engineDay ? { day: engineDay, delay: delayFromWorthy(t.worthyDay, engineDay) } : null,
    });
  }
  const user = score.found.filter((f) => f.truth.scope === 'user').length;
  const judgedUser = rows.filter((r) => r.judged).length;
  const untouched = untouchedDevelopers(sc.plan!, devs.length);
  const replayFrom = addDays(sc.firstDay, sc.shape.replayFrom);
  let falseCalls = 0;
  for (const index of untouched) {
    const days = oracleDays(
      sc,
      index,
      byEmail.get(devs[index].email) ?? [],
      premiumCents,
      replayFrom,
      sc.shape.lastDay,
    );
    falseCalls += oracleFalseCalls(days, bars);
  }
  return {
    rows,
    engineRecall: `${user}/${judgedUser}`,
    falseCalls,
    devWeeks: (untouched.length * replayed) / 7,
  };
}

const traced = new Set(args.trace.split(',').filter(Boolean));

function trace(id: string, dev: Dev, days: OracleDay[]): void {
  console.log(`   trace ${id}: ${dev.email} base $${(dev.base / 100).toFixed(2)} σ ${dev.sigma.toFixed(2)}`);
  for (const d of days)
    console.log(
      `     ${d.day} ${isWeekend(d.day) ? 'we' : 'wd'} $${(d.cents / 100).toFixed(2).padStart(8)} usual $${(d.usual.expected / 100).toFixed(2).padStart(7)} σ ${d.usual.sigma.toFixed(3)} z ${oracleZ(d).toFixed(2).padStart(6)} headless ${(d.headlessCents / Math.max(1, d.cents)).toFixed(2)} premium ${(d.premiumCents / Math.max(1, d.cents)).toFixed(2)} requests ${d.events} (usual ${d.usual.events.toFixed(0)})${d.idleWorkdaysBefore > 0 ? ` after ${d.idleWorkdaysBefore} idle workdays` : ''}`,
    );
}

const pct = (a: number, b: number) => (b > 0 ? `${((a / b) * 100).toFixed(0)}%` : 'n/a');

const COLUMNS: [string, number][] = [
  ['team', 15],
  ['judged', 7],
  ['engine recall', 15],
  ['≤3 d', 6],
  ['med/max', 9],
  ['oracle recall', 15],
  ['≤3 d', 6],
  ['med/max', 9],
  ['engine misses: beyond/engine', 30],
  ['late >3 d: beyond/engine', 26],
  ['engine-only', 12],
  ['oracle false / 100 dev-wk', 26],
  ['oracle precision', 16],
];

/** The oracle's calls on developers no anomaly touches, the developer-weeks they are over, and all its finds. */
interface FalseCalls {
  falseCalls: number;
  devWeeks: number;
  finds: number;
}

function line(name: string, s: CeilingSummary, f: FalseCalls): string {
  const cells = [
    name,
    String(s.judged),
    `${pct(s.engineFound, s.judged)} ${s.engineFound}/${s.judged}`,
    String(s.engineInTime),
    `${num(s.engineMedianDelay)}/${num(s.engineWorstDelay, 0)}`,
    `${pct(s.oracleFound, s.judged)} ${s.oracleFound}/${s.judged}`,
    String(s.oracleInTime),
    `${num(s.oracleMedianDelay)}/${num(s.oracleWorstDelay, 0)}`,
    `${s.missedBeyond} / ${s.missedEngine}`,
    `${s.lateBeyond} / ${s.lateEngine}`,
    String(s.engineOnly),
    `${f.falseCalls} / ${num((100 * f.falseCalls) / f.devWeeks, 2)}`,
    pct(f.finds, f.finds + f.falseCalls),
  ];
  return cells.map((c, i) => c.padEnd(COLUMNS[i][1])).join('');
}

function describe(r: CeilingRow): string {
  const o = r.oracle
    ? `oracle ${r.oracle.day} +${r.oracle.delay} d (${r.oracle.path})`
    : 'oracle never by the last day';
  const e = !r.judged
    ? 'not judged (reached $20 too late)'
    : r.engine
      ? `engine ${r.engine.day} +${r.engine.delay} d`
      : 'engine missed';
  const v = verdict(r, DUE_DAYS);
  return `   ${r.id.padEnd(34)} $20 on ${r.worthyDay}  ${o.padEnd(40)} ${e}${v ? `  → ${v}` : ''}`;
}

function main(): void {
  const only = new Set(args.only.split(',').filter(Boolean));
  const shapes = SCENARIOS.filter(
    (s) => (args.set === 'all' || s.set === args.set) && (only.size === 0 || only.has(s.name)),
  );
  if (shapes.length === 0) throw new Error(`no scenario matches --set ${args.set} --only ${args.only}`);
  const results: ({ name: string; set: string } & TeamCeiling)[] = [];
  for (const shape of shapes) {
    const t0 = performance.now();
    const sc = generateScenario(shape);
    const team = ceilingRows(sc);
    const { rows, engineRecall, falseCalls, devWeeks } = team;
    console.log(
      `${shape.name}: ${rows.length} per-developer anomalies worth ≥ $20 (${rows.filter((r) => r.judged).length} judged), engine ${engineRecall} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    for (const r of rows) console.log(describe(r));
    console.log(
      `   oracle on developers no anomaly touches: ${falseCalls} call(s) over ${num(devWeeks, 0)} developer-weeks`,
    );
    results.push({ name: shape.name, set: shape.set, ...team });
  }
  console.log(
    `\nper-developer anomalies worth ≥ $20 (team jumps left out), judged as bench:detect judges them; delays in days from the day the extra reached $20; ` +
      `"beyond/engine": the engine's misses (and finds more than ${DUE_DAYS} days late) that the oracle also misses or finds only more than ${DUE_DAYS} days late / that it finds within ${DUE_DAYS} days; ` +
      `engine-only: found by the engine, never by the oracle; ` +
      `oracle false: its calls on developers no anomaly touches over the replayed days (what the oracle's bars cost; not a floor under the engine's false alerts: the engine's scale, wider than the true σ, calls less), per 100 of those developers a week; ` +
      `oracle precision: its finds (of every anomaly worth ≥ $20, judged or not) / (finds + those calls)`,
  );
  for (const set of ['tuning', 'held-out', 'fresh', 'unseen']) {
    const mine = results.filter((r) => r.set === set);
    if (mine.length === 0) continue;
    console.log(`\n== ${set} ==`);
    console.log(COLUMNS.map(([c, w]) => c.padEnd(w)).join(''));
    const finds = (rows: CeilingRow[]) => rows.filter((r) => r.oracle !== null).length;
    for (const r of mine) console.log(line(r.name, summarize(r.rows, DUE_DAYS), { ...r, finds: finds(r.rows) }));
    const sum = (f: (r: (typeof mine)[number]) => number) => mine.reduce((a, r) => a + f(r), 0);
    console.log(
      line(
        'total',
        summarize(
          mine.flatMap((r) => r.rows),
          DUE_DAYS,
        ),
        { falseCalls: sum((r) => r.falseCalls), devWeeks: sum((r) => r.devWeeks), finds: sum((r) => finds(r.rows)) },
      ),
    );
  }
}

main();
