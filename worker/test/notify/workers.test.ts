import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { recordDetections } from '../../src/incidents';
import { digestQueue, notifyQueue, registerDigestWorker, registerNotifyWorker } from '../../src/jobs/queues';
import { deliverNotification, enqueueNotifications } from '../../src/notify';
import { startBoss } from '../../src/queue/boss';
import { DEFAULT_SETTINGS, updateSettings } from '../../src/settings';
import { anomaly, endOf } from '../incidents/fixtures';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { startHttpReceiver, waitFor } from './receivers';

const log = createLogger('silent');
const settings = { ...DEFAULT_SETTINGS, notifySlack: 'off', notifyEmail: 'off', notifyWebhook: 'immediate' } as const;

describe('two workers on the notify queue', () => {
  let t: TestDb;
  let bosses: PgBoss[];
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let config: Config;

  beforeAll(async () => {
    t = await createTestDb('notw');
    hook = await startHttpReceiver();
    hook.state.delayMs = 150; // slow enough for duplicate jobs to overlap
    config = loadConfig({ ALERT_WEBHOOK_URL: hook.url });
    bosses = [await startBoss(t.url, log), await startBoss(t.url, log)];
    // The second process also schedules the hourly digest, as a production worker does.
    const deps = { db: t.db, config, log, pollingIntervalSeconds: 0.5 };
    for (const boss of bosses) await registerNotifyWorker(boss, deps);
    await registerDigestWorker(bosses[0], { ...deps, cron: null });
    await registerDigestWorker(bosses[1], deps);
  });
  afterAll(async () => {
    await Promise.all(bosses.map((b) => b.stop({ graceful: false })));
    await hook.close();
    await dropTestDb(t);
  });

  it('delivers each notification once even when every job is queued twice, from both processes', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const day = `2026-11-${String(10 + i).padStart(2, '0')}`;
      const r = await recordDetections(t.db, {
        asOf: day,
        anomalies: [anomaly({ asOf: day, subject: `dev${i}@example.com` })],
        evaluatedAt: endOf(day),
        settings,
      });
      // Both "passes" try to queue the same incident; the second is a no-op.
      const [a, b] = await Promise.all([
        enqueueNotifications(t.db, bosses[0], r.toNotify, settings, config),
        enqueueNotifications(t.db, bosses[1], r.toNotify, settings, config),
      ]);
      expect(a.length + b.length).toBe(1);
      const id = [...a, ...b][0].notificationId;
      await notifyQueue.send(bosses[1], { notificationId: id }); // and a stray duplicate job on top
      ids.push(id);
    }
    const allSent = async () =>
      (await t.db.selectFrom('notifications').select('status').where('status', '=', 'sent').execute()).length ===
      ids.length;
    expect(await waitFor(allSent, 30_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 2000)); // the duplicate jobs finish too
    const got = hook.received.map((x) => (x.body as { id: string }).id);
    expect(got).toHaveLength(12);
    expect(new Set(got).size).toBe(12);
    const rows = await t.db.selectFrom('notifications').select(['attempts']).execute();
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
  });

  it('does not send again when a job runs after the message was sent', async () => {
    const r = await recordDetections(t.db, {
      asOf: '2026-11-28',
      anomalies: [anomaly({ asOf: '2026-11-28', subject: 'late@example.com' })],
      evaluatedAt: endOf('2026-11-28'),
      settings,
    });
    const [{ notificationId }] = await enqueueNotifications(t.db, bosses[0], r.toNotify, settings, config);
    const before = hook.received.length;
    // Two deliveries at once, as two workers holding the same job would run them (the queued job may join in).
    const outcomes = await Promise.all([
      deliverNotification(t.db, config, notificationId),
      deliverNotification(t.db, config, notificationId),
    ]);
    expect(outcomes.filter((o) => o === 'sent').length).toBeLessThanOrEqual(1);
    expect(outcomes.every((o) => o === 'sent' || o === 'already_sent')).toBe(true);
    expect(await deliverNotification(t.db, config, notificationId)).toBe('already_sent');
    await new Promise((r) => setTimeout(r, 1500)); // the queued job runs and finds it sent
    expect(hook.received.length - before).toBe(1);
  });

  it('runs the digest job with the stored settings and delivers it through the notify queue', async () => {
    const schedules = await bosses[1].getSchedules(digestQueue.name);
    expect(schedules.map((x) => x.cron)).toEqual(['5 * * * *']);
    await updateSettings(t.db, { notifyWebhook: 'digest', digestHourUtc: 0 }, 'test');
    const r = await recordDetections(t.db, {
      asOf: '2026-11-29',
      anomalies: [anomaly({ asOf: '2026-11-29', subject: 'digest@example.com' })],
      evaluatedAt: new Date(),
      settings,
    });
    const before = hook.received.length;
    await digestQueue.send(bosses[0], {});
    expect(await waitFor(() => hook.received.length > before, 30_000)).toBe(true);
    const body = hook.received.at(-1)!.body as { type: string; incidents: { id: number }[] };
    expect(body.type).toBe('cursorwatch.digest');
    expect(body.incidents.map((i) => i.id)).toEqual(r.opened);
  });
});
