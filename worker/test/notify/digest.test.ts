import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { recordDetections, resolveIncident } from '../../src/incidents';
import {
  ChannelNotConfiguredError,
  deliverNotification,
  enqueueNotifications,
  requeueUnsent,
  runDigest,
  sendTestNotification,
} from '../../src/notify';
import { startBoss } from '../../src/queue/boss';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings';
import { anomaly, endOf } from '../incidents/fixtures';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { startHttpReceiver, startSmtpReceiver } from './receivers';

const log = createLogger('silent');
const digestSettings: Settings = {
  ...DEFAULT_SETTINGS,
  notifySlack: 'off',
  notifyEmail: 'off',
  notifyWebhook: 'digest',
  digestHourUtc: 9,
};

describe('digest, severity floor, test messages and the sweep', () => {
  let t: TestDb;
  let boss: PgBoss; // no workers: these tests deliver by hand
  let hook: Awaited<ReturnType<typeof startHttpReceiver>>;
  let config: Config;

  beforeAll(async () => {
    t = await createTestDb('notd');
    hook = await startHttpReceiver();
    config = loadConfig({ ALERT_WEBHOOK_URL: hook.url, GRAFANA_URL: 'http://grafana.test' });
    boss = await startBoss(t.url, log);
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await hook.close();
    await dropTestDb(t);
  });
  beforeEach(async () => {
    await t.db.deleteFrom('notifications').execute();
    await t.db.deleteFrom('incidents').execute();
    hook.received.length = 0;
  });

  const detect = (
    asOf: string,
    subject: string,
    severity: 'info' | 'warning' | 'critical' = 'warning',
    settings = digestSettings,
  ) =>
    recordDetections(t.db, {
      asOf,
      anomalies: [anomaly({ asOf, subject, severity })],
      evaluatedAt: endOf(asOf),
      settings,
    });

  it('holds digest-mode alerts for one daily message from the configured hour, resolved incidents included', async () => {
    const a = await detect('2026-11-20', 'ana@example.com');
    const b = await detect('2026-11-20', 'bo@example.com');
    await resolveIncident(t.db, b.opened[0], { reason: 'expected' }, 'lead');
    expect(await enqueueNotifications(t.db, boss, [...a.toNotify, ...b.toNotify], digestSettings, config)).toEqual([]);

    expect(await runDigest(t.db, boss, digestSettings, config, new Date('2026-11-21T08:59:00Z'))).toEqual([]);
    const [digest] = await runDigest(t.db, boss, digestSettings, config, new Date('2026-11-21T09:05:00Z'));
    expect(digest.incidentIds.sort()).toEqual([a.opened[0], b.opened[0]].sort());
    expect(await runDigest(t.db, boss, digestSettings, config, new Date('2026-11-21T15:00:00Z'))).toEqual([]); // once a day

    expect(await deliverNotification(t.db, config, digest.notificationId)).toBe('sent');
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0].body).toMatchObject({ type: 'cursorwatch.digest', id: 'digest:webhook:2026-11-21' });
    const ana = await t.db.selectFrom('incidents').selectAll().where('id', '=', a.opened[0]).executeTakeFirstOrThrow();
    expect(ana.status).toBe('alerted');

    // The next day's digest carries only what is new.
    const c = await detect('2026-11-21', 'cy@example.com');
    const [next] = await runDigest(t.db, boss, digestSettings, config, new Date('2026-11-22T09:00:00Z'));
    expect(next.incidentIds).toEqual(c.opened);
  });

  it('announces nothing below the severity floor', async () => {
    const settings = { ...digestSettings, notifyWebhook: 'immediate', notifyMinSeverity: 'critical' } as const;
    const warn = await detect('2026-11-20', 'ana@example.com', 'warning', settings);
    expect(await enqueueNotifications(t.db, boss, warn.toNotify, settings, config)).toEqual([]);
    const crit = await detect('2026-11-21', 'ana@example.com', 'critical', settings);
    expect(crit.escalated).toEqual(warn.opened);
    expect(await enqueueNotifications(t.db, boss, crit.toNotify, settings, config)).toHaveLength(1);
  });

  it('marks a notification failed after the last attempt, and the sweep queues it again', async () => {
    const settings = { ...digestSettings, notifyWebhook: 'immediate' } as const;
    const r = await detect('2026-11-20', 'ana@example.com', 'warning', settings);
    const [{ notificationId }] = await enqueueNotifications(t.db, boss, r.toNotify, settings, config);
    hook.state.down = true;
    await expect(deliverNotification(t.db, config, notificationId, { finalAttempt: true })).rejects.toThrow(
      /answered 503/,
    );
    const failed = await t.db
      .selectFrom('notifications')
      .selectAll()
      .where('id', '=', notificationId)
      .executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(await requeueUnsent(t.db, boss)).toEqual([notificationId]);
    hook.state.down = false;
    expect(await deliverNotification(t.db, config, notificationId)).toBe('sent');
    expect(await requeueUnsent(t.db, boss)).toEqual([]);
    expect(hook.received).toHaveLength(1);
  });

  it('sends a clearly marked test message now, and names what is missing for an unconfigured channel', async () => {
    const res = await sendTestNotification(config, 'webhook');
    expect(res.channel).toBe('webhook');
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0].body).toMatchObject({
      type: 'cursorwatch.test',
      test: true,
      title: expect.stringMatching(/^TEST/),
    });

    await expect(sendTestNotification(config, 'slack')).rejects.toThrow(ChannelNotConfiguredError);
    await expect(sendTestNotification(config, 'email')).rejects.toThrow(
      'The email channel is not configured: SMTP_HOST, ALERT_EMAIL_FROM, ALERT_EMAIL_TO are not set',
    );

    const slack = await startHttpReceiver();
    const smtp = await startSmtpReceiver();
    try {
      const full = loadConfig({
        SLACK_WEBHOOK_URL: slack.url,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        ALERT_EMAIL_FROM: 'w@example.com',
        ALERT_EMAIL_TO: 'x@example.com',
      });
      await sendTestNotification(full, 'slack');
      await sendTestNotification(full, 'email');
      expect((slack.received[0].body as { text: string }).text).toMatch(/^TEST/);
      expect(smtp.messages[0].raw).toContain('Subject: TEST: Cursor Cost Watch notification check');
      await slack.close();
      await expect(sendTestNotification(full, 'slack')).rejects.toThrow(/POST to http:\/\/127\.0\.0\.1:\d+ failed/);
    } finally {
      await smtp.close();
    }
  });
});
