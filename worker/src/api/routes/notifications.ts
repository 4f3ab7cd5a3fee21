import { ChannelNotConfiguredError } from '../../notify/channels';
import type { ApiDeps } from '../deps';
import { Reply, type RouteHandlers } from '../route';

export function notificationHandlers({ config, services, log }: ApiDeps): Pick<RouteHandlers, 'testNotification'> {
  return {
    /** Sends a test message on one channel: 409 when the channel is not configured, 502 with the channel's own error when delivery fails. */
    testNotification: async ({ body: { channel } }) => {
      try {
        await services.sendTestNotification(config, channel);
        return { ok: true, channel, message: `A test message was sent to ${channel}` };
      } catch (err) {
        if (err instanceof ChannelNotConfiguredError) {
          // Nothing was sent: the worker lacks the channel's settings (e.g. SLACK_WEBHOOK_URL), which is what to fix.
          return new Reply(409, { error: 'not_configured', message: err.message });
        }
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ channel, err: message }, 'test notification failed');
        return new Reply(502, { error: 'delivery_failed', message: `${channel}: ${message}` });
      }
    },
  };
}
