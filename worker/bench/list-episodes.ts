/**
 * Debug: node --import tsx bench/list-episodes.ts T1-steady — every episode (as incidents would hold them) of a
 * bench:detect team's day-by-day replay: first day, scope, subject, detector, onset. Diff two versions' lists to see
 * which alerts a change added or took away.
 */
import { addDays } from '@cursor-cost-watch/contract';
import { detect } from '../src/detection';
import { toEpisodes, type Detection } from '../src/detection/episodes';
import { DEFAULT_SETTINGS } from '../src/settings';
import { inputWithIncidents, toDetection } from './evaluation/replay';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario } from './scenarios/team';

for (const name of process.argv.slice(2)) {
  const shape = SCENARIOS.find((s) => s.name === name);
  if (!shape) throw new Error(`no team ${name}: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  const sc = generateScenario(shape);
  const found: Detection[] = [];
  for (let day = addDays(sc.firstDay, shape.replayFrom); day <= shape.lastDay; day = addDays(day, 1))
    for (const a of detect(inputWithIncidents(sc, day, found, DEFAULT_SETTINGS), DEFAULT_SETTINGS))
      found.push(toDetection(a, day));
  for (const e of toEpisodes(found, DEFAULT_SETTINGS.autoResolveAfterDays)) console.log(name, JSON.stringify(e));
}
