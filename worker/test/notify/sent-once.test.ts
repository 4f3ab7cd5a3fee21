import { sql } from 'kysely';
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { listIncidentEvents, recordDetections } from '../../src/incidents';
import { deliverNotification, enqueueNotifications } from '../../src/notify';
import { deliverFromOutbox, SENT_UNRECORDED } from '../../src/notify/outbox';
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
 * message must stay sent whatever happens to the marking after it, and the pass must not be the one to give way.
 */
describe('a message whose incidents are locked by a pass when it is sent', () => {
  let t: TestDb;
  let boss: PgBoss;
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let config: Config;
  let day = 10;

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

  /** Two developers' incidents (ids a < b) and the one message announcing them, not yet delivered. */
  async function twoIncidentsAnnounced() {
    const asOf = `2026-11-${++day}`;
    const r = await recordDetections(t.db, {
      asOf,
      anomalies: [
        anomaly({ asOf, subject: `ana${day}@example.com` }),
        anomaly({ asOf, subject: `bo${day}@example.com` }),
      ],
      evaluatedAt: endOf(asOf),
      settings,
    });
    const [a, b] = [...r.opened].sort((x, y) => x - y);
    const [{ notificationId }] = await enqueueNotifications(t.db, boss, r.toNotify, settings, config);
    return { a, b, notificationId };
  }

  /** A second connection, as the pass: holds incident `b` until told to let go. */
  async function passHolding(b: number) {
    const pass = new pg.Client({ connectionString: t.url });
    await pass.connect();
    await pass.query('BEGIN');
    await pass.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [b]);
    const blocksSomeone = async () => {
      const { rows } = await pass.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))',
      );
      return rows[0].n > 0;
    };
    return { pass, blocksSomeone };
  }

  const settle = <T>(p: Promise<T>) =>
    p.then(
      (outcome) => ({ outcome }),
      (error: unknown) => ({ error }),
    );

  it('is sent once, and its incidents marked alerted, when the marking meets a lock cycle with the pass', async () => {
    const { a, b, notificationId } = await twoIncidentsAnnounced();
    const before = hook.received.length;
    const { pass, blocksSomeone } = await passHolding(b);
    try {
      const first = settle(deliverNotification(t.db, config, notificationId));
      // The delivery sent, then locked a and waits for b: the pass now wants a. A cycle; the pass must win it.
      expect(await waitFor(blocksSomeone, 10_000)).toBe(true);
      expect(hook.received.length - before).toBe(1);
      await pass.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [a]);
      await pass.query('COMMIT');
      // The marking, rolled back to its savepoint, is tried again once the pass has gone: the attempt succeeds.
      expect(await first).toEqual({ outcome: 'sent' });
    } finally {
      await pass.end();
    }
    // A later attempt (pg-boss's retry, a duplicate job) sends nothing more.
    expect(await deliverNotification(t.db, config, notificationId)).toBe('already_sent');
    expect(hook.received.length - before).toBe(1);
    const row = await t.db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
    expect([row?.status, row?.last_error]).toEqual(['sent', null]);
    const incidents = await t.db.selectFrom('incidents').selectAll().where('id', 'in', [a, b]).execute();
    expect(incidents.map((i) => [i.status, i.alerted_at !== null])).toEqual([
      ['alerted', true],
      ['alerted', true],
    ]);
    for (const id of [a, b])
      expect((await listIncidentEvents(t.db, id)).filter((e) => e.action === 'alerted')).toHaveLength(1);
  });

  it('stays sent, and says why in last_error, when the pass holds an incident through every try', async () => {
    const { a, b, notificationId } = await twoIncidentsAnnounced();
    const before = hook.received.length;
    const { pass } = await passHolding(b);
    try {
      // Without a lock timeout of its own the delivery would wait for the pass as long as it runs.
      expect(await deliverNotification(t.db, config, notificationId)).toBe(SENT_UNRECORDED);
    } finally {
      await pass.query('ROLLBACK');
      await pass.end();
    }
    expect(await deliverNotification(t.db, config, notificationId)).toBe('already_sent');
    expect(hook.received.length - before).toBe(1);
    const row = await t.db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
    expect(row?.status).toBe('sent');
    expect(row?.last_error).toBe('sent; recording it failed: canceling statement due to lock timeout');
    const incidents = await t.db.selectFrom('incidents').selectAll().where('id', 'in', [a, b]).execute();
    expect(incidents.every((i) => i.alerted_at === null)).toBe(true); // the marking is lost, the message is not resent
  });

  it('tries again only a lock it could not get: any other failure after the send is recorded at once', async () => {
    const { notificationId } = await twoIncidentsAnnounced();
    let sends = 0;
    let marks = 0;
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
            marks++;
            await sql`SELECT 1 / 0`.execute(tx);
          },
        },
      );
    expect(await deliver()).toBe(SENT_UNRECORDED);
    expect(await deliver()).toBe('already_sent');
    expect([sends, marks]).toEqual([1, 1]);
    const row = await t.db.selectFrom('notifications').selectAll().where('id', '=', notificationId).executeTakeFirst();
    expect(row?.status).toBe('sent');
    expect(row?.last_error).toBe('sent; recording it failed: division by zero');
  });
});
