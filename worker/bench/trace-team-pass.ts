/**
 * Debug: node --import tsx bench/trace-team-pass.ts F1-mixed 2026-11-02 — one pass of a bench:detect team: every
 * evaluated day's team reading as THAT pass saw it (level, z, shift, spend, onset, impact), for reading how the
 * team level's own history (isTeamShift's reference) looked on the day a jump came.
 */
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';
import { scanAsOf } from './support/scan-as-of';

const [name, day] = process.argv.slice(2);
const shape = SCENARIOS.find((s) => s.name === name);
if (!shape || !day) throw new Error(`usage: <team> <YYYY-MM-DD>: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const sc = generateScenario(shape);
const { series, result } = scanAsOf(sc, day);
const team = result.team;
const cell = (v: number, width: number, digits = 0) => v.toFixed(digits).padStart(width);
for (const j of sc.truth.filter((t) => t.scope === 'team')) console.log(`${j.id} ${j.startDay}..${j.endDay}`);
for (let t = 0; t <= series.asOfIdx; t++) {
  if (Number.isNaN(team.level[t])) continue;
  console.log(
    `  ${series.days[t]} ${series.dayClass[t] ? 'we' : '  '} level ${cell(team.level[t], 6, 3)} z ${cell(team.z[t], 5, 2)}` +
      ` shift ${team.shift[t]} spend ${cell(team.observed[t] / 100, 7)} expected ${cell(team.expected[t] / 100, 7)}` +
      ` onset ${team.onset[t] >= 0 ? series.days[team.onset[t]] : '    -     '} impact ${cell(team.impact[t] / 100, 6)} alarmed ${team.alarmed[t]}${team.stepFrom[t] >= 0 ? ` step after ${series.days[team.stepFrom[t]]}` : ''}`,
  );
}
