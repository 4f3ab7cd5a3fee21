import {
  auditLogEvents,
  createSimulatedTeam,
  type ApiAnalyticsDauRow,
  type ApiAnalyticsModelRow,
  type ApiAuditLogEvent,
  type ApiBillingGroupsResponse,
  type ApiDailyUsageRow,
  type ApiMember,
  type ApiSpendResponse,
  type ApiUsageEvent,
} from '@cursor-cost-watch/simulator';
import {
  analyticsDauResponseSchema,
  analyticsModelsResponseSchema,
  auditLogEventSchema,
  billingGroupsResponseSchema,
  dailyUsageRowSchema,
  memberSchema,
  spendResponseSchema,
  usageEventSchema,
  type ApiAnalyticsDauResponse,
  type ApiAnalyticsModelsResponse,
  type ApiAuditLogEvent as ClientAuditLogEvent,
  type ApiBillingGroupsResponse as ClientBillingGroupsResponse,
  type ApiDailyUsageRow as ClientDailyUsageRow,
  type ApiMember as ClientMember,
  type ApiSpendResponse as ClientSpendResponse,
  type ApiUsageEvent as ClientUsageEvent,
} from '../../src/cursor/schemas';
import { DAY, NOW, utcDay } from '../simulator/http';

/**
 * The simulator writes its own wire types (simulator/src/wire.ts) rather than importing the client's. These
 * functions are the compile-time half of the check: each simulator type must be assignable to what the client's
 * schema accepts (z.input), or `npm run typecheck` fails. The tests are the run-time half: the client's schemas
 * parse what the simulator generates.
 */
const asClientMember = (m: ApiMember): ClientMember => m;
const asClientDailyUsageRow = (r: ApiDailyUsageRow): ClientDailyUsageRow => r;
const asClientSpend = (s: ApiSpendResponse): ClientSpendResponse => s;
const asClientEvent = (e: ApiUsageEvent): ClientUsageEvent => e;
const asClientGroups = (g: ApiBillingGroupsResponse): ClientBillingGroupsResponse => g;
const asClientAuditLogEvent = (e: ApiAuditLogEvent): ClientAuditLogEvent => e;
const asClientDau = (data: ApiAnalyticsDauRow[]): ApiAnalyticsDauResponse => ({ data });
const asClientModels = (data: ApiAnalyticsModelRow[]): ApiAnalyticsModelsResponse => ({ data });

describe("the simulator's wire types against the client's schemas", () => {
  const team = createSimulatedTeam({ seed: 11, teamSize: 12, now: () => NOW });
  const start = utcDay('2026-03-10');
  const end = start + 3 * DAY - 1;

  it('members, daily usage and events parse', () => {
    const members = team.apiMembers().map(asClientMember);
    expect(members.length).toBeGreaterThan(0);
    for (const m of members) expect(memberSchema.parse(m).email).toBe(m.email);
    const rows = team.dailyUsage(start, end, { includeInactive: true }).map(asClientDailyUsageRow);
    expect(rows.length).toBe(3 * members.length);
    for (const r of rows) expect(dailyUsageRowSchema.parse(r).day).toMatch(/^2026-03-1[0-2]$/);
    const events = team.eventsBetween(start, end).map(asClientEvent);
    expect(events.length).toBeGreaterThan(100);
    for (const e of events) expect(usageEventSchema.parse(e).timestamp).toBe(Number(e.timestamp));
  });

  it('spend, billing groups and the audit log parse', () => {
    const spend = spendResponseSchema.parse(asClientSpend(team.spend()));
    expect(spend.teamMemberSpend.length).toBeGreaterThan(0);
    const groups = billingGroupsResponseSchema.parse(asClientGroups(team.groups()));
    expect(groups.billingCycle?.start).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const log = auditLogEvents(team, []).map(asClientAuditLogEvent);
    expect(log.length).toBeGreaterThan(0);
    for (const e of log) expect(auditLogEventSchema.parse(e).event_id).toBe(e.event_id);
  });

  it('analytics parse', () => {
    const dau = analyticsDauResponseSchema.parse(asClientDau(team.analyticsDau('2026-03-10', '2026-03-12')));
    expect(dau.data.map((d) => d.date)).toEqual(['2026-03-10', '2026-03-11', '2026-03-12']);
    const models = analyticsModelsResponseSchema.parse(
      asClientModels(team.analyticsModels('2026-03-10', '2026-03-12')),
    );
    expect(models.data.length).toBeGreaterThan(0);
  });
});
