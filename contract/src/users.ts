import { z } from 'zod';
import { isoDateTime, isoDay } from './common';
import { incidentSchema } from './incidents';

export const userSearchQuerySchema = z.object({
  search: z.string().trim().max(320, 'must be at most 320 characters').optional(),
  limit: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(50),
});
export type UserSearchQuery = z.input<typeof userSearchQuerySchema>;

export const userSummarySchema = z.object({
  email: z.string(),
  name: z.string().nullable(),
  isRemoved: z.boolean(),
  spendCents: z.number(),
  rank: z.number().int().nullable(),
  openIncidents: z.number().int(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;
export const userListSchema = z.object({
  items: z.array(userSummarySchema),
  cycleStart: isoDateTime.nullable(),
  members: z.number().int(),
});
export type UserList = z.infer<typeof userListSchema>;

export const userEmailParamsSchema = z.object({
  email: z.string().trim().min(3, 'must be an email').max(320, 'must be at most 320 characters'),
});

/** GET /api/users/:email: spend this cycle, rank among members, a 30-day trend and the user's incidents. */
export const userDetailSchema = z.object({
  email: z.string(),
  name: z.string().nullable(),
  role: z.string(),
  isRemoved: z.boolean(),
  cycleStart: isoDateTime.nullable(),
  spendCents: z.number(),
  overallSpendCents: z.number(),
  rank: z.number().int().nullable(),
  members: z.number().int(),
  trend: z.array(z.object({ day: isoDay, chargedCents: z.number(), events: z.number().int() })),
  openIncidents: z.number().int(),
  incidents: z.array(incidentSchema),
});
export type UserDetail = z.infer<typeof userDetailSchema>;
