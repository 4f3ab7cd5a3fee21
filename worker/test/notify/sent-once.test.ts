import { sql } from 'kysely';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { listIncidentEvents, recordDetections } from '../../src/incidents';
import { deliverNotification, enqueueNotifications } from '../../src/notify';
import { deliverFromOutbox } from '../../src/notify/outbox';
import { startBoss } from '../../src/queue/boss';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { anomaly, endOf } from '../incidents/fixtures';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { startHttpReceiver, waitFor } from './receivers';

const settings = { ...DEFAULT_SETTINGS, notifySlack: 'off', notifyEmail: 'off', notifyWebhook: 'immediate' } as const;

/**
 * A delivery marks its incidents alerted after the message went out, locking them in id order, while a detection pass
 * may hold some of them and want others (its incident rules lock in several statements). PostgreSQL then aborts one
 * side of the deadlock. When that was the delivery, its whole transaction went, "sent" with it, and the job's retry
 * sent the message again: bench:detect-incidents --notify saw a message twice on 2 of 64 teams (Dec 7 2026). A sent
 * message must stay sent whatever happens to the marking after it.
 */
describe('a message whose incidents are locked by a pass when it is sent', () => {
  let t: TestDb;
  let boss: PgBoss;
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let config: Config;

  beforeAll(async () => {
    t = await createTestDb('sentonce');
    hook = await startHttpReceiver();
    config = loadConfig({ ALERT_WEBHOOK_URL: hook.url });
    boss = await startBoss(t.url, createLogger('silent')); // its jobs are not worked: the test delivers itself
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await hook.close();
    await dropTestDb(t);
  });

  it('is sent once, and its incidents are marked alerted, when the marking loses a deadlock with the pass', async () => {
    const day = '2026-11-20';
    const r = await recordDetections(t.db, {
      asOf: day,
      anomalies: [
        anomaly({ asOf: day, subject: 'ana@example.com' }),
        anomaly({ asOf: day, subject: 'bo@example.com' }),
      ],
      evaluatedAt: endOf(day),
      settings,
    });
    const [a, b] = [...r.opened].sort((x, y) => x - y);
    const [{ notificationId }] = await enqueueNotifications(t.db, boss, r.toNotify, settings, config);

    // "The pass": holds incident b, and will want a once the delivery holds a and waits for b.
    const pass = new pg.Client({ connectionString: t.url });
    await pass.connect();
    try {
      await pass.query('BEGIN');
      await pass.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [b]);
      const first = deliverNotification(t.db, config, notificationId).then(
        (outcome) => ({ outcome }),
        (error: unknown) => ({ error }),
      );
      const waiting = async () => {
        const { rows } = await pass.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
        );
        return rows[0].n > 0;
      };
      expect(await waitFor(waiting, 10_000)).toBe(true);
      expect(hook.received).toHaveLength(1); // it waits after the message went out
      // The delivery waited first, so its deadlock check runs first and PostgreSQL aborts its statement.
      await pass.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [a]);
      await pass.query('COMMIT');
      // The marking, rolled back to its savepoint, is tried again once the pass has gone: the attempt succeeds.
      expect(await first).toEqual({ outcome: 'sent' });
    } finally {
      await pass.end();
    }

    // Whatever the first attempt returned, a later one (pg-boss's retry) sends nothing more.
    expect(await deliverNotification(t.db, config, notificationId)).toBe('already_sent');
    expect(hook.received).toHaveLength(1);
    const row = await t.db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
    expect(row?.status).toBe('sent');
    const incidents = await t.db.selectFrom('incidents').selectAll().where('id', 'in', [a, b]).execute();
    expect(incidents.map((i) => [i.status, i.alerted_at !== null])).toEqual([
      ['alerted', true],
      ['alerted', true],
    ]);
    for (const id of [a, b])
      expect((await listIncidentEvents(t.db, id)).filter((e) => e.action === 'alerted')).toHaveLength(1);
  });

  it('stays sent, and says in last_error what failed, when what follows the send keeps failing', async () => {
    const day = '2026-11-21';
    const r = await recordDetections(t.db, {
      asOf: day,
      anomalies: [anomaly({ asOf: day, subject: 'cy@example.com' })],
      evaluatedAt: endOf(day),
      settings,
    });
    const [{ notificationId }] = await enqueueNotifications(t.db, boss, r.toNotify, settings, config);
    let sends = 0;
    const deliver = () =>
      deliverFromOutbox(
        t.db,
        'notifications',
        notificationId,
        { finalAttempt: false, now: () => new Date() },
        {
          send: async () => {
            sends++;
          },
          afterSent: async (tx) => {
            await sql`SELECT 1 / 0`.execute(tx);
          },
        },
      );
    expect(await deliver()).toBe('sent');
    expect(await deliver()).toBe('already_sent');
    expect(sends).toBe(1);
    const row = await t.db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
    expect(row?.status).toBe('sent');
    expect(row?.last_error).toBe('sent; recording it failed: division by zero');
  });
});
