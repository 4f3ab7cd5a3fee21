import { z } from 'zod';
import { isoDateTime } from './common';

export const NOTIFICATION_CHANNELS = ['slack', 'email', 'webhook'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export const notificationTestBodySchema = z
  .object({ channel: z.enum(NOTIFICATION_CHANNELS, { message: `must be one of ${NOTIFICATION_CHANNELS.join(', ')}` }) })
  .strict();
export type NotificationTestBody = z.infer<typeof notificationTestBodySchema>;
export const notificationTestResultSchema = z.object({
  ok: z.boolean(),
  channel: z.enum(NOTIFICATION_CHANNELS),
  message: z.string(),
});
export type NotificationTestResult = z.infer<typeof notificationTestResultSchema>;

export const collectionEndpointStatusSchema = z.object({
  endpoint: z.string(),
  lastRunAt: isoDateTime.nullable(),
  lastStatus: z.enum(['running', 'ok', 'failed']).nullable(),
  lastTrigger: z.string().nullable(),
  lastDurationMs: z.number().nullable(),
  lastRowsNew: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastSuccessAt: isoDateTime.nullable(),
  watermark: isoDateTime.nullable(),
  lagSeconds: z.number().nullable(),
  failuresLast24h: z.number().int(),
});
export type CollectionEndpointStatus = z.infer<typeof collectionEndpointStatusSchema>;

/** GET /api/collection/status. lagSeconds is now minus the watermark (how stale the data is). */
export const collectionStatusSchema = z.object({
  now: isoDateTime,
  endpoints: z.array(collectionEndpointStatusSchema),
  lastRunAt: isoDateTime.nullable(),
  hasData: z.boolean(),
});
export type CollectionStatus = z.infer<typeof collectionStatusSchema>;

/** POST /api/collection/run: 202 with the queued job id; 409 while a collection is queued or running. */
export const collectionRunResultSchema = z.object({ jobId: z.string() });
export type CollectionRunResult = z.infer<typeof collectionRunResultSchema>;

/** GET /healthz; `reason` says why the database is counted down (an error, or no answer within the timeout). */
export const healthSchema = z.object({ ok: z.boolean(), database: z.boolean(), reason: z.string().optional() });
