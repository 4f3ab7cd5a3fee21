import { postJson } from './http';
import type { AlertMessage } from './message';

export interface WebhookPayload {
  type: 'cursorwatch.alert' | 'cursorwatch.digest' | 'cursorwatch.test';
  /** Stable per message: a receiver drops a second delivery with the same id. */
  id: string;
  title: string;
  generatedAt: string;
  test: boolean;
  incidents: AlertMessage['incidents'];
}

export function renderWebhook(m: AlertMessage): WebhookPayload {
  return {
    type: `cursorwatch.${m.kind}`,
    id: m.key,
    title: m.title,
    generatedAt: m.generatedAt,
    test: m.kind === 'test',
    incidents: m.incidents,
  };
}

export async function sendWebhook(url: string, payload: WebhookPayload): Promise<void> {
  await postJson(url, payload, { 'idempotency-key': payload.id, 'user-agent': 'cursor-cost-watch' });
}
