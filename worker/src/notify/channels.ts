import type { Config } from '../config/config';
import type { Settings } from '../settings';

import { NOTIFICATION_CHANNELS, type NotificationChannel } from '@cursor-cost-watch/contract';

export type Channel = NotificationChannel;
export const CHANNELS: readonly Channel[] = NOTIFICATION_CHANNELS;

/** The settings notifications read; a full Settings object satisfies it. */
export type NotificationPolicy = Pick<
  Settings,
  'notifySlack' | 'notifyEmail' | 'notifyWebhook' | 'notifyMinSeverity' | 'digestHourUtc'
>;
export type DeliveryMode = Settings['notifySlack'];

export function channelMode(settings: NotificationPolicy, channel: Channel): DeliveryMode {
  return channel === 'slack'
    ? settings.notifySlack
    : channel === 'email'
      ? settings.notifyEmail
      : settings.notifyWebhook;
}

/** What is missing from the configuration for a channel to work, or null when it is ready. */
export function missingChannelConfig(config: Config, channel: Channel): string | null {
  if (channel === 'slack') return config.SLACK_WEBHOOK_URL ? null : 'SLACK_WEBHOOK_URL is not set';
  if (channel === 'webhook') return config.ALERT_WEBHOOK_URL ? null : 'ALERT_WEBHOOK_URL is not set';
  const missing = (['SMTP_HOST', 'ALERT_EMAIL_FROM', 'ALERT_EMAIL_TO'] as const).filter((k) => !config[k]);
  return missing.length === 0 ? null : `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set`;
}

export class ChannelNotConfiguredError extends Error {
  constructor(
    public readonly channel: Channel,
    detail: string,
  ) {
    super(`The ${channel} channel is not configured: ${detail}`);
    this.name = 'ChannelNotConfiguredError';
  }
}
