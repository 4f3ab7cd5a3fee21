import type { ApiDailyUsageRow } from './wire';
import type { TeamCore } from './core';
import { dayOfMs, dayStartMs, dayNumberIso } from './days';
import { MODELS } from './models';
import { isMemberOn, type SimUser } from './roster';
import { FEATURE, KIND } from './user-day';

/** A client release every two weeks; members lag zero to two releases behind. */
function clientVersion(user: SimUser, day: number): string {
  const release = Math.floor(day / 14) - user.versionLag;
  return `${1 + (Math.floor(release / 8) % 3)}.${release % 8}.${10 + ((release * 7) % 40)}`;
}

/** One member's day as POST /teams/daily-usage-data reports it, derived from the same calls as the events. */
export function dailyUsageRow(core: TeamCore, user: SimUser, day: number): ApiDailyUsageRow {
  const g = core.userDay(user, day);
  const cutoff = core.now();
  const all = g?.drafts ?? [];
  const drafts = all.length > 0 && all[all.length - 1].ts > cutoff ? all.filter((d) => d.ts <= cutoff) : all;
  const row: ApiDailyUsageRow = {
    userId: user.numericId,
    day: dayNumberIso(day),
    date: dayStartMs(day),
    email: user.email,
    isActive: drafts.length > 0,
    totalLinesAdded: 0,
    totalLinesDeleted: 0,
    acceptedLinesAdded: 0,
    acceptedLinesDeleted: 0,
    totalApplies: 0,
    totalAccepts: 0,
    totalRejects: 0,
    totalTabsShown: 0,
    totalTabsAccepted: 0,
    composerRequests: 0,
    chatRequests: 0,
    agentRequests: 0,
    cmdkUsages: 0,
    subscriptionIncludedReqs: 0,
    apiKeyReqs: 0,
    usageBasedReqs: 0,
    bugbotUsages: 0,
    mostUsedModel: null,
    applyMostUsedExtension: null,
    tabMostUsedExtension: null,
    clientVersion: null,
  };
  if (!g || drafts.length === 0) return row;
  const perModel = new Array<number>(MODELS.length).fill(0);
  for (const d of drafts) {
    perModel[d.model]++;
    if (d.feature === FEATURE.agent) row.agentRequests++;
    else if (d.feature === FEATURE.chat) row.chatRequests++;
    else if (d.feature === FEATURE.composer) row.composerRequests++;
    else row.cmdkUsages++;
    if (d.kind === KIND.included) row.subscriptionIncludedReqs++;
    else if (d.kind === KIND.usageBased) row.usageBasedReqs++;
    if (d.feature !== FEATURE.chat) {
      row.totalApplies++;
      if (d.accepted) row.totalAccepts++;
      else row.totalRejects++;
    }
    row.totalLinesAdded += d.linesAdded;
    row.totalLinesDeleted += d.linesDeleted;
    row.acceptedLinesAdded += d.acceptedLinesAdded;
    row.acceptedLinesDeleted += d.acceptedLinesDeleted;
  }
  // Tabs are not calls: today only the share of the day that has happened.
  const share = drafts.length / all.length;
  row.totalTabsShown = Math.round(g.tabsShown * share);
  row.totalTabsAccepted = Math.min(row.totalTabsShown, Math.round(g.tabsAccepted * share));
  row.bugbotUsages = g.bugbot;
  row.mostUsedModel = MODELS[perModel.indexOf(Math.max(...perModel))].name;
  row.applyMostUsedExtension = user.language;
  row.tabMostUsedExtension = user.language;
  row.clientVersion = clientVersion(user, day);
  return row;
}

/** Members with a membership overlapping the days, in roster order. */
export function membersInRange(core: TeamCore, firstDay: number, lastDay: number): SimUser[] {
  return core.users.filter((u) => u.joinedDay <= lastDay && (u.leftDay === null || u.leftDay > firstDay));
}

/** The UTC days a [startMs, endMs] request covers that can have data (never after today). */
export function daysOfRange(core: TeamCore, startMs: number, endMs: number): number[] {
  const days: number[] = [];
  const last = Math.min(dayOfMs(endMs), core.today());
  for (let d = dayOfMs(startMs); d <= last; d++) days.push(d);
  return days;
}

/** Rows of the given members: all member days (paged API) or only active ones (unpaged API). */
export function dailyUsageRows(
  core: TeamCore,
  users: SimUser[],
  days: number[],
  includeInactive: boolean,
): ApiDailyUsageRow[] {
  const rows: ApiDailyUsageRow[] = [];
  for (const u of users) {
    for (const day of days) {
      if (!isMemberOn(u, day)) continue;
      const row = dailyUsageRow(core, u, day);
      if (includeInactive || row.isActive) rows.push(row);
    }
  }
  return rows;
}
