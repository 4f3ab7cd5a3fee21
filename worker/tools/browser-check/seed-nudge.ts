import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DAY_MS } from '@cursor-cost-watch/contract';
import type { Config } from '../../src/config/config';
import type { Db } from '../../src/db/database';
import { createNudges, decideNudges, deliverNudge } from '../../src/nudge';
import { DEFAULT_SETTINGS } from '../../src/settings';

/**
 * Gives one of the seeded incidents the nudge lifecycle through the real code: the nudge is stored and rendered from
 * the collected rollups, sent to a real SMTP server on 127.0.0.1 (what the developer receives is printed), then
 * decided by the check due two days after the nudge (escalated if still active, fixed after nudge if it ended).
 * For the plugin's browser check (plugin/e2e-browser/run.ts), through main.ts.
 */
export async function seedNudgedIncident(
  db: Db,
  base: Config,
): Promise<{ incidentId: number; email: string; outcome: string | null }> {
  const now = new Date();
  const candidates = await db
    .selectFrom('incidents')
    .select(['id', 'detector', 'detected_at'])
    .where('scope', '=', 'user')
    .where('status', '<>', 'resolved')
    .where('alerted_at', 'is', null)
    .orderBy('detected_at')
    .execute();
  const inc = candidates.find((c) => c.detected_at.getTime() <= now.getTime() - 2 * DAY_MS) ?? candidates[0];
  if (!inc) throw new Error('the simulated data produced no open developer incident to nudge');

  const received: string[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        received.push(raw);
        done();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', () => r()));
  try {
    const config: Config = {
      ...base,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: (smtp.server.address() as AddressInfo).port,
      ALERT_EMAIL_FROM: 'cursor-cost-watch@example.com',
    };
    const policy = {
      ...DEFAULT_SETTINGS,
      nudgeDetectors: [inc.detector as (typeof DEFAULT_SETTINGS.nudgeDetectors)[number]],
      nudgeEscalateAfterDays: 2,
    };
    const nudgedAt = new Date(Math.min(inc.detected_at.getTime() + 60_000, now.getTime() - 2 * DAY_MS));
    const created = await createNudges(db, [inc.id], policy, config, nudgedAt);
    if (created.queued.length !== 1) throw new Error(`incident ${inc.id} was not nudged: ${JSON.stringify(created)}`);
    const outcome = await deliverNudge(db, config, created.queued[0], {
      now: () => new Date(nudgedAt.getTime() + 5000),
    });
    if (outcome !== 'sent' || received.length !== 1)
      throw new Error(`the nudge was not delivered and recorded (${outcome}, ${received.length} email(s))`);
    // The hourly check a quarter of an hour after the escalation was due (or now, if that is still ahead).
    const checkAt = Math.min(nudgedAt.getTime() + 2 * DAY_MS + 15 * 60_000, now.getTime());
    await decideNudges(db, new Date(checkAt));
    const n = await db
      .selectFrom('nudges')
      .select(['email', 'outcome'])
      .where('incident_id', '=', inc.id)
      .executeTakeFirstOrThrow();
    return { incidentId: inc.id, email: n.email, outcome: n.outcome };
  } finally {
    await new Promise<void>((r) => smtp.close(() => r()));
  }
}
