import type { ApiMember } from './wire';
import { TeamAnalytics } from './analytics';
import { TeamCore } from './core';
import { daysOfRange, dailyUsageRows, membersInRange } from './daily-usage';
import { dayEndMs, dayStartMs, dayNumberIso, parseIsoDay } from './days';
import { EventWindows } from './event-window';
import { groupMoves, groupName, groupsResponse } from './groups';
import { spendResponse } from './spend';
import { groundTruth } from './truth';
import type { GroundTruthAnomaly, SimMember, SimulatedTeam, SimulatedTeamOptions } from './types';

function dayArg(text: string, name: string): number {
  const day = parseIsoDay(text);
  if (day === null) throw new RangeError(`${name} must be a day as YYYY-MM-DD, got ${JSON.stringify(text)}`);
  return day;
}

/**
 * A deterministic enterprise team (seed → same members, events, spend and anomalies), generated lazily per
 * user-day so 10 to 10,000 developers over 90+ days cost only what is asked for.
 */
export function createSimulatedTeam(options: SimulatedTeamOptions): SimulatedTeam {
  if (!Number.isInteger(options.teamSize) || options.teamSize < 1)
    throw new RangeError(`teamSize must be a positive integer, got ${options.teamSize}`);
  const historyDays = options.historyDays ?? 90;
  if (!Number.isInteger(historyDays) || historyDays < 1)
    throw new RangeError(`historyDays must be a positive integer, got ${historyDays}`);
  if (options.cycleDayOfMonth !== undefined && !(options.cycleDayOfMonth >= 1 && options.cycleDayOfMonth <= 28)) {
    throw new RangeError(`cycleDayOfMonth must be 1..28, got ${options.cycleDayOfMonth}`);
  }
  const core = new TeamCore({
    seed: options.seed ?? 42,
    teamSize: options.teamSize,
    historyDays,
    now: options.now ?? Date.now,
    anomalies: options.anomalies ?? true,
    cycleDayOfMonth: options.cycleDayOfMonth,
  });
  const windows = new EventWindows(core);
  const analytics = new TeamAnalytics(core);
  const limits = new Map<number, number | null>();
  let truthMemo: { at: number; value: GroundTruthAnomaly[] } | null = null;

  const members = (): SimMember[] =>
    core.users.map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      role: u.role,
      isRemoved: u.leftDay !== null && u.leftDay <= core.today(),
      joinedDay: dayNumberIso(u.joinedDay),
      leftDay: u.leftDay === null ? null : dayNumberIso(u.leftDay),
    }));

  return {
    seed: core.seed,
    teamSize: options.teamSize,
    historyDays,
    cycleDayOfMonth: core.cycleDayOfMonth,
    now: () => core.now(),
    members,
    apiMembers: (): ApiMember[] =>
      members()
        // Someone who joins later in the simulation is not a member yet.
        .filter((m) => (parseIsoDay(m.joinedDay) ?? 0) <= core.today())
        .map((m) => ({ id: m.id, name: m.name, email: m.email, role: m.role, isRemoved: m.isRemoved })),
    eventsForDay: (day) => {
      const d = dayArg(day, 'day');
      return windows.all(dayStartMs(d), dayEndMs(d), {});
    },
    eventsBetween: (startMs, endMs, filter = {}) => windows.all(startMs, endMs, filter),
    eventsPage: (startMs, endMs, filter, page, pageSize) => windows.page(startMs, endMs, filter, page, pageSize),
    dailyUsage: (startMs, endMs, o = {}) => {
      const days = daysOfRange(core, startMs, endMs);
      if (days.length === 0) return [];
      let users = membersInRange(core, days[0], days[days.length - 1]);
      if (o.emails) {
        const wanted = new Set(o.emails.map((e) => e.toLowerCase()));
        users = users.filter((u) => wanted.has(u.email));
      }
      return dailyUsageRows(core, users, days, o.includeInactive ?? false);
    },
    spend: (query) => spendResponse(core, limits, query),
    groups: (billingCycle) =>
      groupsResponse(core, billingCycle === undefined ? core.today() : dayArg(billingCycle, 'billingCycle')),
    analyticsDau: (startDay, endDay) => analytics.dau(dayArg(startDay, 'startDate'), dayArg(endDay, 'endDate')),
    analyticsModels: (startDay, endDay) => analytics.models(dayArg(startDay, 'startDate'), dayArg(endDay, 'endDate')),
    setUserSpendLimit: (email, dollars) => {
      const u = core.byEmail.get(email.toLowerCase());
      // Not (yet, or any longer) a member: Cursor answers outcome "error".
      if (!u || u.joinedDay > core.today() || (u.leftDay !== null && u.leftDay <= core.today())) return false;
      limits.set(u.idx, dollars);
      // From now on the developer's calls respect it; windows counted before must be counted again.
      core.setSpendLimit(u, dollars, core.now());
      windows.forget();
      return true;
    },
    groupMoves: () =>
      [...groupMoves(core).values()]
        .map((m) => ({
          email: core.users[m.userIdx].email,
          day: dayNumberIso(m.day),
          fromGroup: groupName(m.from),
          toGroup: groupName(m.to),
        }))
        .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : a.email < b.email ? -1 : 1)),
    truth: () => {
      // The truth moves with the clock (effects so far); recomputing it is costly on big teams, so per minute.
      const at = Math.floor(core.now() / 60_000);
      if (truthMemo?.at !== at) truthMemo = { at, value: groundTruth(core) };
      return truthMemo.value.map((a) => ({ ...a, emails: [...a.emails] }));
    },
  };
}
