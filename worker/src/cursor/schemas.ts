import { z } from 'zod';

/**
 * The Cursor Admin API's responses as documented (see shared/design/cursor-api.md), read in two tiers:
 * - STRICT where the product uses the value (event identity, user, time, model, kind, tokens and cents, member
 *   emails, spend rows, daily-usage rows, paging): a wrong shape fails the page with a clear error naming the field.
 * - LENIENT elsewhere (`lenient(...)`): an unexpected shape falls back (null or a default) and never fails the page;
 *   the client reports it as schema drift (see ./drift.ts), as it reports unknown fields, which are kept
 *   (looseObject passes them through).
 * Where Cursor's docs or public traces show two shapes, both are accepted: ids as number or string, dates as ISO or
 * epoch ms, billingCycle as a day or a `{cycleStart, cycleEnd}` pair (Fivetran's Cursor connector keys billing groups
 * by cycle_start with a cycle_end: fivetran.com/docs/connectors/applications/cursor, "billing_group").
 * The simulator produces these shapes (z.input), the client consumes the parsed ones (z.output).
 */

/** Marks a field the product does not depend on: an unexpected shape becomes `fallback` instead of an error. */
export function lenient<T extends z.ZodType>(schema: T, fallback: z.output<T>) {
  return schema.catch(fallback);
}

const cents = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();
/** Ids were numbers in older API versions and are encoded strings now: both become strings. */
const id = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));
/** An id that may be absent: number or string, kept as a string. */
const optionalId = z
  .union([z.string(), z.number().int()])
  .nullish()
  .transform((v) => (v === undefined || v === null || v === '' ? null : String(v)));

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Epoch ms: a number, digits in a string, or an ISO 8601 date/time (both appear in Cursor's docs). */
const epochMs = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(/^\d+$/, 'must be epoch milliseconds'),
    z.string().regex(ISO_RE, 'must be an ISO 8601 date-time'),
    z.string().regex(DAY_RE, 'must be a day as YYYY-MM-DD'),
  ])
  .transform((v) =>
    typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v),
  );
/** A UTC day: "YYYY-MM-DD", an ISO date-time or epoch ms, always read as "YYYY-MM-DD". */
const isoDay = z
  .union([
    z.string().regex(DAY_RE, 'must be a day as YYYY-MM-DD'),
    z.string().regex(ISO_RE, 'must be a day as YYYY-MM-DD or an ISO 8601 date-time'),
    z.number().int().nonnegative(),
  ])
  .transform((v) => (typeof v === 'string' && DAY_RE.test(v) ? v : new Date(v).toISOString().slice(0, 10)));

export const memberSchema = z.looseObject({
  id: lenient(optionalId, null),
  name: lenient(z.string().nullish(), null),
  email: z.string().min(3),
  role: lenient(z.string().optional().default('member'), 'member'),
  isRemoved: lenient(z.boolean().optional().default(false), false),
});
export const membersResponseSchema = z.looseObject({ teamMembers: z.array(memberSchema) });

export const dailyUsageRowSchema = z.looseObject({
  userId: lenient(optionalId, null),
  day: isoDay.optional(),
  date: epochMs,
  email: z.string().nullish(),
  isActive: z.boolean(),
  totalLinesAdded: count,
  totalLinesDeleted: count,
  acceptedLinesAdded: count,
  acceptedLinesDeleted: count,
  totalApplies: count,
  totalAccepts: count,
  totalRejects: count,
  totalTabsShown: count,
  totalTabsAccepted: count,
  composerRequests: count,
  chatRequests: count,
  agentRequests: count,
  cmdkUsages: count,
  subscriptionIncludedReqs: count,
  apiKeyReqs: count,
  usageBasedReqs: count,
  bugbotUsages: count,
  mostUsedModel: lenient(z.string().nullish(), null),
  applyMostUsedExtension: lenient(z.string().nullish(), null),
  tabMostUsedExtension: lenient(z.string().nullish(), null),
  clientVersion: lenient(z.string().nullish(), null),
});
export const periodSchema = z.looseObject({ startDate: epochMs, endDate: epochMs });
export const dailyUsagePaginationSchema = z.looseObject({
  page: lenient(count.optional(), undefined),
  pageSize: lenient(count.optional(), undefined),
  totalUsers: lenient(count.optional(), undefined),
  totalPages: lenient(count.optional(), undefined),
  hasNextPage: z.boolean(),
  hasPreviousPage: lenient(z.boolean().optional(), undefined),
});
export const dailyUsageResponseSchema = z.looseObject({
  data: z.array(dailyUsageRowSchema),
  period: lenient(periodSchema.optional(), undefined),
  pagination: dailyUsagePaginationSchema.optional(),
});

export const spendRowSchema = z.looseObject({
  userId: lenient(optionalId, null),
  name: lenient(z.string().nullish(), null),
  email: z.string().min(3),
  role: lenient(z.string().optional(), undefined),
  spendCents: cents,
  overallSpendCents: cents.optional(),
  fastPremiumRequests: count.nullish(),
  hardLimitOverrideDollars: z.number().nullish(),
  monthlyLimitDollars: z.number().nullish(),
  effectivePerUserLimitDollars: z.number().nullish(),
});
export const spendResponseSchema = z.looseObject({
  teamMemberSpend: z.array(spendRowSchema),
  subscriptionCycleStart: epochMs,
  totalMembers: lenient(count, 0),
  totalPages: count,
});

export const tokenUsageSchema = z.looseObject({
  inputTokens: count,
  outputTokens: count,
  cacheWriteTokens: count,
  cacheReadTokens: count,
  totalCents: cents,
  discountPercentOff: lenient(z.number().nullish(), null),
});
export const usageEventSchema = z.looseObject({
  /** Epoch ms as a STRING in the API; a number (or an ISO date-time) is tolerated. */
  timestamp: epochMs,
  userEmail: z.string().min(3),
  model: z.string(),
  kind: z.string(),
  maxMode: z.boolean().optional().default(false),
  requestsCosts: z.number().finite().nonnegative().optional().default(0),
  isTokenBasedCall: z.boolean().optional().default(false),
  isChargeable: z.boolean().optional().default(false),
  isHeadless: z.boolean().optional().default(false),
  tokenUsage: tokenUsageSchema.nullish(),
  chargedCents: cents.optional().default(0),
  cursorTokenFee: cents.nullish(),
  // Part of the event's identity (collector/dedupe.ts): strict, but a number is read as its string.
  conversationId: optionalId,
  serviceAccountId: optionalId,
  cloudAgentId: optionalId,
  automationId: optionalId,
  serviceAccountName: lenient(z.string().nullish(), null),
  isFreeBugbot: lenient(z.boolean().nullish(), null),
});
export const usageEventsPaginationSchema = z.looseObject({
  numPages: lenient(count.optional().default(0), 0),
  currentPage: lenient(count.optional(), undefined),
  pageSize: lenient(count.optional(), undefined),
  hasNextPage: z.boolean(),
  hasPreviousPage: lenient(z.boolean().optional(), undefined),
});
export const usageEventsResponseSchema = z.looseObject({
  totalUsageEventsCount: lenient(count.optional().default(0), 0),
  pagination: usageEventsPaginationSchema,
  usageEvents: z.array(usageEventSchema),
  period: lenient(periodSchema.optional(), undefined),
});

/** A billing cycle as a day ("YYYY-MM-DD") or as a pair `{cycleStart, cycleEnd}`: read as `{start, end}` days. */
export const billingCycleSchema = z
  .union([isoDay, z.looseObject({ cycleStart: isoDay, cycleEnd: isoDay.nullish() })])
  .transform((v) =>
    typeof v === 'string' ? { start: v, end: null } : { start: v.cycleStart, end: v.cycleEnd ?? null },
  );

/**
 * GET /teams/groups?billingCycle=YYYY-MM-DD ("billing groups with members, spendCents and dailySpend"). Only the id
 * and member emails matter to the product (spend cut by team); the rest is lenient. The optional fields below the
 * members are those of Fivetran's billing_group table (cycle_start, cycle_end, type, directory_group_id, created_at,
 * updated_at), read here in the API's camelCase.
 */
export const billingGroupSchema = z.looseObject({
  id,
  name: lenient(z.string().optional().default(''), ''),
  spendCents: lenient(cents.optional().default(0), 0),
  members: z
    .array(
      z.looseObject({
        email: z.string().min(3),
        userId: lenient(optionalId, null),
        name: lenient(z.string().nullish(), null),
      }),
    )
    .optional()
    .default([]),
  dailySpend: lenient(
    z
      .array(z.looseObject({ date: isoDay, spendCents: cents }))
      .optional()
      .default([]),
    [],
  ),
  cycleStart: lenient(isoDay.nullish(), null),
  cycleEnd: lenient(isoDay.nullish(), null),
  type: lenient(z.string().nullish(), null),
  directoryGroupId: lenient(optionalId, null),
  createdAt: lenient(epochMs.nullish(), null),
  updatedAt: lenient(epochMs.nullish(), null),
});
export const billingGroupsResponseSchema = z.looseObject({
  groups: z.array(billingGroupSchema),
  billingCycle: lenient(billingCycleSchema.optional(), undefined),
});

/**
 * GET /teams/audit-logs (Cursor's Admin API docs, "Get Audit Logs"): events with snake_case fields, ISO timestamps,
 * free-form event_data; paged (pageSize 1–500), a range of at most 30 days.
 */
export const auditLogEventSchema = z.looseObject({
  event_id: id,
  timestamp: epochMs,
  user_email: lenient(z.string().nullish(), null),
  event_type: z.string().min(1),
  event_data: lenient(z.record(z.string(), z.unknown()).nullish(), null),
});
export const auditLogsResponseSchema = z.looseObject({
  events: z.array(auditLogEventSchema),
  pagination: z.looseObject({
    page: lenient(count.optional(), undefined),
    pageSize: lenient(count.optional(), undefined),
    totalCount: lenient(count.optional(), undefined),
    totalPages: lenient(count.optional(), undefined),
    hasNextPage: z.boolean(),
    hasPreviousPage: lenient(z.boolean().optional(), undefined),
  }),
  params: lenient(z.record(z.string(), z.unknown()).optional(), undefined),
});

/** Analytics API: GET /analytics/team/dau and /analytics/team/models, `{data, params}`. */
export const analyticsDauResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ date: isoDay, dau: count })),
  params: lenient(z.record(z.string(), z.unknown()).optional(), undefined),
});
export const analyticsModelsResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ date: isoDay, model: z.string(), messages: count, users: count })),
  params: lenient(z.record(z.string(), z.unknown()).optional(), undefined),
});

export const apiErrorSchema = z.looseObject({ error: z.string(), message: z.string().optional() });

export type Member = z.output<typeof memberSchema>;
export type DailyUsageRow = z.output<typeof dailyUsageRowSchema>;
export type SpendRow = z.output<typeof spendRowSchema>;
export type SpendResponse = z.output<typeof spendResponseSchema>;
export type UsageEvent = z.output<typeof usageEventSchema>;
export type BillingGroup = z.output<typeof billingGroupSchema>;
export type BillingGroupsResponse = z.output<typeof billingGroupsResponseSchema>;
export type AuditLogEvent = z.output<typeof auditLogEventSchema>;

/** What the API sends (the simulator's output types). */
export type ApiMember = z.input<typeof memberSchema>;
export type ApiMembersResponse = z.input<typeof membersResponseSchema>;
export type ApiDailyUsageRow = z.input<typeof dailyUsageRowSchema>;
export type ApiDailyUsageResponse = z.input<typeof dailyUsageResponseSchema>;
export type ApiSpendRow = z.input<typeof spendRowSchema>;
export type ApiSpendResponse = z.input<typeof spendResponseSchema>;
export type ApiUsageEvent = z.input<typeof usageEventSchema>;
export type ApiUsageEventsResponse = z.input<typeof usageEventsResponseSchema>;
export type ApiBillingGroupsResponse = z.input<typeof billingGroupsResponseSchema>;
export type ApiAuditLogEvent = z.input<typeof auditLogEventSchema>;
export type ApiAuditLogsResponse = z.input<typeof auditLogsResponseSchema>;
export type ApiAnalyticsDauResponse = z.input<typeof analyticsDauResponseSchema>;
export type ApiAnalyticsModelsResponse = z.input<typeof analyticsModelsResponseSchema>;
export type ApiError = z.input<typeof apiErrorSchema>;

/**
 * POST /teams/user-spend-limit answer (docs: `{"outcome":"success"|"error","message":…}`). The outcome is read as
 * text: anything but "success" means the limit did not change.
 */
export const userSpendLimitResponseSchema = z.looseObject({
  outcome: z.string(),
  message: z
    .string()
    .nullish()
    .transform((m) => m ?? ''),
});
export type UserSpendLimitResponse = z.output<typeof userSpendLimitResponseSchema>;
export type ApiUserSpendLimitResponse = z.input<typeof userSpendLimitResponseSchema>;
