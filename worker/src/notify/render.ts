import type { Config } from '../config/config';
import type { Channel } from './channels';
import { ChannelNotConfiguredError, missingChannelConfig } from './channels';
import { renderEmail, sendEmail, type EmailPayload } from './email';
import type { AlertMessage } from './message';
import { renderSlack, sendSlack, type SlackPayload } from './slack';
import { renderWebhook, sendWebhook, type WebhookPayload } from './webhook';

/** The exact body a channel sends; stored in notifications.payload so what went out is on record. */
export function renderFor(channel: Channel, m: AlertMessage): Record<string, unknown> {
  if (channel === 'slack') return { ...renderSlack(m) };
  if (channel === 'email') return { ...renderEmail(m) };
  return { ...renderWebhook(m) };
}

/** Sends a rendered payload on its channel; throws DeliveryError when the receiver does not take it. */
export async function sendOn(config: Config, channel: Channel, payload: Record<string, unknown>): Promise<void> {
  const missing = missingChannelConfig(config, channel);
  if (missing) throw new ChannelNotConfiguredError(channel, missing);
  if (channel === 'slack') return sendSlack(config.SLACK_WEBHOOK_URL!, payload as unknown as SlackPayload);
  if (channel === 'email') return sendEmail(config, payload as unknown as EmailPayload);
  return sendWebhook(config.ALERT_WEBHOOK_URL!, payload as unknown as WebhookPayload);
}
