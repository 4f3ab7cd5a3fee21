import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import { announce } from '../../src/jobs/detection-pass';
import { listIncidentEvents, recordDetections } from '../../src/incidents';
import {
  notifyQueue,
  nudgeQueue,
  registerDigestWorker,
  registerNotifyWorker,
  registerNudgeCheckWorker,
  registerNudgeWorker,
} from '../../src/jobs/queues';
import {
  createNudges,
  decideNudges,
  deliverNudge,
  requeueUnsentNudges,
  runNudgeCheck,
  setNudgeOptOut,
} from '../../src/nudge';
import { startBoss } from '../../src/queue/boss';
import { DEFAULT_SETTINGS, type Settings } from '../../src/settings';
import { anomaly, endOf } from '../incidents/fixtures';
import { startHttpReceiver, startSmtpReceiver, waitFor } from '../notify/receivers';
import { createTestDb, dropTestDb, type TestDb } from '../support/test-db';
import { seedTeamUsage } from './fixtures';

const log = createLogger('silent');

/** The raw message as a person reads it: headers unfolded, quoted-printable decoded (RFC 2045 §6.7). */
function readable(raw: string): string {
  const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ').replace(/=\r?\n/g, '');
  return unfolded.replace(/(?:=[0-9A-F]{2})+/g, (m) =>
    Buffer.from(
      m
        .split('=')
        .slice(1)
        .map((h) => parseInt(h, 16)),
    ).toString('utf8'),
  );
}
const HOUR = 3_600_000;

/**
 * The nudge policy end to end on a real PostgreSQL, real pg-boss workers, a real SMTP server and a real Slack
 * receiver on 127.0.0.1. Every pass, check and delivery runs on a pinned clock (passes at 23:00 UTC of their day).
 */
describe('nudge the developer first', () => {
  let t: TestDb;
  let boss: PgBoss;
  let slack: Awaited<ReturnType<typeof startHttpReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtpReceiver>>;
  let config: Config;
  let clock = endOf('2026-11-20');
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    notifySlack: 'immediate',
    notifyEmail: 'immediate',
    notifyWebhook: 'off',
    nudgeDetectors: ['personal_spike', 'model_shift'],
    nudgeEscalateAfterDays: 2,
    nudgeDailyCapPerDeveloper: 1,
  };

  beforeAll(async () => {
    t = await createTestDb('nudge');
    [slack, smtp] = await Promise.all([startHttpReceiver(), startSmtpReceiver()]);
    config = loadConfig({
      GRAFANA_URL: 'http://grafana.test:3000',
      SLACK_WEBHOOK_URL: slack.url,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ALERT_EMAIL_FROM: 'watch@example.com',
      ALERT_EMAIL_TO: 'finops@example.com',
    });
    await seedTeamUsage(t.db, ['ana@example.com']);
    boss = await startBoss(t.url, log);
    await boss.updateQueue(notifyQueue.name, { retryLimit: 30, retryDelay: 1, retryBackoff: false });
    await boss.updateQueue(nudgeQueue.name, { retryLimit: 30, retryDelay: 1, retryBackoff: false });
    const deps = { db: t.db, config, log, pollingIntervalSeconds: 0.5 };
    await registerNotifyWorker(boss, deps);
    await registerDigestWorker(boss, { ...deps, cron: null });
    await registerNudgeWorker(boss, { ...deps, now: () => clock });
    await registerNudgeCheckWorker(boss, { ...deps, cron: null });
  });
  afterAll(async () => {
    await boss.stop({ graceful: false });
    await Promise.all([slack.close(), smtp.close()]);
    await dropTestDb(t);
  });

  /** One detection pass of `day` with these anomalies, then what the pass does next (detection/pass.ts announce). */
  async function pass(day: string, anomalies: ReturnType<typeof anomaly>[]) {
    clock = endOf(day);
    const r = await recordDetections(t.db, { asOf: day, anomalies, evaluatedAt: clock, settings });
    return { record: r, ...(await announce({ db: t.db, boss, config }, r.toNotify, settings, clock)) };
  }
  const mailsTo = (email: string) => smtp.messages.filter((m) => m.to.includes(email));
  const slackAbout = (email: string) => slack.received.filter((m) => JSON.stringify(m.body).includes(email));
  const nudgeOf = (incidentId: number) =>
    t.db.selectFrom('nudges').selectAll().where('incident_id', '=', incidentId).executeTakeFirstOrThrow();
  const actions = async (incidentId: number) => (await listIncidentEvents(t.db, incidentId)).map((e) => e.action);
  const settle = () => new Promise((r) => setTimeout(r, 1500)); // time for a stray job to run, if there were one

  it('emails the developer, not the channels, then escalates once when still active two days later', async () => {
    const ana = (day: string) =>
      anomaly({ asOf: day, subject: 'ana@example.com', onsetAt: '2026-11-20T00:00:00.000Z' });
    const first = await pass('2026-11-20', [ana('2026-11-20')]);
    const id = first.record.opened[0];
    expect(first.nudges.created.queued).toHaveLength(1);
    expect(first.queued).toEqual([]); // held back from Slack and the team's email
    expect(await waitFor(async () => (await nudgeOf(id)).status === 'sent')).toBe(true);

    const mail = mailsTo('ana@example.com');
    expect(mail).toHaveLength(1);
    expect(mail[0].to).toEqual(['ana@example.com']);
    expect(mailsTo('finops@example.com')).toHaveLength(0);
    expect(slack.received).toHaveLength(0);
    const raw = readable(mail[0].raw);
    expect(raw).toContain('Subject: Your Cursor spend is up since Fri 20 Nov: $90.00 a day vs your usual $15.00');
    expect(raw).toMatch(/Content-Type: text\/html/i);
    expect(raw).toMatch(/Content-Type: text\/plain/i);
    expect(raw).toContain('6.0× your usual');
    expect(raw).toContain("the team's median $12.00");
    expect(raw).toContain('claude-4-opus · $0.60 · $0.40 (1.5×)');
    expect(raw).toContain('Max mode cost you $20.00 since the onset (22% of your spend, 30 requests)');
    expect(raw).toContain('2026-11-22 23:00 UTC');

    const inc = await t.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(inc.status).toBe('open');
    expect(inc.alerted_at).toBeNull();
    const nudged = (await listIncidentEvents(t.db, id)).find((e) => e.action === 'nudged')!;
    expect(nudged.details).toMatchObject({ email: 'ana@example.com', escalateAt: '2026-11-22T23:00:00.000Z' });
    expect(nudged.at.toISOString()).toBe('2026-11-20T23:00:00.000Z');

    // Still active the next day: not yet due.
    const second = await pass('2026-11-21', [ana('2026-11-21')]);
    expect(second.nudges.decided.escalated).toEqual([]);
    expect(second.queued).toEqual([]);
    expect(slack.received).toHaveLength(0);

    // Still active two days after the nudge: the team channels hear about it, once.
    const third = await pass('2026-11-22', [ana('2026-11-22')]);
    expect(third.nudges.decided.escalated).toEqual([id]);
    expect(third.nudges.released.map((q) => q.channel).sort()).toEqual(['email', 'slack']);
    expect(await waitFor(() => slackAbout('ana@example.com').length === 1)).toBe(true);
    expect(await waitFor(() => mailsTo('finops@example.com').length === 1)).toBe(true);

    // Again and again: the pass re-run, the hourly check, a later day. Nothing is sent twice.
    await pass('2026-11-22', [ana('2026-11-22')]);
    await runNudgeCheck(t.db, boss, settings, config, new Date(clock.getTime() + HOUR));
    await Promise.all([decideNudges(t.db, clock), decideNudges(t.db, clock)]);
    await settle();
    expect(slackAbout('ana@example.com')).toHaveLength(1);
    expect(mailsTo('finops@example.com')).toHaveLength(1);
    expect(mailsTo('ana@example.com')).toHaveLength(1);
    const trail = await actions(id);
    expect(trail.filter((a) => a === 'nudged')).toHaveLength(1);
    expect(trail.filter((a) => a === 'nudge_escalated')).toHaveLength(1);
    expect(trail.filter((a) => a === 'alerted')).toHaveLength(1);
    expect(trail.indexOf('nudged')).toBeLessThan(trail.indexOf('nudge_escalated'));
    expect(trail.indexOf('nudge_escalated')).toBeLessThan(trail.indexOf('alerted'));
    expect(await nudgeOf(id)).toMatchObject({ outcome: 'escalated', status: 'sent' });
  });

  it('resolves as "fixed after nudge" when the anomaly ends before the escalation, and the team never hears', async () => {
    const eve = anomaly({ asOf: '2026-11-24', subject: 'eve@example.com', onsetAt: '2026-11-24T00:00:00.000Z' });
    const first = await pass('2026-11-24', [eve]);
    const id = first.record.opened[0];
    expect(await waitFor(async () => (await nudgeOf(id)).status === 'sent')).toBe(true);

    // The next day's pass does not see it: a whole day without the signal.
    const next = await pass('2026-11-25', []);
    expect(next.nudges.decided.fixed).toEqual([id]);
    const inc = await t.db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(inc).toMatchObject({ status: 'resolved', resolution_reason: 'fixed_after_nudge', resolved_by: 'system' });
    expect(inc.resolved_at?.toISOString()).toBe('2026-11-25T23:00:00.000Z');
    expect(inc.resolution_note).toContain('Back to usual after the nudge');
    expect(await actions(id)).toEqual(['opened', 'nudged', 'fixed_after_nudge']);
    expect(await nudgeOf(id)).toMatchObject({ outcome: 'fixed_after_nudge', escalated_at: null });

    // Past the escalation time nothing changes, and neither the channels nor the digest hear about it.
    await runNudgeCheck(t.db, boss, settings, config, endOf('2026-11-27'));
    await settle();
    expect(slackAbout('eve@example.com')).toHaveLength(0);
    expect(mailsTo('eve@example.com')).toHaveLength(1);

    // The spend coming back is a new episode: a new incident, straight to the channels (nudged a week ago).
    const again = await pass('2026-11-26', [
      anomaly({ asOf: '2026-11-26', subject: 'eve@example.com', onsetAt: '2026-11-24T00:00:00.000Z' }),
    ]);
    expect(again.record.opened).toHaveLength(1);
    expect(again.nudges.created.skipped).toEqual([{ incidentId: again.record.opened[0], reason: 'recent_nudge' }]);
    expect(await waitFor(() => slackAbout('eve@example.com').length === 1)).toBe(true);
  });

  it('respects an opt-out: stored before the anomaly, or made between storing the nudge and sending it', async () => {
    await setNudgeOptOut(t.db, 'Fay@Example.com', { optedOut: true, reason: 'on call' }, 'lead', clock);
    const fay = await pass('2026-11-27', [anomaly({ asOf: '2026-11-27', subject: 'fay@example.com' })]);
    const fayId = fay.record.opened[0];
    expect(fay.nudges.created).toEqual({ queued: [], skipped: [{ incidentId: fayId, reason: 'opted_out' }] });
    // Released to the channels by the nudge step of the pass (a skipped nudge holds nothing back).
    expect([...fay.nudges.released, ...fay.queued].map((q) => q.channel).sort()).toEqual(['email', 'slack']);
    expect(await waitFor(() => slackAbout('fay@example.com').length === 1)).toBe(true);
    expect(mailsTo('fay@example.com')).toHaveLength(0);
    const skipped = (await listIncidentEvents(t.db, fayId)).find((e) => e.action === 'nudge_skipped')!;
    expect(skipped.details).toMatchObject({ reason: 'opted_out' });

    // gus's nudge is stored (no job yet), then he opts out: delivery sends nothing and the channels are told.
    clock = endOf('2026-11-27');
    const gus = await recordDetections(t.db, {
      asOf: '2026-11-27',
      anomalies: [
        anomaly({ asOf: '2026-11-27', subject: 'fay@example.com' }),
        anomaly({ asOf: '2026-11-27', subject: 'gus@example.com' }),
      ],
      evaluatedAt: clock,
      settings,
    });
    const gusId = gus.opened[0];
    const created = await createNudges(t.db, [gusId], settings, config, clock);
    expect(created.queued).toHaveLength(1);
    await setNudgeOptOut(t.db, 'gus@example.com', { optedOut: true }, 'gus', clock);
    expect(await deliverNudge(t.db, config, created.queued[0], { now: () => clock })).toBe('skipped');
    const check = await runNudgeCheck(t.db, boss, settings, config, new Date(clock.getTime() + HOUR));
    expect(check.released.flatMap((q) => q.incidentIds)).toContain(gusId);
    expect(await waitFor(() => slackAbout('gus@example.com').length === 1)).toBe(true);
    expect(mailsTo('gus@example.com')).toHaveLength(0);
    expect(await nudgeOf(gusId)).toMatchObject({ status: 'skipped', skip_reason: 'opted_out' });

    // Opting back in applies to the next anomaly; the opt-out is stored lowercase, once.
    await setNudgeOptOut(t.db, 'fay@example.com', { optedOut: false }, 'lead', clock);
    expect(await t.db.selectFrom('nudge_opt_outs').select('email').execute()).toEqual([{ email: 'gus@example.com' }]);
  });

  it('caps nudges per developer per day: the second anomaly of the day goes to the channels', async () => {
    const day = '2026-11-28';
    const r = await pass(day, [
      anomaly({ asOf: day, subject: 'hal@example.com', detector: 'personal_spike' }),
      anomaly({ asOf: day, subject: 'hal@example.com', detector: 'model_shift' }),
    ]);
    // One pass takes a subject's anomalies in detector order: model_shift is nudged, personal_spike hits the cap.
    const [a, b] = r.record.opened;
    expect(r.nudges.created.queued).toHaveLength(1);
    expect(r.nudges.created.skipped).toEqual([{ incidentId: b, reason: 'daily_cap' }]);
    // Slack and the team's email, for b only.
    expect([...r.nudges.released, ...r.queued].flatMap((q) => q.incidentIds)).toEqual([b, b]);
    expect(await waitFor(async () => (await nudgeOf(a)).status === 'sent')).toBe(true);
    expect(mailsTo('hal@example.com')).toHaveLength(1);
    expect(await waitFor(() => slackAbout('hal@example.com').length === 1)).toBe(true);
    expect(JSON.stringify(slackAbout('hal@example.com')[0].body)).toContain('personal spike');
    expect(JSON.stringify(slackAbout('hal@example.com')[0].body)).not.toContain('model shift');
    expect(await nudgeOf(a)).toMatchObject({ status: 'sent' });
    expect(await nudgeOf(b)).toMatchObject({ status: 'skipped', skip_reason: 'daily_cap' });
  });

  it('sends a nudge at most once across failed attempts, duplicate jobs, re-runs and a lost job', async () => {
    const day = '2026-11-29';
    clock = endOf(day);
    const r = await recordDetections(t.db, {
      asOf: day,
      anomalies: [anomaly({ asOf: day, subject: 'ivy@example.com' })],
      evaluatedAt: clock,
      settings,
    });
    const id = r.opened[0];
    const created = await createNudges(t.db, [id], settings, config, clock);
    expect(await createNudges(t.db, [id], settings, config, clock)).toEqual({ queued: [], skipped: [] });
    const nudgeId = created.queued[0];

    // The SMTP server refuses: recorded and rethrown for pg-boss to retry, nothing marked sent.
    const down = loadConfig({ ...process.env, SMTP_HOST: '127.0.0.1', SMTP_PORT: '9', ALERT_EMAIL_FROM: 'w@x.y' });
    await expect(deliverNudge(t.db, down, nudgeId, { now: () => clock })).rejects.toThrow(/SMTP 127\.0\.0\.1:9/);
    expect(await nudgeOf(id)).toMatchObject({ status: 'pending', attempts: 1 });

    // Its retries were lost with the process: the sweep finds it once the retry schedule is over, and queues it
    // again; two more jobs race it.
    expect(await requeueUnsentNudges(t.db, boss, { now: new Date(clock.getTime() + HOUR) })).toEqual([]);
    expect(await requeueUnsentNudges(t.db, boss, { now: new Date(clock.getTime() + 7 * HOUR) })).toEqual([nudgeId]);
    await nudgeQueue.send(boss, { nudgeId });
    await nudgeQueue.send(boss, { nudgeId });
    expect(await waitFor(async () => (await nudgeOf(id)).status === 'sent')).toBe(true);
    await settle();
    expect(mailsTo('ivy@example.com')).toHaveLength(1);
    expect(await deliverNudge(t.db, config, nudgeId)).toBe('already_sent');
    expect((await nudgeOf(id)).attempts).toBe(2);
    expect((await actions(id)).filter((a) => a === 'nudged')).toHaveLength(1);

    // Two checks at once when it is due: one escalation.
    const due = endOf('2026-12-01');
    const [x, y] = await Promise.all([decideNudges(t.db, due), decideNudges(t.db, due)]);
    expect([...x.escalated, ...y.escalated].filter((i) => i === id)).toEqual([id]);
    expect((await actions(id)).filter((a) => a === 'nudge_escalated')).toHaveLength(1);
  });
});
