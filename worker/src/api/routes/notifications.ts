import { notificationTestBodySchema, type NotificationTestResult } from '@cursor-cost-watch/contract';
import type { FastifyInstance } from 'fastify';
import { ChannelNotConfiguredError } from '../../notify/channels';
import type { ApiDeps } from '../deps';
import { parseRequest } from '../validate';

export function notificationRoutes(app: FastifyInstance, { config, services, log }: ApiDeps) {
  /** Sends a test message on one channel: 409 when the channel is not configured, 502 with the channel's own error when delivery fails. */
  app.post('/api/notifications/test', async (req, reply) => {
    const { channel } = parseRequest(notificationTestBodySchema, req.body, 'body');
    try {
      await services.sendTestNotification(config, channel);
      return { ok: true, channel, message: `A test message was sent to ${channel}` } satisfies NotificationTestResult;
    } catch (err) {
      if (err instanceof ChannelNotConfiguredError) {
        // Nothing was sent: the worker lacks the channel's settings (e.g. SLACK_WEBHOOK_URL), which is what to fix.
        return reply.status(409).send({ error: 'not_configured', message: err.message });
      }
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ channel, err: message }, 'test notification failed');
      return reply.status(502).send({ error: 'delivery_failed', message: `${channel}: ${message}` });
    }
  });
}
