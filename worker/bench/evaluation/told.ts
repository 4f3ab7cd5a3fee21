import type { PgBoss } from 'pg-boss';
import { loadConfig, type Config } from '../../src/config/config';
import { createLogger } from '../../src/config/log';
import type { Db } from '../../src/db/database';
import type { Episode } from '../../src/detection/episodes';
import { registerNotifyWorker } from '../../src/jobs/queues';
import type { WebhookPayload } from '../../src/notify/webhook';
import { startBoss } from '../../src/queue/boss';
import { startHttpReceiver } from '../support/http-receiver';
import type { RecordedIncident } from './incidents-replay';

export interface Announcing {
  boss: PgBoss;
  /** The worker's configuration with the webhook channel pointed at `receiver` (and no other channel set). */
  config: Config;
  receiver: Awaited<ReturnType<typeof startHttpReceiver>>;
}

/** The webhook messages `receiver` got, in the order they arrived. */
export const webhookPayloads = (receiver: Announcing['receiver']): WebhookPayload[] =>
  receiver.received.map((r) => r.body as WebhookPayload);

/**
 * Runs `run` with the worker's announcing parts up: a pg-boss on the database at `url` with the worker's notify queue
 * worker registered, delivering to a webhook receiver on 127.0.0.1 (the generic webhook channel: Slack's and email's
 * messages carry the same incidents, notify/README.md). BENCH_NOTIFY_LOG=warn prints that worker's warnings (a
 * delivery that will be retried, and why) to stderr.
 */
export async function withAnnouncing<T>(db: Db, url: string, run: (a: Announcing) => Promise<T>): Promise<T> {
  const log = createLogger(process.env.BENCH_NOTIFY_LOG ?? 'silent', 'notify', { to: 'stderr' });
  const receiver = await startHttpReceiver();
  const config = loadConfig({ LOG_LEVEL: 'silent', ALERT_WEBHOOK_URL: receiver.url });
  const boss = await startBoss(url, log);
  try {
    await registerNotifyWorker(boss, { db, config, log, pollingIntervalSeconds: 0.5 });
    return await run({ boss, config, receiver });
  } finally {
    await boss.stop({ graceful: false });
    await receiver.close();
  }
}

/**
 * Waits until every queued notification is sent; throws naming what is still unsent after `timeoutMs`. Returns how
 * many were sent with their recording failed (incidents not marked alerted: last_error, outbox.ts).
 */
export async function allDelivered(db: Db, timeoutMs = 120_000): Promise<{ unrecorded: number }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const unsent = await db
      .selectFrom('notifications')
      .select(['id', 'status', 'attempts', 'last_error'])
      .where('status', '<>', 'sent')
      .execute();
    if (unsent.length === 0) {
      const rows = await db
        .selectFrom('notifications')
        .select('id')
        .where('status', '=', 'sent')
        .where('last_error', 'is not', null)
        .execute();
      return { unrecorded: rows.length };
    }
    if (Date.now() > until || unsent.some((n) => n.status === 'failed'))
      throw new Error(
        `${unsent.length} notification(s) not delivered: ` +
          unsent
            .slice(0, 5)
            .map(
              (n) => `#${n.id} ${n.status} after ${n.attempts} attempt(s)${n.last_error ? ` (${n.last_error})` : ''}`,
            )
            .join('; '),
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** What the team's channel received over a replay, against the incidents the database holds. */
export interface Told {
  /** Alert messages received (a pass sends one per channel, with every incident it announces), each id once. */
  messages: number;
  /** Deliveries of a message already received (the same id: a receiver drops them, notify/README.md). */
  duplicates: number;
  /** Incidents named in them for the first time. */
  announced: number;
  /** Later mentions: an incident that rose to a higher severity than the channel last heard. */
  escalations: number;
  /** The incidents the messages named, each as the team heard of it: from the day of the first message naming it. */
  episodes: Episode[];
  /** Each told incident's id and the day of the first message naming it. */
  toldOn: Map<number, string>;
  /** How many escalations each of `episodes` was told. */
  escalationsOf: Map<Episode, number>;
  /** Incidents no message named. */
  neverTold: Episode[];
  /** Incidents first named on a later day than they opened, with that day. */
  toldLater: { episode: Episode; toldDay: string }[];
  /** Incident ids named in a message that the database does not hold (a wrong message; none expected). */
  unknownIds: number[];
}

/**
 * Reads the messages `received` as the team does: each incident is told on the day of the pass whose message first
 * named it (`dayOf` its generatedAt), a mention from a lower severity is an escalation. Scoring `episodes` with
 * score() gives precision, recall and delays as the channel tells them.
 */
export function toldFrom(
  received: WebhookPayload[],
  recorded: RecordedIncident[],
  dayOf: (generatedAt: string) => string,
): Told {
  const seen = new Set<string>();
  const alerts = received.filter((m) => m.type === 'cursorwatch.alert' && !seen.has(m.id) && seen.add(m.id));
  const duplicates = received.filter((m) => m.type === 'cursorwatch.alert').length - alerts.length;
  const firstTold = new Map<number, string>();
  const escalated = new Map<number, number>();
  const unknownIds = new Set<number>();
  const known = new Set(recorded.map((r) => r.id));
  let announced = 0;
  let escalations = 0;
  for (const m of alerts) {
    const day = dayOf(m.generatedAt);
    for (const n of m.incidents) {
      if (!known.has(n.id)) unknownIds.add(n.id);
      if (n.escalatedFrom !== null) {
        escalations++;
        escalated.set(n.id, (escalated.get(n.id) ?? 0) + 1);
      } else announced++;
      const before = firstTold.get(n.id);
      if (before === undefined || day < before) firstTold.set(n.id, day);
    }
  }
  const episodes: Episode[] = [];
  const escalationsOf = new Map<Episode, number>();
  const neverTold: Episode[] = [];
  const toldLater: Told['toldLater'] = [];
  for (const { id, episode } of recorded) {
    const day = firstTold.get(id);
    if (day === undefined) {
      neverTold.push(episode);
      continue;
    }
    const heard = { ...episode, firstDay: day };
    episodes.push(heard);
    escalationsOf.set(heard, escalated.get(id) ?? 0);
    if (day > episode.firstDay) toldLater.push({ episode, toldDay: day });
  }
  return {
    messages: alerts.length,
    duplicates,
    announced,
    escalations,
    episodes,
    toldOn: firstTold,
    escalationsOf,
    neverTold,
    toldLater,
    unknownIds: [...unknownIds],
  };
}
