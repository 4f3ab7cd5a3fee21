import { z } from 'zod';
import { isoDateTime, requestDateTime } from './common';

export const snoozeSchema = z.object({
  id: z.number().int(),
  scope: z.enum(['user', 'team']),
  subject: z.string(),
  until: isoDateTime,
  reason: z.string(),
  createdBy: z.string(),
  createdAt: isoDateTime,
});
export type Snooze = z.infer<typeof snoozeSchema>;
export const snoozeListSchema = z.object({ items: z.array(snoozeSchema) });

/** POST /api/snoozes: silence a user (by email) or the team until a time in the future. */
export const snoozeCreateBodySchema = z
  .object({
    scope: z.enum(['user', 'team'], { message: 'must be user or team' }),
    subject: z.string().trim().min(1, 'must not be empty').max(320, 'must be at most 320 characters'),
    until: requestDateTime,
    reason: z.string().trim().min(1, 'must say why').max(500, 'must be at most 500 characters'),
  })
  .strict();
export type SnoozeCreateBody = z.infer<typeof snoozeCreateBodySchema>;

export const snoozeIdParamsSchema = z.object({
  id: z.coerce.number({ message: 'must be a number' }).int('must be a whole number').positive('must be positive'),
});
