import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookPayload } from '../../src/notify/webhook';

export interface WebhookReceiver {
  url: string;
  /** Every payload accepted, in the order it arrived. */
  received: WebhookPayload[];
  close: () => Promise<void>;
}

/**
 * A real HTTP endpoint on 127.0.0.1 for the worker's generic webhook channel (ALERT_WEBHOOK_URL): it keeps each JSON
 * body and answers 200, as an alert bridge would. A body that is not JSON is answered 400 with the reason, so the
 * delivery fails visibly instead of being counted.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookPayload[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      try {
        received.push(JSON.parse(raw) as WebhookPayload);
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`not JSON: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/cursor-alerts`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
