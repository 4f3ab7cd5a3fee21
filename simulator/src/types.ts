import type {
  ApiAnalyticsDauRow,
  ApiAnalyticsModelRow,
  ApiBillingGroupsResponse,
  ApiDailyUsageRow,
  ApiMember,
  ApiSpendResponse,
  ApiUsageEvent,
} from './wire';
import type { AnomalyKind } from './anomalies';

export interface SimulatedTeamOptions {
  seed?: number;
  teamSize: number;
  /** Days of history before today (default 90). */
  historyDays?: number;
  /** The clock (ms). Data is relative to it: today's events appear as it advances. Default Date.now. */
  now?: () => number;
  /** Inject labelled anomalies (default true). */
  anomalies?: boolean;
  /** Day of the month billing cycles start on, 1..28 (default: derived from the seed). */
  cycleDayOfMonth?: number;
}

export interface SimMember {
  id: string;
  email: string;
  name: string;
  role: string;
  isRemoved: boolean;
  /** YYYY-MM-DD. */
  joinedDay: string;
  /** YYYY-MM-DD of the first day no longer a member, or null. */
  leftDay: string | null;
}

export interface GroundTruthAnomaly {
  id: string;
  scope: 'user' | 'team';
  email: string | null;
  kind: AnomalyKind;
  startDay: string;
  /** Last day with an effect so far (today for anomalies still going on). */
  endDay: string;
  /** Anomalous generation minus the same user-days generated without the anomaly, events up to now. */
  extraCents: number;
  description: string;
  /** Every affected email (one for a user anomaly). */
  emails: string[];
}

export interface EventFilter {
  email?: string;
  userId?: string | number;
}

export interface DailyUsageOptions {
  /** Also rows for member days without activity (isActive false), as the paged API returns them. */
  includeInactive?: boolean;
  /** Only these members (by email). */
  emails?: string[];
}

export interface SpendQuery {
  searchTerm?: string;
  sortBy?: 'amount' | 'date' | 'user';
  sortDirection?: 'asc' | 'desc';
  page?: number;
  pageSize?: number;
}

export interface EventPage {
  total: number;
  events: ApiUsageEvent[];
}

export interface SimulatedTeam {
  readonly seed: number;
  readonly teamSize: number;
  readonly historyDays: number;
  readonly cycleDayOfMonth: number;
  now(): number;
  members(): SimMember[];
  /** The members as GET /teams/members lists them. */
  apiMembers(): ApiMember[];
  /** Every event of the UTC day up to now, newest first. */
  eventsForDay(day: string): ApiUsageEvent[];
  /** Events with startMs <= timestamp <= endMs (and <= now), newest first (ties by member). */
  eventsBetween(startMs: number, endMs: number, filter?: EventFilter): ApiUsageEvent[];
  /** One page of eventsBetween (page 1-based) without rendering the rest: O(page) after the first call. */
  eventsPage(startMs: number, endMs: number, filter: EventFilter, page: number, pageSize: number): EventPage;
  dailyUsage(startMs: number, endMs: number, options?: DailyUsageOptions): ApiDailyUsageRow[];
  /** Current billing cycle; all rows on one page unless a page size is given. */
  spend(query?: SpendQuery): ApiSpendResponse;
  groups(billingCycle?: string): ApiBillingGroupsResponse;
  analyticsDau(startDay: string, endDay: string): ApiAnalyticsDauRow[];
  analyticsModels(startDay: string, endDay: string): ApiAnalyticsModelRow[];
  /** Sets a member's monthly limit (null removes it); false when the email is not in the team. */
  setUserSpendLimit(email: string, dollars: number | null): boolean;
  truth(): GroundTruthAnomaly[];
  /** Developers who move to another billing group (once each), by day: their spend is split between the two. */
  groupMoves(): { email: string; day: string; fromGroup: string; toGroup: string }[];
}
