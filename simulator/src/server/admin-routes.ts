import type { FastifyInstance } from 'fastify';
import { DAY_MS, dayOfMs, dayNumberIso } from '../days';
import type { SimulatedTeam } from '../types';
import { badRequest } from './errors';
import { servedEvent, type Restatement } from './restatement';
import { hostilePage, type EventPageFault } from './hostile-pages';
import { auditLogEvents, type SpendLimitChange } from '../audit-logs';
import {
  auditLogsQuery,
  dailyUsageBody,
  eventsBody,
  groupsQuery,
  parseRequest,
  spendBody,
  userSpendLimitBody,
} from './request-schemas';

export const MAX_RANGE_DAYS = 30;

function checkRange(startDate: number, endDate: number, maxDays: number | null): void {
  if (endDate < startDate) throw badRequest('startDate must not be after endDate');
  if (maxDays !== null && endDate - startDate > maxDays * DAY_MS)
    throw badRequest(`Date range cannot exceed ${maxDays} days`);
}

/**
 * The Admin API endpoints. `pageFault(isLast)` says which fault, if any, this event page is served with (taking it
 * from the fault budget), with the numbers a hostile page needs;
 * `restatement()` whether recent events are served at provisional prices (./restatement.ts).
 */
export function registerAdminRoutes(
  app: FastifyInstance,
  team: SimulatedTeam,
  pageFault: (isLast: boolean) => { fault: EventPageFault; poisonN: number; oversizedBytes: number } | null,
  restatement: () => Restatement | null = () => null,
): void {
  const limitChanges: SpendLimitChange[] = [];
  app.get('/teams/members', async () => ({ teamMembers: team.apiMembers() }));

  app.post('/teams/daily-usage-data', async (request) => {
    const body = parseRequest(dailyUsageBody, request.body, 'request body');
    checkRange(body.startDate, body.endDate, MAX_RANGE_DAYS);
    const period = { startDate: body.startDate, endDate: body.endDate };
    if (body.page === undefined && body.pageSize === undefined) {
      return { data: team.dailyUsage(body.startDate, body.endDate), period };
    }
    // Paged: every member with a membership in the range, inactive days included.
    const page = body.page ?? 1;
    const pageSize = body.pageSize ?? 100;
    const first = dayNumberIso(dayOfMs(body.startDate));
    const last = dayNumberIso(Math.min(dayOfMs(body.endDate), dayOfMs(team.now())));
    const members = team.members().filter((m) => m.joinedDay <= last && (m.leftDay === null || m.leftDay > first));
    const emails = members.slice((page - 1) * pageSize, page * pageSize).map((m) => m.email);
    const data =
      emails.length > 0 ? team.dailyUsage(body.startDate, body.endDate, { includeInactive: true, emails }) : [];
    const totalPages = Math.ceil(members.length / pageSize);
    return {
      data,
      period,
      pagination: {
        page,
        pageSize,
        totalUsers: members.length,
        totalPages,
        hasNextPage: page < totalPages,
        hasPreviousPage: page > 1,
      },
    };
  });

  app.post('/teams/spend', async (request) => team.spend(parseRequest(spendBody, request.body, 'request body')));

  app.post('/teams/filtered-usage-events', async (request, reply) => {
    const body = parseRequest(eventsBody, request.body, 'request body');
    checkRange(body.startDate, body.endDate, null);
    const filter = { email: body.email, userId: body.userId };
    const served = team.eventsPage(body.startDate, body.endDate, filter, body.page, body.pageSize);
    const total = served.total;
    let events = served.events;
    const numPages = Math.ceil(total / body.pageSize);
    const fault = pageFault(body.page >= numPages);
    // An endless pager repeats its last page past the end, so the client sees events and is told to go on.
    if (fault?.fault === 'endless' && body.page > numPages && numPages > 0)
      ({ events } = team.eventsPage(body.startDate, body.endDate, filter, numPages, body.pageSize));
    const restated = restatement();
    const response = {
      totalUsageEventsCount: total,
      pagination: {
        numPages,
        currentPage: body.page,
        pageSize: body.pageSize,
        hasNextPage: body.page < numPages,
        hasPreviousPage: body.page > 1,
      },
      usageEvents: restated ? events.map((e) => servedEvent(e, team.now(), restated)) : events,
      period: { startDate: body.startDate, endDate: body.endDate },
    };
    if (fault === null) return response;
    if (fault.fault !== 'malformed') return hostilePage(response as never, fault.fault, fault);
    // A page cut off mid-stream: 200, JSON content type, not JSON.
    const text = JSON.stringify(response);
    return reply.type('application/json; charset=utf-8').send(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
  });

  app.get('/teams/audit-logs', async (request) => {
    const q = parseRequest(auditLogsQuery, request.query, 'query');
    const endTime = q.endTime ?? team.now();
    const startTime = q.startTime ?? endTime - 7 * DAY_MS;
    checkRange(startTime, endTime, MAX_RANGE_DAYS);
    const all = auditLogEvents(team, limitChanges).filter((e) => {
      const at = Date.parse(String(e.timestamp));
      return at >= startTime && at <= endTime;
    });
    const totalPages = Math.ceil(all.length / q.pageSize);
    return {
      events: all.slice((q.page - 1) * q.pageSize, q.page * q.pageSize),
      pagination: {
        page: q.page,
        pageSize: q.pageSize,
        totalCount: all.length,
        totalPages,
        hasNextPage: q.page < totalPages,
        hasPreviousPage: q.page > 1,
      },
      params: { teamId: team.seed, startDate: startTime, endDate: endTime },
    };
  });

  app.get('/teams/groups', async (request) => {
    const query = parseRequest(groupsQuery, request.query, 'query');
    try {
      return team.groups(query.billingCycle);
    } catch (e) {
      if (e instanceof RangeError) throw badRequest(e.message);
      throw e;
    }
  });

  app.post('/teams/user-spend-limit', async (request) => {
    const body = parseRequest(userSpendLimitBody, request.body, 'request body');
    const ok = team.setUserSpendLimit(body.userEmail, body.spendLimitDollars);
    if (ok) {
      const owner = team.members().find((m) => m.role === 'owner')?.email ?? 'admin@example.com';
      limitChanges.push({ at: team.now(), actorEmail: owner, email: body.userEmail, dollars: body.spendLimitDollars });
    }
    return ok
      ? {
          outcome: 'success',
          message: `Spend limit for ${body.userEmail} set to ${body.spendLimitDollars === null ? 'none' : `$${body.spendLimitDollars}`}`,
        }
      : { outcome: 'error', message: `User ${body.userEmail} is not in the team` };
  });
}
