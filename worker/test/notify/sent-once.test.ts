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

  /** `n` developers' incidents (ids ascending) and the one message announcing them, not yet delivered. */
  async function incidentsAnnounced(n = 2) {
    const asOf = `2026-11-${++day}`;
    const r = await recordDetections(t.db, {
      asOf,
      anomalies: Array.from({ length: n }, (_, k) => anomaly({ asOf, subject: `dev${k}.${day}@example.com` })),
      evaluatedAt: endOf(asOf),
      settings,
    });
    const ids = [...r.opened].sort((x, y) => x - y);
    const [{ notificationId }] = await enqueueNotifications(t.db, boss, r.toNotify, settings, config);
    return { ids, notificationId };
  }

  /** Whether the session `pid` is waiting for a lock. */
  const waitingForLock = async (pid: number) =>
    (await sql<{ n: number }>`SELECT cardinality(pg_blocking_pids(${pid}))::int AS n`.execute(t.db)).rows[0].n > 0;

  /** Whether some session waits for a lock the session `pid` holds. */
  const blocksSomeone = async (pid: number) =>
    (
      await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE ${pid} = ANY(pg_blocking_pids(pid))`.execute(t.db)
    ).rows[0].n > 0;

  /** A connection of its own (as the pass, or another session) that holds incident `id` until told to let go. */
  async function holding(id: number) {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    await client.query('BEGIN');
    await client.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [id]);
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    return { client, pid };
  }

  const settle = <T>(p: Promise<T>) =>
    p.then(
      (outcome) => ({ outcome }),
      (error: unknown) => ({ error }),
    );

  it('is sent once, and its incidents marked alerted, when the marking meets a lock cycle with the pass', async () => {
    const {
      ids: [a, b],
      notificationId,
    } = await incidentsAnnounced();
    const before = hook.received.length;
    const { client: pass, pid: passPid } = await holding(b);
    try {
      const first = settle(deliverNotification(t.db, config, notificationId));
      // The delivery sent, then locked a and waits for b: the pass now wants a. A cycle; the pass must win it.
      expect(await waitFor(() => blocksSomeone(passPid), 10_000)).toBe(true);
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

  it('gives way to a pass that was waiting on it first, instead of the pass being chosen as the deadlock victim', async () => {
    // a < c < b: another session holds c, so the delivery (having locked a) waits on c; meanwhile the pass, holding
    // b, waits on a. When c is let go the delivery waits on b: a cycle in which the pass has waited longer, so
    // PostgreSQL's deadlock check would pick the pass, unless the delivery's own lock timeout ends its wait first.
    const {
      ids: [a, c, b],
      notificationId,
    } = await incidentsAnnounced(3);
    const before = hook.received.length;
    const { client: other, pid: otherPid } = await holding(c);
    const { client: pass, pid: passPid } = await holding(b);
    try {
      const first = settle(deliverNotification(t.db, config, notificationId));
      expect(await waitFor(() => blocksSomeone(otherPid), 10_000)).toBe(true);
      const passWants = settle(pass.query('SELECT id FROM incidents WHERE id = $1 FOR UPDATE', [a]));
      expect(await waitFor(() => waitingForLock(passPid), 10_000)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await other.query('COMMIT');
      // The pass gets a (the delivery gave way) instead of being aborted as the deadlock's victim.
      expect(await passWants).toEqual({ outcome: expect.objectContaining({ rowCount: 1 }) });
      await pass.query('COMMIT');
      expect(await first).toEqual({ outcome: 'sent' });
    } finally {
      await pass.end();
      await other.end();
    }
    expect(hook.received.length - before).toBe(1);
    const marked = await t.db.selectFrom('incidents').select('alerted_at').where('id', 'in', [a, b, c]).execute();
    expect(marked.every((i) => i.alerted_at !== null)).toBe(true);
  });

  it('stays sent, and says why in last_error, when the pass holds an incident through every try', async () => {
    const {
      ids: [a, b],
      notificationId,
    } = await incidentsAnnounced();
    const before = hook.received.length;
    const { client: pass } = await holding(b);
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
    const { notificationId } = await incidentsAnnounced();
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
