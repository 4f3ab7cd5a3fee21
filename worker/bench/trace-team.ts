/**
 * Debug: node --import tsx bench/trace-team.ts H3-weekend — each labelled team-wide jump of a bench:detect team, with
 * the team's reading on each day from 5 days before it to 10 days after its start, as the pass OF THAT DAY saw it
 * (one pass per day, as bench:detect replays): the team's level (the median developer's log ratio to their own
 * expected), whether the day is a team shift, spend against expected, and the team episode's onset and impact.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';
import { scanAsOf } from './support/scan-as-of';

const [name] = process.argv.slice(2);
const shape = SCENARIOS.find((s) => s.name === name);
if (!shape) throw new Error(`no team ${name}: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const sc = generateScenario(shape);
const jumps = sc.truth.filter((t) => t.scope === 'team');
const cell = (v: number, width: number, digits = 0) => v.toFixed(digits).padStart(width);

for (const j of jumps) {
  console.log(
    `${j.id} ${j.startDay}..${j.endDay} $${Math.round(j.extraCents / 100)} on ${j.emails?.length ?? '?'} developers`,
  );
  for (
    let day = addDays(j.startDay, -5);
    day <= addDays(j.startDay, 10) && day <= shape.lastDay;
    day = addDays(day, 1)
  ) {
    const { series, result } = scanAsOf(sc, day);
    const t = series.asOfIdx;
    const team = result.team;
    const mark = day < j.startDay ? ' ' : day > j.endDay ? '>' : '*';
    console.log(
      `  ${day}${mark}${series.dayClass[t] ? 'we' : '  '} level ${cell(team.level[t], 6, 3)} (×${cell(Math.exp(team.level[t]), 4, 2)})` +
        ` z ${cell(team.z[t], 5, 2)} factor ${cell(team.factor[t], 5, 2)} shift ${team.shift[t]} spend ${cell(team.observed[t] / 100, 7)} expected ${cell(team.expected[t] / 100, 7)}` +
        ` onset ${team.onset[t] >= 0 ? series.days[team.onset[t]] : '    -     '} impact ${cell(team.impact[t] / 100, 6)} alarmed ${team.alarmed[t]}${team.stepFrom[t] >= 0 ? ` step after ${series.days[team.stepFrom[t]]}` : ''}`,
    );
  }
}
