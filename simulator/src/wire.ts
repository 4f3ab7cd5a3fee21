/**
 * What the simulator sends: the Cursor Admin and Analytics API payloads in their documented shapes
 * (/work/shared/design/cursor-api.md; Cursor's docs at cursor.com/docs/account/teams/admin-api).
 * Written here, not imported from the worker's client (worker/src/cursor/schemas.ts), so the simulator stands on its
 * own and the two models of the API are checked against each other: worker/test/cursor/simulator-wire.test.ts
 * assigns each type below to the client's zod input type (a mismatch fails `npm run typecheck`) and parses the
 * simulator's output with the client's schemas. The shape-variants mode (server/shape-variants.ts) rewrites these
 * into the other shapes the docs show, as plain JSON.
 * Type aliases, not interfaces: the client's loose schemas have an index signature, which only aliases satisfy.
 */

/** GET /teams/members, one of `teamMembers`. */
export type ApiMember = { id: string; name: string; email: string; role: string; isRemoved: boolean };

/** POST /teams/daily-usage-data, one of `data`: `date` is epoch ms, `day` the same day as YYYY-MM-DD. */
export type ApiDailyUsageRow = {
  userId: number;
  day: string;
  date: number;
  email: string;
  isActive: boolean;
  totalLinesAdded: number;
  totalLinesDeleted: number;
  acceptedLinesAdded: number;
  acceptedLinesDeleted: number;
  totalApplies: number;
  totalAccepts: number;
  totalRejects: number;
  totalTabsShown: number;
  totalTabsAccepted: number;
  composerRequests: number;
  chatRequests: number;
  agentRequests: number;
  cmdkUsages: number;
  subscriptionIncludedReqs: number;
  apiKeyReqs: number;
  usageBasedReqs: number;
  bugbotUsages: number;
  mostUsedModel: string | null;
  applyMostUsedExtension: string | null;
  tabMostUsedExtension: string | null;
  clientVersion: string | null;
};

/** POST /teams/spend, one of `teamMemberSpend`. */
export type ApiSpendRow = {
  userId: string;
  name: string;
  email: string;
  role: string;
  spendCents: number;
  overallSpendCents: number;
  fastPremiumRequests: number;
  hardLimitOverrideDollars: number;
  monthlyLimitDollars: number | null;
  effectivePerUserLimitDollars: number | null;
};

/** POST /teams/spend: `subscriptionCycleStart` is epoch ms. */
export type ApiSpendResponse = {
  teamMemberSpend: ApiSpendRow[];
  subscriptionCycleStart: number;
  totalMembers: number;
  totalPages: number;
};

/** POST /teams/filtered-usage-events, one of `usageEvents`: `timestamp` is epoch ms as a string. */
export type ApiUsageEvent = {
  timestamp: string;
  userEmail: string;
  model: string;
  kind: string;
  maxMode: boolean;
  requestsCosts: number;
  isTokenBasedCall: boolean;
  isChargeable: boolean;
  isHeadless: boolean;
  tokenUsage?: {
    inputTokens: number;
    outputTokens: number;
    cacheWriteTokens: number;
    cacheReadTokens: number;
    totalCents: number;
  };
  chargedCents?: number;
  cursorTokenFee?: number;
  conversationId?: string;
  serviceAccountId?: string;
  serviceAccountName?: string;
  cloudAgentId?: string;
};

/** GET /teams/groups: billing groups of the cycle starting on `billingCycle` (YYYY-MM-DD). */
export type ApiBillingGroupsResponse = {
  groups: {
    id: string;
    name: string;
    spendCents: number;
    members: { email: string; userId: string; name: string }[];
    dailySpend: { date: string; spendCents: number }[];
  }[];
  billingCycle: string;
};

/** GET /teams/audit-logs, one of `events` ("Get Audit Logs": snake_case, ISO timestamps). */
export type ApiAuditLogEvent = {
  event_id: string;
  timestamp: string;
  user_email: string;
  event_type: string;
  event_data: Record<string, unknown>;
};

/** GET /analytics/team/dau, one of `data`. */
export type ApiAnalyticsDauRow = { date: string; dau: number };

/** GET /analytics/team/models, one of `data`. */
export type ApiAnalyticsModelRow = { date: string; model: string; messages: number; users: number };
