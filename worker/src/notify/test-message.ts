import type { Config } from '../config/config';
import { ChannelNotConfiguredError, missingChannelConfig, type Channel } from './channels';
import { buildMessage, grafanaLinks, type IncidentNotice } from './message';
import { renderFor, sendOn } from './render';

/** A made-up incident that shows every field a real alert carries, marked as a test everywhere. */
function sampleNotice(config: Config): IncidentNotice {
  const subject = 'test.user@example.com';
  return {
    id: 0,
    scope: 'user',
    subject,
    detector: 'personal_spike',
    detectorLabel: 'personal spike (TEST)',
    severity: 'info',
    escalatedFrom: null,
    status: 'open',
    onsetAt: new Date().toISOString(),
    observed: 4200,
    expected: 1200,
    bandLow: 800,
    bandHigh: 1800,
    unit: 'cents',
    observedText: '$42.00',
    expectedText: '$12.00 (normal $8.00–$18.00)',
    impactCents: 3000,
    impactText: '$30.00',
    topModel: 'example-model',
    why: {},
    whyText: 'TEST: this is sample data to check that the channel works.',
    summary: 'TEST MESSAGE: no real incident. Cursor Cost Watch can reach this channel.',
    links: grafanaLinks(config, { id: 0, scope: 'user', subject }),
  };
}

/** Sends a clearly marked test message on `channel` now (no queue, no retries); throws with the reason on failure. */
export async function sendTestNotification(
  config: Config,
  channel: Channel,
): Promise<{ channel: Channel; sentAt: string }> {
  const missing = missingChannelConfig(config, channel);
  if (missing) throw new ChannelNotConfiguredError(channel, missing);
  const now = new Date();
  const message = buildMessage('test', `test:${channel}:${now.getTime()}`, [sampleNotice(config)], now);
  await sendOn(config, channel, renderFor(channel, message));
  return { channel, sentAt: now.toISOString() };
}
