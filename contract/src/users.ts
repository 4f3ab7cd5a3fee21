import { z } from 'zod';
import { isoDateTime, isoDay } from './common';
import { incidentSchema, SEVERITIES } from './incidents';

/** Days of daily spend the user list's sparkline covers. */
export const USER_LIST_TREND_DAYS = 30;
/** Open incidents listed per member in the user list (the count says how many in all). */
export const USER_LIST_MAX_INCIDENTS = 3;

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
  // Added in issue #14; optional so the plugin still reads a worker that predates them.
  /** This cycle's spend over the team's (0–1); null when the team spent nothing. */
  shareOfTeam: z.number().nullable().optional(),
  /** Daily spend over the last USER_LIST_TREND_DAYS days, zeros on quiet days. */
  trend: z.array(z.object({ day: isoDay, chargedCents: z.number() })).optional(),
  /** The member's largest open incidents (at most USER_LIST_MAX_INCIDENTS), most severe first. */
  openIncidentList: z
    .array(
      z.object({
        id: z.number().int(),
        severity: z.enum(SEVERITIES),
        detector: z.string(),
        impactCents: z.number(),
      }),
    )
    .optional(),
});
export type UserSummary = z.infer<typeof userSummarySchema>;
export const userListSchema = z.object({
  items: z.array(userSummarySchema),
  cycleStart: isoDateTime.nullable(),
  members: z.number().int(),
  /** The team's spend this cycle (every member, not only those listed); added in issue #14. */
  teamSpendCents: z.number().optional(),
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
