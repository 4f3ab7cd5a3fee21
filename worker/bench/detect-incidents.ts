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
 *   --notify         the passes announce what they record, as the worker's do: a pg-boss with the worker's notify
 *                    queue delivers to a webhook receiver on 127.0.0.1, and a third row per team is scored from the
 *                    messages received (each incident from the day a message first named it), with the messages,
 *                    escalations, every incident never told or told after the day it opened, and messages delivered
 *                    twice or sent without their incidents marked alerted
 *   --settings '<json>'  both sides run on the defaults changed by this (checked as the worker checks settings), e.g.
 *                    '{"notifyMinSeverity":"warning"}' with --notify: what a quieter channel tells, and when
 * How each team is replayed: bench/evaluation/incidents-replay.ts; how the messages are read: evaluation/told.ts.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../src/db/database';
import { DetectionSeriesCache } from '../src/db/repositories/detection-series-cache';
import type { Episode } from '../src/detection/episodes';
import type { Settings } from '../src/settings';
import {
  episodeKey,
  passDay,
  replayThroughIncidents,
  type IncidentsReplay,
  type ReplayOptions,
} from './evaluation/incidents-replay';
import { score, type Score } from './evaluation/score';
import { allDelivered, toldFrom, webhookPayloads, withAnnouncing, type Announcing, type Told } from './evaluation/told';
import { scoreOptions } from './evaluation/replay';
import { SCENARIOS } from './scenarios/catalog';
import { generateScenario, type Scenario } from './scenarios/team';
import { benchSettings } from './support/bench-settings';
import { withBenchDatabase } from './support/database';
import { pct, num } from './support/format';

const { values: args } = parseArgs({
  options: {
    set: { type: 'string' },
    only: { type: 'string', default: '' },
    verbose: { type: 'boolean', default: false },
    cache: { type: 'boolean', default: false },
    notify: { type: 'boolean', default: false },
    settings: { type: 'string' },
  },
});
const settings: Settings | undefined = args.settings === undefined ? undefined : benchSettings(args.settings);
// The replay announces on the webhook channel, at once, and runs no nudge worker: other settings would read as
// incidents never told.
if (args.notify && settings && (settings.notifyWebhook !== 'immediate' || settings.nudgeDetectors.length > 0))
  throw new Error(
    '--notify reads what the webhook channel is told at once: --settings must keep notifyWebhook "immediate" and ' +
      `nudgeDetectors empty (got notifyWebhook "${settings.notifyWebhook}", nudgeDetectors ${JSON.stringify(settings.nudgeDetectors)})`,
  );

interface TeamRun extends IncidentsReplay {
  model: Score;
  incidents: Score;
  onlyInModel: Episode[];
  onlyInDatabase: Episode[];
  /** With --notify: what the webhook received, and its score. */
  told?: Told & { score: Score; unrecorded: number };
}

async function runTeam(db: Db, sc: Scenario, announcing: Announcing | null): Promise<TeamRun> {
  await sql`TRUNCATE user_daily_rollup, user_model_daily_rollup, members, anomalies, incidents, incident_events,
    detection_days, notifications CASCADE`.execute(db);
  const options: ReplayOptions = {
    ...(args.cache && { seriesCache: new DetectionSeriesCache() }),
    ...(settings && { settings }),
    ...(announcing && { announce: announcing }),
  };
  announcing?.receiver.received.splice(0);
  const replay = await replayThroughIncidents(db, sc, options);
  const scoring = scoreOptions(sc, replay.days);
  const inDb = new Set(replay.recordedEpisodes.map(episodeKey));
  const inModel = new Set(replay.modelEpisodes.map(episodeKey));
  let told: TeamRun['told'];
  if (announcing) {
    const { unrecorded } = await allDelivered(db);
    const heard = toldFrom(webhookPayloads(announcing.receiver), replay.recorded, passDay);
    told = { ...heard, score: score(heard.episodes, sc.truth, scoring), unrecorded };
  }
  return {
    ...replay,
    model: score(replay.modelEpisodes, sc.truth, scoring),
    incidents: score(replay.recordedEpisodes, sc.truth, scoring),
    onlyInModel: replay.modelEpisodes.filter((e) => !inDb.has(episodeKey(e))),
    onlyInDatabase: replay.recordedEpisodes.filter((e) => !inModel.has(episodeKey(e))),
    ...(told && { told }),
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
  await withBenchDatabase('detect-incidents', 4, async ({ db, url }) => {
    if (!args.notify) return replayTeams(db, shapes, null);
    return withAnnouncing(db, url, (announcing) => replayTeams(db, shapes, announcing));
  });
}

async function replayTeams(db: Db, shapes: typeof SCENARIOS, announcing: Announcing | null): Promise<void> {
  if (settings) console.log(`settings: the defaults with ${args.settings}`);
  console.log(COLUMNS.map(([c, w]) => c.padEnd(w)).join(''));
  let differing = 0;
  let unheard = 0;
  for (const shape of shapes) {
    const run = await runTeam(db, generateScenario(shape), announcing);
    const name = `${shape.name} (${shape.size})`;
    console.log(row(name, 'toEpisodes', run.model));
    console.log(row('', 'incidents', run.incidents));
    if (run.told) console.log(row('', 'told', run.told.score));
    const sorted = [...run.passMs].sort((a, b) => a - b);
    console.log(
      `  ${run.days} passes, median ${sorted[sorted.length >> 1].toFixed(0)} ms` +
        (run.cacheLoads ? ` (series cache: ${run.cacheLoads.slid} slid, ${run.cacheLoads.full} read whole)` : '') +
        `; anomalies unlike detect()'s on ` +
        `${run.anomalyDaysDiffering.length} day(s)${run.anomalyDaysDiffering.length ? ` (${run.anomalyDaysDiffering.join(', ')})` : ''}; ` +
        `${run.onlyInModel.length} episode(s) only in toEpisodes, ${run.onlyInDatabase.length} incident(s) only in the database`,
    );
    if (run.told) console.log(`  ${toldLine(run.told, run.days, shape.size)}`);
    if (args.verbose) for (const e of run.recordedEpisodes) console.log(`    incident: ${describe(e)}`);
    for (const e of run.onlyInModel) console.log(`    only in toEpisodes: ${describe(e)}`);
    for (const e of run.onlyInDatabase) console.log(`    only in the database: ${describe(e)}`);
    for (const e of run.told?.neverTold ?? []) console.log(`    never told: ${describe(e)}`);
    for (const { episode, toldDay } of run.told?.toldLater ?? [])
      console.log(`    told on ${toldDay}, after it opened: ${describe(episode)}`);
    differing += run.onlyInModel.length + run.onlyInDatabase.length + run.anomalyDaysDiffering.length;
    if (run.told)
      unheard +=
        run.told.neverTold.length +
        run.told.toldLater.length +
        run.told.unknownIds.length +
        run.told.duplicates +
        run.told.unrecorded;
  }
  console.log(
    differing === 0
      ? 'every team: the incidents are the episodes bench:detect scores'
      : `${differing} difference(s) between the incidents and bench:detect's episodes`,
  );
  if (announcing)
    console.log(
      unheard === 0
        ? 'every team: each incident was told on the day it opened'
        : `${unheard} incident(s) told late, never, or unknown to the database, or message(s) delivered twice or unrecorded`,
    );
}

/** The messages a team received over the replay: how many, a week, and what they named. */
function toldLine(told: NonNullable<TeamRun['told']>, days: number, developers: number): string {
  const weeks = days / 7;
  const mentions = told.announced + told.escalations;
  const falseOnes = told.score.falsePositives;
  const falseEscalations = falseOnes.reduce((n, e) => n + (told.escalationsOf.get(e) ?? 0), 0);
  return (
    `webhook: ${told.messages} message(s) (${num(told.messages / weeks, 1)} a week) naming ${told.announced} incident(s)` +
    ` and ${told.escalations} escalation(s) (${falseOnes.length} and ${falseEscalations} about no anomaly):` +
    ` ${num(mentions / (developers / 100) / weeks, 2)} mentions per 100 developers a week;` +
    ` ${told.neverTold.length} never told, ${told.toldLater.length} told after the day they opened` +
    (told.unknownIds.length > 0 ? `; ids not in the database: ${told.unknownIds.join(', ')}` : '') +
    (told.duplicates > 0 ? `; ${told.duplicates} message(s) delivered twice` : '') +
    (told.unrecorded > 0 ? `; ${told.unrecorded} sent without their incidents marked alerted (last_error)` : '')
  );
}

void main();
