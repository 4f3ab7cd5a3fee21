import { z } from 'zod';

/**
 * The Cursor Admin API's responses as documented (see shared/design/cursor-api.md). Unknown extra fields are
 * accepted; both documented shapes of a field (member id as number or string) are accepted. The simulator
 * produces exactly these shapes (z.input), the client consumes the parsed ones (z.output).
 */

const cents = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();
/** Ids were numbers in older API versions and are encoded strings now: both become strings. */
const id = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));
const epochMs = z.number().int().nonnegative();
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day as YYYY-MM-DD');

export const memberSchema = z.looseObject({
  id,
  name: z.string().nullish(),
  email: z.string().min(3),
  role: z.string(),
  isRemoved: z.boolean().optional().default(false),
});
export const membersResponseSchema = z.looseObject({ teamMembers: z.array(memberSchema) });

export const dailyUsageRowSchema = z.looseObject({
  userId: id.optional(),
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
  mostUsedModel: z.string().nullish(),
  applyMostUsedExtension: z.string().nullish(),
  tabMostUsedExtension: z.string().nullish(),
  clientVersion: z.string().nullish(),
});
export const periodSchema = z.looseObject({ startDate: epochMs, endDate: epochMs });
export const dailyUsagePaginationSchema = z.looseObject({
  page: count,
  pageSize: count,
  totalUsers: count,
  totalPages: count,
  hasNextPage: z.boolean(),
  hasPreviousPage: z.boolean(),
});
export const dailyUsageResponseSchema = z.looseObject({
  data: z.array(dailyUsageRowSchema),
  period: periodSchema,
  pagination: dailyUsagePaginationSchema.optional(),
});

export const spendRowSchema = z.looseObject({
  userId: id.optional(),
  name: z.string().nullish(),
  email: z.string().min(3),
  role: z.string().optional(),
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
  totalMembers: count,
  totalPages: count,
});

export const tokenUsageSchema = z.looseObject({
  inputTokens: count,
  outputTokens: count,
  cacheWriteTokens: count,
  cacheReadTokens: count,
  totalCents: cents,
  discountPercentOff: z.number().nullish(),
});
export const usageEventSchema = z.looseObject({
  /** Epoch ms as a STRING in the API; a number is tolerated. */
  timestamp: z.union([z.string().regex(/^\d+$/, 'must be epoch milliseconds as a string'), epochMs]).transform(Number),
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
  conversationId: z.string().nullish(),
  serviceAccountId: z.string().nullish(),
  serviceAccountName: z.string().nullish(),
  cloudAgentId: z.string().nullish(),
  automationId: z.string().nullish(),
  isFreeBugbot: z.boolean().nullish(),
});
export const usageEventsPaginationSchema = z.looseObject({
  numPages: count,
  currentPage: count,
  pageSize: count,
  hasNextPage: z.boolean(),
  hasPreviousPage: z.boolean(),
});
export const usageEventsResponseSchema = z.looseObject({
  totalUsageEventsCount: count,
  pagination: usageEventsPaginationSchema,
  usageEvents: z.array(usageEventSchema),
  period: periodSchema.optional(),
});

/** GET /teams/groups?billingCycle=YYYY-MM-DD (the product's reading of "billing groups with members, spendCents and dailySpend"). */
export const billingGroupSchema = z.looseObject({
  id,
  name: z.string(),
  spendCents: cents.optional().default(0),
  members: z
    .array(z.looseObject({ email: z.string().min(3), userId: id.optional(), name: z.string().nullish() }))
    .optional()
    .default([]),
  dailySpend: z
    .array(z.looseObject({ date: isoDay, spendCents: cents }))
    .optional()
    .default([]),
});
export const billingGroupsResponseSchema = z.looseObject({
  groups: z.array(billingGroupSchema),
  billingCycle: isoDay.optional(),
});

/** Analytics API: GET /analytics/team/dau and /analytics/team/models, `{data, params}`. */
export const analyticsDauResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ date: isoDay, dau: count })),
  params: z.record(z.string(), z.unknown()).optional(),
});
export const analyticsModelsResponseSchema = z.looseObject({
  data: z.array(z.looseObject({ date: isoDay, model: z.string(), messages: count, users: count })),
  params: z.record(z.string(), z.unknown()).optional(),
});

export const apiErrorSchema = z.looseObject({ error: z.string(), message: z.string().optional() });

export type Member = z.output<typeof memberSchema>;
export type DailyUsageRow = z.output<typeof dailyUsageRowSchema>;
export type SpendRow = z.output<typeof spendRowSchema>;
export type SpendResponse = z.output<typeof spendResponseSchema>;
export type UsageEvent = z.output<typeof usageEventSchema>;
export type BillingGroup = z.output<typeof billingGroupSchema>;

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
export type ApiAnalyticsDauResponse = z.input<typeof analyticsDauResponseSchema>;
export type ApiAnalyticsModelsResponse = z.input<typeof analyticsModelsResponseSchema>;
export type ApiError = z.input<typeof apiErrorSchema>;
