import { episodeKey, replayThroughIncidents } from '../../bench/evaluation/incidents-replay';
import { SCENARIOS } from '../../bench/scenarios/catalog';
import { generateScenario } from '../../bench/scenarios/team';
import type { Episode } from '../../src/detection/episodes';
import { createTestDb, dropTestDb } from '../support/test-db';

/**
 * bench:detect scores detect()'s day-by-day anomalies grouped by toEpisodes, a model of the incident rules; the README's
 * detection figures come from it. These replays run the worker's own pass on PostgreSQL instead, one
 * `npm run detect -- --as-of D` a day as issue #12 replayed its teams (runDetectionPass, recordDetections), and check
 * that the incidents it records are those episodes, each with the same days, onset, onset moves, renames and
 * reopenings. Each team was chosen for an incident rule toEpisodes models (bench:detect-incidents lists them all).
 */
const TEAMS: [string, string, (incidents: Episode[]) => boolean][] = [
  ['H1-small', 'an onset a later pass moved', (all) => all.some((e) => (e.onsetMoves ?? 0) > 0)],
  [
    'T7-newinstall',
    'a spike renamed to the rise it became, and an excess that came back after its incident resolved itself',
    (all) => all.some((e) => e.openedAs === 'personal_spike') && all.some((e) => (e.reopens ?? 0) > 0),
  ],
];

describe("bench:detect's episodes are the incidents the worker records", () => {
  it.each(TEAMS)('%s, with %s', async (name, _rule, exercised) => {
    const t = await createTestDb('episodes');
    try {
      const shape = SCENARIOS.find((s) => s.name === name)!;
      const replay = await replayThroughIncidents(t.db, generateScenario(shape));
      expect(replay.anomalyDaysDiffering).toEqual([]);
      expect(replay.recordedEpisodes.map(episodeKey).sort()).toEqual(replay.modelEpisodes.map(episodeKey).sort());
      // The team still holds incidents of the rules it was chosen for, so the comparison covers them.
      expect(exercised(replay.recordedEpisodes)).toBe(true);
    } finally {
      await dropTestDb(t);
    }
  });
});
