/**
 * npm run bench:detect-incidents — bench:detect's teams replayed the way issue #12 replayed its own: one detection
 * pass per day on PostgreSQL, as `npm run detect -- --as-of D` runs it (runDetectionPass: the rollups loaded up to D,
 * detect, the anomalies stored, recordDetections' incident rules), and scored from the incidents the database then
 * holds. bench:detect scores the same passes' anomalies grouped by `toEpisodes`, a model of those incident rules; this
 * prints both rows per team and every incident the model does not have (or has and the database does not), so the
 * README's figures are checked against what an install records.
 *   --set held-out   (the default without --only; as bench:detect's --set, all for every team)
 *   --only H1-small,T5-holidays   those teams, of any set
 *   --verbose        every incident the database holds, not only the differences
 *   --cache          the passes keep their series between days in the worker's cache (DetectionSeriesCache), as its
 *                    hourly passes do: each slides it a day (detection-series-slide.ts) instead of reading it anew
 * How each team is replayed: bench/evaluation/incidents-replay.ts.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../src/db/database';
import { DetectionSeriesCache } from '../src/db/repositories/detection-series-cache';
import type { Episode } from '../src/detection/episodes';
import { episodeKey, replayThroughIncidents, type IncidentsReplay } from './evaluation/incidents-replay';
import { score, type Score } from './evaluation/score';
import { scoreOptions } from './evaluation/replay';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario, type Scenario } from './scenarios/team';
import { withBenchDatabase } from './support/database';
import { pct, num } from './support/format';

const { values: args } = parseArgs({
  options: {
    set: { type: 'string' },
    only: { type: 'string', default: '' },
    verbose: { type: 'boolean', default: false },
    cache: { type: 'boolean', default: false },
  },
});

interface TeamRun extends IncidentsReplay {
  model: Score;
  incidents: Score;
  onlyInModel: Episode[];
  onlyInDatabase: Episode[];
}

async function runTeam(db: Db, sc: Scenario): Promise<TeamRun> {
  await sql`TRUNCATE user_daily_rollup, user_model_daily_rollup, members, anomalies, incidents, incident_events,
    detection_days CASCADE`.execute(db);
  const replay = await replayThroughIncidents(db, sc, args.cache ? { seriesCache: new DetectionSeriesCache() } : {});
  const options = scoreOptions(sc, replay.days);
  const inDb = new Set(replay.recordedEpisodes.map(episodeKey));
  const inModel = new Set(replay.modelEpisodes.map(episodeKey));
  return {
    ...replay,
    model: score(replay.modelEpisodes, sc.truth, options),
    incidents: score(replay.recordedEpisodes, sc.truth, options),
    onlyInModel: replay.modelEpisodes.filter((e) => !inDb.has(episodeKey(e))),
    onlyInDatabase: replay.recordedEpisodes.filter((e) => !inModel.has(episodeKey(e))),
  };
}

const COLUMNS: [string, number][] = [
  ['team', 22],
  ['scored from', 13],
  ['alerts', 7],
  ['precision', 10],
  ['recall ≥$20', 13],
  ['from $20 med/max', 17],
  ['onset ±1d', 10],
  ['moves', 6],
  ['false/100dev/wk', 16],
];

function row(name: string, side: string, s: Score): string {
  const cells = [
    name,
    side,
    String(s.episodes),
    pct(s.precision),
    `${pct(s.recall)} ${s.detected}/${s.worthy}`,
    `${num(s.medianDelayFromWorthyDays)} / ${num(s.worstDelayFromWorthyDays, 0)}`,
    `${s.onsetWithinOneDay}/${s.onsetJudged}`,
    String(s.onsetMoves),
    num(s.falseAlertsPer100DevWeek, 2),
  ];
  return cells.map((c, i) => c.padEnd(COLUMNS[i][1])).join('');
}

const describe = (e: Episode) =>
  `${e.scope === 'team' ? 'team' : e.subject} ${e.detector}${e.openedAs ? ` (opened as ${e.openedAs})` : ''}` +
  ` ${e.firstDay}..${e.lastDay} onset ${e.onset ?? '-'}${e.onsetMoves ? `, ${e.onsetMoves} onset moves` : ''}` +
  `${e.reopens ? `, reopened ${e.reopens}×` : ''}`;

async function main(): Promise<void> {
  const only = new Set(args.only.split(',').filter(Boolean));
  const set = args.set ?? (only.size > 0 ? 'all' : 'held-out');
  const shapes = SCENARIOS.filter((s) => (set === 'all' || s.set === set) && (only.size === 0 || only.has(s.name)));
  if (shapes.length === 0) throw new Error(`no team matches --set ${set} --only ${args.only}`);
  await withBenchDatabase('detect-incidents', 4, async ({ db }) => {
    console.log(COLUMNS.map(([c, w]) => c.padEnd(w)).join(''));
    let differing = 0;
    for (const shape of shapes) {
      const run = await runTeam(db, generateScenario(shape));
      const name = `${shape.name} (${shape.size})`;
      console.log(row(name, 'toEpisodes', run.model));
      console.log(row('', 'incidents', run.incidents));
      const sorted = [...run.passMs].sort((a, b) => a - b);
      console.log(
        `  ${run.days} passes, median ${sorted[sorted.length >> 1].toFixed(0)} ms` +
          (run.cacheLoads ? ` (series cache: ${run.cacheLoads.slid} slid, ${run.cacheLoads.full} read whole)` : '') +
          `; anomalies unlike detect()'s on ` +
          `${run.anomalyDaysDiffering.length} day(s)${run.anomalyDaysDiffering.length ? ` (${run.anomalyDaysDiffering.join(', ')})` : ''}; ` +
          `${run.onlyInModel.length} episode(s) only in toEpisodes, ${run.onlyInDatabase.length} incident(s) only in the database`,
      );
      if (args.verbose) for (const e of run.recordedEpisodes) console.log(`    incident: ${describe(e)}`);
      for (const e of run.onlyInModel) console.log(`    only in toEpisodes: ${describe(e)}`);
      for (const e of run.onlyInDatabase) console.log(`    only in the database: ${describe(e)}`);
      differing += run.onlyInModel.length + run.onlyInDatabase.length + run.anomalyDaysDiffering.length;
    }
    console.log(
      differing === 0
        ? 'every team: the incidents are the episodes bench:detect scores'
        : `${differing} difference(s) between the incidents and bench:detect's episodes`,
    );
  });
}

void main();
