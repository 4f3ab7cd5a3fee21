import { effectsOn, planAnomalies, type PlannedAnomaly } from './anomalies';
import { cycleStartDay, dayEndMs, dayOfMs } from './days';
import { capToLimits, type LimitChange } from './spend-cap';
import { MODELS } from './models';
import { mix } from './random';
import { buildRoster, isMemberOn, type SimUser } from './roster';
import { generateUserDay, KIND, type GeneratedDay } from './user-day';

/** The first ~$20 of a member's billing cycle is included in the plan; the rest is on-demand ("Usage-based"). */
export const INCLUDED_CENTS_PER_CYCLE = 2000;

/** Full-day totals per user, kept compactly for every generated day (cumulative cycle spend needs them). */
interface DaySummary {
  total: Float64Array;
  count: Int32Array;
  premium: Int32Array;
  done: Uint8Array;
}

export interface TeamCoreOptions {
  seed: number;
  teamSize: number;
  historyDays: number;
  now: () => number;
  anomalies: boolean;
  cycleDayOfMonth?: number;
}

/** Days of generated drafts kept whole (bounded by call count, so 10,000-member teams keep at least one day). */
const DAY_CACHE_MAX_DRAFTS = 600_000;

/**
 * The generator's state: roster, anomaly plan, compact per-day totals and a small cache of whole generated days.
 * Everything is derived lazily from (seed, user, day); nothing is materialised up front.
 */
export class TeamCore {
  readonly seed: number;
  readonly historyDays: number;
  readonly now: () => number;
  readonly anchorDay: number;
  readonly historyStartDay: number;
  readonly cycleDayOfMonth: number;
  readonly users: SimUser[];
  readonly anomalies: PlannedAnomaly[];
  readonly byEmail = new Map<string, SimUser>();
  private readonly anomaliesByUser = new Map<number, PlannedAnomaly[]>();
  private readonly summaries = new Map<number, DaySummary>();
  private readonly dayCache = new Map<number, { users: (GeneratedDay | null)[]; drafts: number }>();
  private dayCacheDrafts = 0;
  /** Spend limits set through POST /teams/user-spend-limit, per user, in time order (./spend-cap.ts). */
  private readonly limitChanges = new Map<number, LimitChange[]>();

  constructor(o: TeamCoreOptions) {
    this.seed = o.seed;
    this.historyDays = o.historyDays;
    this.now = o.now;
    this.anchorDay = dayOfMs(o.now());
    this.historyStartDay = this.anchorDay - o.historyDays;
    this.cycleDayOfMonth = o.cycleDayOfMonth ?? 1 + (mix(o.seed, 3) % 28);
    this.users = buildRoster(o.seed, o.teamSize, this.historyStartDay, this.anchorDay);
    for (const u of this.users) this.byEmail.set(u.email, u);
    this.anomalies = o.anomalies ? planAnomalies(o.seed, this.users, this.historyStartDay, o.historyDays) : [];
    for (const a of this.anomalies) {
      for (const u of a.users) {
        const list = this.anomaliesByUser.get(u) ?? [];
        list.push(a);
        this.anomaliesByUser.set(u, list);
      }
    }
  }

  today(): number {
    return dayOfMs(this.now());
  }

  /** Days with data: from the history start to today (today only up to now). */
  hasData(user: SimUser, day: number): boolean {
    return day >= this.historyStartDay && day <= this.today() && isMemberOn(user, day);
  }

  anomaliesOf(userIdx: number): readonly PlannedAnomaly[] {
    return this.anomaliesByUser.get(userIdx) ?? [];
  }

  /** The whole day, generated with only the given anomalies (for the ground truth's counterfactuals). */
  generateWith(user: SimUser, day: number, anomalies: readonly PlannedAnomaly[]): GeneratedDay {
    return generateUserDay(this.seed, user, day, effectsOn(anomalies, day));
  }

  /**
   * A limit set now governs the user's calls from now on: every generated day from today is forgotten, so it is
   * generated again with the cap. Days before today are untouched (their calls happened before the limit).
   */
  setSpendLimit(user: SimUser, dollars: number | null, at: number): void {
    const list = this.limitChanges.get(user.idx) ?? [];
    list.push({ at, cents: dollars === null ? null : dollars * 100 });
    this.limitChanges.set(user.idx, list);
    const fromDay = dayOfMs(at);
    for (const [day, s] of this.summaries) if (day >= fromDay) s.done[user.idx] = 0;
    for (const [day, entry] of this.dayCache) {
      if (day < fromDay) continue;
      this.dayCache.delete(day);
      this.dayCacheDrafts -= entry.drafts;
    }
  }

  /** The user's day as generated, then capped by the spend limits in force at each call (when any was set). */
  private generate(user: SimUser, day: number): GeneratedDay {
    const g = generateUserDay(this.seed, user, day, effectsOn(this.anomaliesOf(user.idx), day));
    const changes = this.limitChanges.get(user.idx);
    if (!changes || changes[0].at > dayEndMs(day)) return g;
    return capToLimits(g, changes, this.priorCycleCents(user, day), INCLUDED_CENTS_PER_CYCLE);
  }

  /** Timestamps of the calls the spend limits let through that day, or null when no limit touched the day. */
  keptCalls(user: SimUser, day: number): Set<number> | null {
    const changes = this.limitChanges.get(user.idx);
    if (!changes || changes[0].at > dayEndMs(day)) return null;
    return new Set(this.generate(user, day).drafts.map((d) => d.ts));
  }

  private summary(day: number): DaySummary {
    let s = this.summaries.get(day);
    if (!s) {
      const n = this.users.length;
      s = { total: new Float64Array(n), count: new Int32Array(n), premium: new Int32Array(n), done: new Uint8Array(n) };
      this.summaries.set(day, s);
    }
    return s;
  }

  private record(user: SimUser, day: number, g: GeneratedDay | null): void {
    const s = this.summary(day);
    if (s.done[user.idx]) return;
    s.done[user.idx] = 1;
    if (!g) return;
    let premium = 0;
    for (const d of g.drafts) if (!d.errored && MODELS[d.model].tier !== 'cheap') premium++;
    s.total[user.idx] = g.total;
    s.count[user.idx] = g.drafts.length;
    s.premium[user.idx] = premium;
  }

  /** Full-day totals (cents, calls, non-cheap calls) of one user-day, generating it once if needed. */
  dayTotals(user: SimUser, day: number): { total: number; count: number; premium: number } {
    if (day > this.today()) return { total: 0, count: 0, premium: 0 }; // the future: not recorded, it will come
    const s = this.summary(day);
    if (!s.done[user.idx]) {
      const g = this.hasData(user, day) ? this.generate(user, day) : null;
      this.record(user, day, g);
    }
    return { total: s.total[user.idx], count: s.count[user.idx], premium: s.premium[user.idx] };
  }

  /** Whether every given member's totals for the day are already known (counting them costs nothing). */
  totalsKnown(day: number, users: readonly SimUser[]): boolean {
    const s = this.summaries.get(day);
    if (!s) return false;
    for (const u of users) if (!s.done[u.idx]) return false;
    return true;
  }

  /** What the user spent earlier in the billing cycle holding `day` (whole days before it). */
  priorCycleCents(user: SimUser, day: number): number {
    let cents = 0;
    for (let d = Math.max(cycleStartDay(day, this.cycleDayOfMonth), this.historyStartDay); d < day; d++)
      cents += this.dayTotals(user, d).total;
    return cents;
  }

  /** One user's whole day with kinds assigned, or null when there is no data that day. */
  userDay(user: SimUser, day: number): GeneratedDay | null {
    const cached = this.dayCache.get(day);
    if (cached) return cached.users[user.idx];
    if (day > this.today()) return null;
    if (!this.hasData(user, day)) {
      this.record(user, day, null);
      return null;
    }
    const g = this.generate(user, day);
    this.record(user, day, g);
    let cumulative = this.priorCycleCents(user, day);
    for (const d of g.drafts) {
      if (d.errored) continue;
      d.kind = cumulative < INCLUDED_CENTS_PER_CYCLE ? KIND.included : KIND.usageBased;
      cumulative += d.cents;
    }
    return g;
  }

  /** Every member's whole day, cached for the few most recent days asked for (paging a window reuses it). */
  teamDay(day: number): (GeneratedDay | null)[] {
    const cached = this.dayCache.get(day);
    if (cached) {
      this.dayCache.delete(day);
      this.dayCache.set(day, cached);
      return cached.users;
    }
    const users = this.users.map((u) => this.userDay(u, day));
    if (day > this.today()) return users;
    let drafts = 0;
    for (const g of users) drafts += g?.drafts.length ?? 0;
    this.dayCache.set(day, { users, drafts });
    this.dayCacheDrafts += drafts;
    for (const [key, entry] of this.dayCache) {
      if (this.dayCacheDrafts <= DAY_CACHE_MAX_DRAFTS || key === day) break;
      this.dayCache.delete(key);
      this.dayCacheDrafts -= entry.drafts;
    }
    return users;
  }
}
