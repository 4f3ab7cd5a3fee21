import { sql } from 'kysely';
import { passDay, replayThroughIncidents } from '../../bench/evaluation/incidents-replay';
import { scoreOptions } from '../../bench/evaluation/replay';
import { score } from '../../bench/evaluation/score';
import { allDelivered, toldFrom, webhookPayloads, withAnnouncing } from '../../bench/evaluation/told';
import { SCENARIOS } from '../../bench/scenarios/catalog';
import { generateScenario } from '../../bench/scenarios/team';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';

/**
 * bench:detect-incidents --notify: a team replayed one pass a day with the worker's announcing parts up (pg-boss, the
 * notify queue's worker, a webhook receiver on 127.0.0.1), and the messages received read back as the team hears them.
 * The incidents' own records say what each message must have said and when: an incident opened at info is told the
 * day it opened, each escalation once; with notifyMinSeverity "warning", from the first day its anomaly was a warning.
 */
const shape = SCENARIOS.find((s) => s.name === 'H1-small')!;

async function firstDayAt(t: TestDb, severities: string[]): Promise<Map<number, string>> {
  const { rows } = await sql<{ id: number; day: string }>`
    SELECT incident_id::int AS id, to_char(min(as_of), 'YYYY-MM-DD') AS day FROM anomalies
    WHERE incident_id IS NOT NULL AND severity = ANY(${severities}) GROUP BY incident_id`.execute(t.db);
  return new Map(rows.map((r) => [r.id, r.day]));
}

describe('a replay with its announcements, read from the webhook', () => {
  it('tells every incident on the day it opened and each escalation once, as the channel records them', async () => {
    const t = await createTestDb('told');
    try {
      const sc = generateScenario(shape);
      await withAnnouncing(t.db, t.url, async (announcing) => {
        const replay = await replayThroughIncidents(t.db, sc, { announce: announcing });
        expect(await allDelivered(t.db)).toEqual({ unrecorded: 0 });
        const told = toldFrom(webhookPayloads(announcing.receiver), replay.recorded, passDay);
        // Each incident from the day it opened, and no message names anything else.
        expect(told.neverTold).toEqual([]);
        expect(told.toldLater).toEqual([]);
        expect(told.unknownIds).toEqual([]);
        expect(told.toldOn).toEqual(await firstDayAt(t, ['info', 'warning', 'critical']));
        expect(told.episodes.map((e) => e.firstDay)).toEqual(replay.recordedEpisodes.map((e) => e.firstDay));
        // One message per pass with something to tell, each delivered once; every escalation on the timeline told.
        const rows = await t.db.selectFrom('notifications').select(['dedupe_key', 'status']).execute();
        expect(told.messages).toBe(rows.length);
        expect(announcing.receiver.received).toHaveLength(rows.length);
        expect(told.duplicates).toBe(0);
        const { rows: events } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM incident_events WHERE action = 'escalated'`.execute(t.db);
        expect(told.escalations).toBe(events[0].n);
        expect(told.escalations).toBeGreaterThan(0);
        expect(told.announced).toBe(replay.recorded.length);
        // So the channel's score is the incidents' score.
        const options = scoreOptions(sc, replay.days);
        const heard = score(told.episodes, sc.truth, options);
        const recorded = score(replay.recordedEpisodes, sc.truth, options);
        expect([heard.precision, heard.recall, heard.worstDelayFromWorthyDays]).toEqual([
          recorded.precision,
          recorded.recall,
          recorded.worstDelayFromWorthyDays,
        ]);
      });
    } finally {
      await dropTestDb(t);
    }
  });

  it('with notifyMinSeverity "warning", tells an incident from the day its anomaly was a warning, and no other', async () => {
    const t = await createTestDb('toldwarn');
    try {
      const settings = { ...DEFAULT_SETTINGS, notifyMinSeverity: 'warning' as const };
      await withAnnouncing(t.db, t.url, async (announcing) => {
        const replay = await replayThroughIncidents(t.db, generateScenario(shape), { announce: announcing, settings });
        await allDelivered(t.db);
        const told = toldFrom(webhookPayloads(announcing.receiver), replay.recorded, passDay);
        expect(told.toldOn).toEqual(await firstDayAt(t, ['warning', 'critical']));
        expect(told.neverTold.length).toBeGreaterThan(0); // incidents that stayed at info
        expect(told.toldLater.length).toBeGreaterThan(0); // opened at info, told when they became warnings
        expect(told.unknownIds).toEqual([]);
      });
    } finally {
      await dropTestDb(t);
    }
  });
});
