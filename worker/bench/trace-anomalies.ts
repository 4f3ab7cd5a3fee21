/**
 * Debug: node --import tsx bench/trace-anomalies.ts T4-churn level_shift,ramp — each labelled anomaly of those kinds
 * (worth ≥ $20) on a bench:detect team, with its developer's reading on each day from 3 days before it to 3 days after
 * it, as the pass OF THAT DAY saw it (as bench:detect replays: one pass per day). trace-user.ts shows one pass's view of
 * every day instead, in which earlier days were judged with hindsight (the run's days already kept out of baselines).
 * Day marks: * inside the anomaly, $ the day its extra reached $20, > after its end.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';
import { scanAsOf } from './support/scan-as-of';

const [name, kinds = 'level_shift'] = process.argv.slice(2);
const shape = SCENARIOS.find((s) => s.name === name);
if (!shape) throw new Error(`no team ${name}: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const sc = generateScenario(shape);
const wanted = new Set(kinds.split(','));
const targets = sc.truth.filter((t) => t.scope === 'user' && wanted.has(t.kind) && t.extraCents >= 2_000);
const lines = new Map<string, string[]>(targets.map((t) => [t.id, []]));
const cell = (v: number, width: number, digits = 0) => v.toFixed(digits).padStart(width);

for (let day = addDays(sc.firstDay, shape.replayFrom); day <= shape.lastDay; day = addDays(day, 1)) {
  const current = targets.filter((t) => day >= addDays(t.startDay, -3) && day <= addDays(t.endDay, 3));
  if (current.length === 0) continue;
  const { series, result } = scanAsOf(sc, day);
  const t = series.asOfIdx;
  for (const a of current) {
    const u = result.users.find((x) => x.user.email === a.email);
    if (!u) continue;
    const b = u.baseline.at(t);
    const mark = day < a.startDay ? ' ' : day > a.endDay ? '>' : day === a.worthyDay ? '$' : '*';
    const kind = b === null ? '  -   ' : b.newUser ? 'new   ' : b.returning ? 'back  ' : b.sparse ? 'sparse' : 'own   ';
    lines
      .get(a.id)!
      .push(
        `  ${day}${mark}${series.dayClass[t] ? 'we' : '  '} cents ${cell(u.user.cents[t], 6)} expected ${cell(u.expected[t], 6)}` +
          ` z ${cell(u.z[t], 6, 2)} scale ${b ? b.scale.toFixed(2) : ' -  '} own days ${cell(b?.ownDays ?? 0, 2)} ${kind}` +
          ` onset ${u.onset[t] >= 0 ? series.days[u.onset[t]] : '    -     '} $${cell(u.impact[t] / 100, 5, 2)} ${u.detector[t] ?? ''}`,
      );
  }
}
for (const a of targets) {
  console.log(
    `${a.id} ${a.email} ${a.startDay}..${a.endDay} $${(a.extraCents / 100).toFixed(0)}, $20 on ${a.worthyDay ?? '-'}`,
  );
  console.log(lines.get(a.id)!.join('\n'));
}
