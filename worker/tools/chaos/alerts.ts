import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

interface Delivery {
  id: string;
  type: string;
  incidents: { id: number; severity: string }[];
}

/**
 * A webhook receiver on 127.0.0.1 (the ALERT_WEBHOOK_URL the worker posts to). Down, it answers 503 to everything,
 * as a receiver behind a load balancer with no healthy backend does; up, it records each delivery and answers 200.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  refused = 0;
  up = true;
  url = '';
  private readonly server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => this.answer(req, res, body));
  });

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    await new Promise<void>((r) => receiver.server.listen(0, '127.0.0.1', r));
    const { port } = receiver.server.address() as AddressInfo;
    receiver.url = `http://127.0.0.1:${port}/hooks/cursor-watch`;
    return receiver;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    if (!this.up) {
      this.refused++;
      res.writeHead(503).end('no healthy upstream');
      return;
    }
    try {
      const p = JSON.parse(body) as { id: string; type: string; incidents?: { id: number; severity: string }[] };
      this.deliveries.push({
        id: String(req.headers['idempotency-key'] ?? p.id),
        type: p.type,
        incidents: (p.incidents ?? []).map((i) => ({ id: Number(i.id), severity: i.severity })),
      });
      res.writeHead(200).end('ok');
    } catch {
      res.writeHead(400).end('not JSON');
    }
  }

  reset(): void {
    this.deliveries.length = 0;
    this.refused = 0;
    this.up = true;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

export interface AlertAccount {
  /** incident@severity pairs the worker decided to announce on the webhook channel. */
  announced: number;
  /** Announced but never received, or an unresolved incident seen today never announced at its severity. */
  lost: number;
  /** incident@severity pairs received in more than one distinct message (a person would see them twice). */
  duplicated: number;
  /** Second deliveries of the same message id (a crash between send and commit; receivers drop them by id). */
  redelivered: number;
}

/** Compares what the worker recorded as announced (and what it should have) with what the receiver got. */
export async function accountAlerts(url: string, receiver: WebhookReceiver): Promise<AlertAccount> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const announced = await c.query<{ incident_id: string; severity: string; dedupe_key: string }>(
      `SELECT ni.incident_id, ni.severity, n.dedupe_key FROM notification_incidents ni
         JOIN notifications n ON n.id = ni.notification_id
        WHERE ni.channel = 'webhook' AND n.kind = 'alert'`,
    );
    // Due an alert: an unresolved incident the live (today's) pass saw; notifyMinSeverity is 'info' in the
    // campaign's fresh databases. Incidents only the first-run replay of past days saw are history by design
    // (src/jobs/queues/collect.ts, BACKFILL_REPLAY_DAYS: past days notify nobody).
    const never = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM incidents i
        WHERE i.status <> 'resolved'
          AND EXISTS (SELECT 1 FROM anomalies a WHERE a.incident_id = i.id AND a.as_of = (now() AT TIME ZONE 'UTC')::date)
          AND NOT EXISTS (
          SELECT 1 FROM notification_incidents ni
           WHERE ni.channel = 'webhook' AND ni.incident_id = i.id AND ni.severity = i.max_severity)`,
    );
    const alerts = receiver.deliveries.filter((d) => d.type === 'cursorwatch.alert');
    const receivedIds = new Map<string, number>();
    for (const d of alerts) receivedIds.set(d.id, (receivedIds.get(d.id) ?? 0) + 1);
    const messagesPerPair = new Map<string, Set<string>>();
    for (const d of alerts)
      for (const i of d.incidents) {
        const pair = `${i.id}@${i.severity}`;
        messagesPerPair.set(pair, (messagesPerPair.get(pair) ?? new Set()).add(d.id));
      }
    let duplicated = 0;
    for (const ids of messagesPerPair.values()) duplicated += ids.size - 1;
    let redelivered = 0;
    for (const n of receivedIds.values()) redelivered += n - 1;
    const notReceived = announced.rows.filter((r) => !receivedIds.has(r.dedupe_key)).length;
    return { announced: announced.rows.length, lost: notReceived + never.rows[0].n, duplicated, redelivered };
  } finally {
    await c.end();
  }
}
