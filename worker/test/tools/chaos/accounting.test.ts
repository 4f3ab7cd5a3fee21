import { sql } from 'kysely';
import { collectOnce } from '../../../src/collector/collect';
import { eventIdentity, accountEvents } from '../../../tools/chaos/ground-truth';
import { accountAlerts, WebhookReceiver } from '../../../tools/chaos/alerts';
import { createTestDb, dropTestDb, type TestDb } from '../../support/test-db';
import { DAY_MS, silentLog, startTestSimulator, testClient, TEST_NOW } from '../../support/sim';

const startOfDay = (ms: number) => Math.floor(ms / DAY_MS) * DAY_MS;

/** The campaign's figures must be able to fail: a lost row, a second copy and a wrong price each show. */
describe('npm run chaos: its accounting against the ground truth', () => {
  let t: TestDb;
  let sim: Awaited<ReturnType<typeof startTestSimulator>>;
  let truth: [string, number][];
  beforeAll(async () => {
    t = await createTestDb('chaosacct');
    sim = await startTestSimulator({ teamSize: 10, seed: 3, nowMs: TEST_NOW });
    await collectOnce(
      { db: t.db, client: testClient(sim.server.url), log: silentLog, config: { BACKFILL_DAYS: 2, RESTATE_DAYS: 1 } },
      { trigger: 'test', now: new Date(TEST_NOW) },
    );
    const start = startOfDay(TEST_NOW) - 2 * DAY_MS;
    truth = sim.team.eventsBetween(start, sim.nowMs).map((e) => [eventIdentity(e), e.chargedCents ?? 0]);
  });
  afterAll(async () => {
    await sim.server.close();
    await dropTestDb(t);
  });

  it('finds nothing wrong with an exact collection', async () => {
    expect(truth.length).toBeGreaterThan(100);
    expect(await accountEvents(t.url, truth)).toMatchObject({ lost: 0, duplicated: 0, centsOff: 0, quarantined: 0 });
  });

  it('counts a deleted row as lost, a second copy under another key as duplicated, and a changed price', async () => {
    // ctid is per partition, so a row is named by its primary key.
    await sql`DELETE FROM usage_events WHERE (event_ts, dedupe_key) =
                (SELECT event_ts, dedupe_key FROM usage_events ORDER BY event_ts, dedupe_key LIMIT 1)`.execute(t.db);
    await t.db.transaction().execute(async (tx) => {
      await sql`CREATE TEMP TABLE copy ON COMMIT DROP AS SELECT * FROM usage_events ORDER BY event_ts DESC LIMIT 1`.execute(
        tx,
      );
      // The price rises by more than any row's cents: a fixed +1.5 could cancel the deleted row's cents (Dec 4 2026
      // 23:40 UTC, when this test ran on the wall clock: 1.70574 deleted, 0.20618 + 1.5 copied, 0.00 once rounded).
      await sql`UPDATE copy SET dedupe_key = '\\x00'::bytea,
                  charged_cents = charged_cents + 1.5 + (SELECT max(charged_cents) FROM usage_events)`.execute(tx);
      await sql`INSERT INTO usage_events SELECT * FROM copy`.execute(tx);
    });
    const a = await accountEvents(t.url, truth);
    expect(a.lost).toBe(1);
    expect(a.duplicated).toBe(1);
    expect(a.centsOff).toBeGreaterThan(0);
  });

  it('counts an announced alert the receiver never got as lost', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const inc = await sql<{ id: number }>`
        INSERT INTO incidents (scope, subject, detector, status, severity, max_severity, onset_at, detected_at,
                               last_detected_at, observed, expected)
        VALUES ('user', 'a@b.co', 'spike', 'open', 'warning', 'warning', now(), now(), now(), 10, 1) RETURNING id`.execute(
        t.db,
      );
      const id = inc.rows[0].id;
      const n = await sql<{ id: number }>`
        INSERT INTO notifications (channel, kind, incident_ids, status, payload, dedupe_key)
        VALUES ('webhook', 'alert', ARRAY[${id}]::bigint[], 'sent', '{}'::jsonb, ${`alert:webhook:${id}@warning`}) RETURNING id`.execute(
        t.db,
      );
      await sql`INSERT INTO notification_incidents (channel, incident_id, severity, notification_id)
                VALUES ('webhook', ${id}, 'warning', ${n.rows[0].id})`.execute(t.db);
      expect(await accountAlerts(t.url, receiver)).toMatchObject({ announced: 1, lost: 1, duplicated: 0 });
      // Received once: nothing lost; received in two different messages: one duplicate.
      receiver.deliveries.push({
        id: `alert:webhook:${id}@warning`,
        type: 'cursorwatch.alert',
        incidents: [{ id, severity: 'warning' }],
      });
      expect(await accountAlerts(t.url, receiver)).toMatchObject({ lost: 0, duplicated: 0 });
      receiver.deliveries.push({ id: 'another', type: 'cursorwatch.alert', incidents: [{ id, severity: 'warning' }] });
      expect(await accountAlerts(t.url, receiver)).toMatchObject({ lost: 0, duplicated: 1 });
    } finally {
      await receiver.close();
    }
  });
});
