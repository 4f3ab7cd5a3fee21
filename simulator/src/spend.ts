import type { ApiSpendResponse, ApiSpendRow } from './wire';
import { INCLUDED_CENTS_PER_CYCLE, type TeamCore } from './core';
import { cycleStartDay, dayStartMs } from './days';
import { MODELS, roundTo } from './models';
import { isMemberOn, type SimUser } from './roster';
import type { SpendQuery } from './types';
import { KIND } from './user-day';

export interface CycleSpend {
  overallCents: number;
  onDemandCents: number;
  premiumRequests: number;
  /** Cents per day of the cycle up to today, index 0 = cycle start. */
  daily: number[];
}

/** The day after the cycle holding `day` ends. */
export function cycleEndDay(start: number, cycleDayOfMonth: number): number {
  // 32 days after the start is always inside the next cycle.
  return cycleStartDay(start + 32, cycleDayOfMonth);
}

/** Today's calls so far (the only day that is not whole). */
function visibleTotals(core: TeamCore, user: SimUser, day: number) {
  const g = core.userDay(user, day);
  const cutoff = core.now();
  let total = 0;
  let premium = 0;
  let onDemand = 0;
  for (const d of g?.drafts ?? []) {
    if (d.ts > cutoff) break;
    total += d.cents;
    if (d.kind === KIND.usageBased) onDemand += d.cents;
    if (!d.errored && MODELS[d.model].tier !== 'cheap') premium++;
  }
  return { total, premium, onDemand };
}

/** A member's spend in the billing cycle starting `cycleStart`, events up to now. */
export function cycleSpend(core: TeamCore, user: SimUser, cycleStart: number): CycleSpend {
  const end = Math.min(cycleEndDay(cycleStart, core.cycleDayOfMonth) - 1, core.today());
  const out: CycleSpend = { overallCents: 0, onDemandCents: 0, premiumRequests: 0, daily: [] };
  for (let day = cycleStart; day <= end; day++) {
    if (day < core.historyStartDay || !isMemberOn(user, day)) {
      out.daily.push(0);
      continue;
    }
    const before = out.overallCents;
    let total: number;
    if (day === core.today()) {
      const t = visibleTotals(core, user, day);
      total = t.total;
      out.premiumRequests += t.premium;
      out.onDemandCents += t.onDemand;
    } else {
      const t = core.dayTotals(user, day);
      total = t.total;
      out.premiumRequests += t.premium;
      if (before >= INCLUDED_CENTS_PER_CYCLE) out.onDemandCents += total;
      else if (before + total >= INCLUDED_CENTS_PER_CYCLE) out.onDemandCents += visibleTotals(core, user, day).onDemand;
    }
    out.overallCents += total;
    out.daily.push(total);
  }
  return out;
}

const isRemovedNow = (core: TeamCore, u: SimUser): boolean => u.leftDay !== null && u.leftDay <= core.today();

export function spendResponse(
  core: TeamCore,
  limits: Map<number, number | null>,
  query: SpendQuery = {},
): ApiSpendResponse {
  const cycleStart = cycleStartDay(core.today(), core.cycleDayOfMonth);
  const term = query.searchTerm?.trim().toLowerCase() ?? '';
  core.teamDay(core.today()); // today's calls for everyone at once, kept for the next requests
  const rows: (ApiSpendRow & { joined: number })[] = [];
  for (const u of core.users) {
    if (isRemovedNow(core, u)) continue;
    if (term && !u.email.includes(term) && !u.name.toLowerCase().includes(term)) continue;
    const s = cycleSpend(core, u, cycleStart);
    const monthly = limits.has(u.idx) ? (limits.get(u.idx) ?? null) : u.monthlyLimitDollars;
    rows.push({
      userId: u.id,
      name: u.name,
      email: u.email,
      role: u.role,
      spendCents: roundTo(s.onDemandCents, 6),
      overallSpendCents: roundTo(s.overallCents, 6),
      fastPremiumRequests: s.premiumRequests,
      hardLimitOverrideDollars: u.hardLimitOverrideDollars,
      monthlyLimitDollars: monthly,
      effectivePerUserLimitDollars: u.hardLimitOverrideDollars > 0 ? u.hardLimitOverrideDollars : monthly,
      joined: u.joinedDay,
    });
  }
  const sortBy = query.sortBy ?? 'amount';
  const direction = (query.sortDirection ?? (sortBy === 'user' ? 'asc' : 'desc')) === 'asc' ? 1 : -1;
  const byEmail = (a: ApiSpendRow, b: ApiSpendRow) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0);
  rows.sort((a, b) => {
    let c = 0;
    if (sortBy === 'amount') c = a.spendCents - b.spendCents || (a.overallSpendCents ?? 0) - (b.overallSpendCents ?? 0);
    else if (sortBy === 'date') c = a.joined - b.joined;
    else c = (a.name ?? '').localeCompare(b.name ?? '');
    return c * direction || byEmail(a, b);
  });
  const pageSize = query.pageSize ?? Math.max(1, rows.length);
  const page = query.page ?? 1;
  const totalPages = Math.ceil(rows.length / pageSize);
  return {
    teamMemberSpend: rows.slice((page - 1) * pageSize, page * pageSize).map(({ joined: _joined, ...row }) => row),
    subscriptionCycleStart: dayStartMs(cycleStart),
    totalMembers: rows.length,
    totalPages,
  };
}
