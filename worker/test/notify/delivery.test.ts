import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { listIncidentEvents, recordDetections } from '../../src/incidents';
import { notifyQueue, registerDigestWorker, registerNotifyWorker } from '../../src/jobs/queues';
import { enqueueNotifications } from '../../src/notify';
import { startBoss } from '../../src/queue/boss';
import { DEFAULT_SETTINGS } from '../../src/settings';
import { anomaly, endOf } from '../incidents/fixtures';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { startHttpReceiver, startSmtpReceiver, waitFor } from './receivers';

const log = createLogger('silent');

describe('notification delivery through pg-boss', () => {
  let t: TestDb;
  let boss: PgBoss;
  let slack: Awaited<ReturnType<typeof startHttpReceiver>>;
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let config: Config;
  const settings = {
    ...DEFAULT_SETTINGS,
    notifySlack: 'immediate',
    notifyEmail: 'immediate',
    notifyWebhook: 'immediate',
  } as const;

  beforeAll(async () => {
    t = await createTestDb('notif');
    [slack, hook, smtp] = await Promise.all([startHttpReceiver(), startHttpReceiver(), startSmtpReceiver()]);
    config = loadConfig({
      GRAFANA_URL: 'http://grafana.test:3000',
      SLACK_WEBHOOK_URL: slack.url,
      ALERT_WEBHOOK_URL: hook.url,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ALERT_EMAIL_FROM: 'watch@example.com',
      ALERT_EMAIL_TO: 'finops@example.com, lead@example.com',
    });
    boss = await startBoss(t.url, log);
    // Fast retries for the test; production keeps the queue's 15 s exponential backoff.
    await boss.updateQueue(notifyQueue.name, { retryLimit: 30, retryDelay: 2, retryBackoff: false });
    const deps = { db: t.db, config, log, pollingIntervalSeconds: 0.5 };
    await registerNotifyWorker(boss, deps);
    await registerDigestWorker(boss, { ...deps, cron: null });
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await Promise.all([slack.close(), hook.close(), smtp.close()]);
    await dropTestDb(t);
  });

  const detect = (asOf: string, anomalies: ReturnType<typeof anomaly>[]) =>
    recordDetections(t.db, { asOf, anomalies, evaluatedAt: endOf(asOf), settings });
  const sent = async (ids: number[]) =>
    (await t.db.selectFrom('notifications').select('status').where('id', 'in', ids).execute()).every(
      (r) => r.status === 'sent',
    );

  it('sends one grouped message per channel, marks the incidents alerted, and never repeats it', async () => {
    const r = await detect('2026-11-20', [
      anomaly({ asOf: '2026-11-20', subject: 'ana@example.com' }),
      anomaly({ asOf: '2026-11-20', subject: 'bo@example.com', severity: 'critical', detector: 'model_shift' }),
    ]);
    const queued = await enqueueNotifications(t.db, boss, r.toNotify, settings, config);
    expect(queued.map((q) => q.channel)).toEqual(['slack', 'email', 'webhook']);
    expect(await waitFor(() => sent(queued.map((q) => q.notificationId)))).toBe(true);

    expect(slack.received).toHaveLength(1);
    const blocks = JSON.stringify((slack.received[0].body as { blocks: unknown[] }).blocks);
    expect(blocks).toContain('bo@example.com');
    expect(blocks).toContain('ana@example.com');
    expect(blocks).toContain('http://grafana.test:3000/d/cursor-user?var-email=ana%40example.com');
    expect(blocks).toContain(`http://grafana.test:3000/a/cursorwatch-cost-app/incidents/${r.opened[0]}`);

    expect(hook.received).toHaveLength(1);
    const body = hook.received[0].body as { type: string; id: string; incidents: { id: number; severity: string }[] };
    expect(body.type).toBe('cursorwatch.alert');
    expect(hook.received[0].headers['idempotency-key']).toBe(body.id);
    expect(body.incidents.map((i) => i.severity)).toEqual(['critical', 'warning']);

    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0].to).toEqual(['finops@example.com', 'lead@example.com']);
    expect(smtp.messages[0].raw).toMatch(/Content-Type: text\/plain/i);
    expect(smtp.messages[0].raw).toMatch(/Content-Type: text\/html/i);
    expect(smtp.messages[0].raw).toContain('Subject: Cursor cost alert: 2 incidents, 1 critical');

    const incidents = await t.db.selectFrom('incidents').selectAll().where('id', 'in', r.opened).execute();
    expect(incidents.every((i) => i.status === 'alerted' && i.alerted_at !== null)).toBe(true);
    const events = await listIncidentEvents(t.db, r.opened[0]);
    expect(events.filter((e) => e.action === 'alerted')).toHaveLength(1); // three channels, one first alert

    // The same day again, and the same ids queued again: nothing new goes out.
    const again = await detect('2026-11-20', [anomaly({ asOf: '2026-11-20', subject: 'ana@example.com' })]);
    expect(await enqueueNotifications(t.db, boss, [...r.opened, ...again.toNotify], settings, config)).toEqual([]);

    // A rise in severity is announced once more, on every channel, as an escalation.
    const up = await detect('2026-11-21', [
      anomaly({ asOf: '2026-11-21', subject: 'ana@example.com', severity: 'critical' }),
    ]);
    expect(up.escalated).toEqual([r.opened[0]]);
    const q2 = await enqueueNotifications(t.db, boss, up.toNotify, settings, config);
    expect(q2).toHaveLength(3);
    expect(await waitFor(() => sent(q2.map((q) => q.notificationId)))).toBe(true);
    expect(slack.received).toHaveLength(2);
    expect(JSON.stringify(slack.received[1].body)).toContain('CRITICAL (escalated from warning)');
    expect(hook.received).toHaveLength(2);
    expect(smtp.messages).toHaveLength(2);
  });

  it('keeps retrying while the receiver is down and delivers every alert exactly once when it is back', async () => {
    const before = hook.received.length;
    hook.state.down = true;
    const only = { ...settings, notifySlack: 'off', notifyEmail: 'off' } as const;
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const r = await detect('2026-11-22', [anomaly({ asOf: '2026-11-22', subject: `down${i}@example.com` })]);
      const q = await enqueueNotifications(t.db, boss, r.toNotify, only, config);
      ids.push(...q.map((x) => x.notificationId));
    }
    expect(ids).toHaveLength(5);
    const failing = () => t.db.selectFrom('notifications').selectAll().where('id', 'in', ids).orderBy('id').execute();
    // Every alert has been tried and refused, some of them several times. The receiver counts a refusal before the
    // worker records the attempt, so the rows are waited for too (under load the eighth refusal came first: CI).
    const tried = async () => {
      const rows = await failing();
      return rows.every((n) => n.attempts >= 1) && rows.some((n) => n.attempts >= 2) && hook.state.refused >= 8;
    };
    expect(await waitFor(tried)).toBe(true);
    const rows = await failing();
    expect(rows.every((n) => n.status === 'pending')).toBe(true);
    expect(rows.some((n) => n.attempts >= 2)).toBe(true);
    expect(rows[0].last_error).toMatch(/answered 503: down for maintenance/);
    expect(rows[0].last_error).not.toContain('secret'); // the webhook path is not logged

    hook.state.down = false;
    expect(await waitFor(() => sent(ids))).toBe(true);
    await new Promise((r) => setTimeout(r, 1500)); // let any stray retry run
    const got = hook.received.slice(before).map((x) => (x.body as { id: string }).id);
    expect(got).toHaveLength(5);
    expect(new Set(got).size).toBe(5);
    const done = await t.db.selectFrom('notifications').selectAll().where('id', 'in', ids).execute();
    expect(done.every((n) => n.status === 'sent' && n.attempts >= 2 && n.last_error === null)).toBe(true);
  });
});
