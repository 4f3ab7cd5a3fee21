import type { ApiUsageEvent } from './wire';
import { toApiEvent } from './api-events';
import type { TeamCore } from './core';
import { dayEndMs, dayOfMs, dayStartMs } from './days';
import type { SimUser } from './roster';
import type { Draft } from './user-day';

interface Item {
  user: SimUser;
  draft: Draft;
}

/** A window's shape: its days newest first and how many of its events each holds. */
interface EventWindow {
  lo: number;
  hi: number;
  users: SimUser[] | null;
  days: number[];
  /** offsets[i] = events in days[0..i-1]. */
  offsets: number[];
  total: number;
  /** The one day currently being paged through, sorted newest first. */
  current: { day: number; items: Item[] } | null;
}

const WINDOW_CACHE_SIZE = 8;

/** Newest first; a user never has two events in one ms, so (timestamp, member) orders every event. */
const newestFirst = (a: Item, b: Item): number => b.draft.ts - a.draft.ts || a.user.idx - b.user.idx;

/**
 * Serves events of [startMs, endMs] ∩ (-∞, now] in pages. The first request of a window counts its events per
 * day; every page then sorts at most the day(s) it touches, so paging costs O(page) after the first.
 */
export class EventWindows {
  private readonly cache = new Map<string, EventWindow>();

  constructor(private readonly core: TeamCore) {}

  /** Drops every counted window (a spend limit changed what later calls exist). */
  forget(): void {
    this.cache.clear();
  }

  /** The members a filter selects: all (null), one, or none (an unknown member). */
  private selectUsers(filter: { email?: string; userId?: string | number }): SimUser[] | null {
    let users: SimUser[] | null = null;
    if (filter.email !== undefined) {
      const u = this.core.byEmail.get(filter.email.toLowerCase());
      users = u ? [u] : [];
    }
    if (filter.userId !== undefined) {
      const id = String(filter.userId);
      const match = (u: SimUser) => u.id === id || String(u.numericId) === id;
      users = (users ?? this.core.users).filter(match);
    }
    return users;
  }

  private dayItems(w: EventWindow, day: number): Item[] {
    const items: Item[] = [];
    const add = (user: SimUser, drafts: readonly Draft[] | undefined) => {
      if (!drafts) return;
      for (const draft of drafts) if (draft.ts >= w.lo && draft.ts <= w.hi) items.push({ user, draft });
    };
    if (w.users) for (const u of w.users) add(u, this.core.userDay(u, day)?.drafts);
    else {
      const team = this.core.teamDay(day);
      for (const u of this.core.users) add(u, team[u.idx]?.drafts);
    }
    return items.sort(newestFirst);
  }

  private countDay(w: EventWindow, day: number): number {
    const users = w.users ?? this.core.users;
    const whole = dayStartMs(day) >= w.lo && dayEndMs(day) <= w.hi;
    if (whole && this.core.totalsKnown(day, users)) {
      // Whole past days already generated once are counted from the compact totals, without holding their events.
      let n = 0;
      for (const u of users) n += this.core.dayTotals(u, day).count;
      return n;
    }
    const items = this.dayItems(w, day);
    w.current = { day, items };
    return items.length;
  }

  private window(startMs: number, endMs: number, filter: { email?: string; userId?: string | number }): EventWindow {
    const lo = Math.max(0, startMs);
    const hi = Math.min(endMs, this.core.now());
    const users = this.selectUsers(filter);
    const key = `${lo}|${hi}|${users ? users.map((u) => u.idx).join(',') : '*'}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const w: EventWindow = { lo, hi, users, days: [], offsets: [], total: 0, current: null };
    if (hi >= lo && (!users || users.length > 0)) {
      const first = Math.max(dayOfMs(lo), this.core.historyStartDay);
      for (let day = dayOfMs(hi); day >= first; day--) {
        const n = this.countDay(w, day);
        if (n === 0) continue;
        w.days.push(day);
        w.offsets.push(w.total);
        w.total += n;
      }
    }
    this.cache.set(key, w);
    if (this.cache.size > WINDOW_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return w;
  }

  /** Items [from, to) of the window in order. */
  private slice(w: EventWindow, from: number, to: number): Item[] {
    const out: Item[] = [];
    let i = Math.max(0, upperBound(w.offsets, from) - 1);
    for (; i < w.days.length && w.offsets[i] < to; i++) {
      const day = w.days[i];
      if (w.current?.day !== day) w.current = { day, items: this.dayItems(w, day) };
      const items = w.current.items;
      const start = Math.max(0, from - w.offsets[i]);
      const end = Math.min(items.length, to - w.offsets[i]);
      for (let k = start; k < end; k++) out.push(items[k]);
    }
    return out;
  }

  page(
    startMs: number,
    endMs: number,
    filter: { email?: string; userId?: string | number },
    page: number,
    pageSize: number,
  ) {
    const w = this.window(startMs, endMs, filter);
    const from = (page - 1) * pageSize;
    const items = from < w.total ? this.slice(w, from, Math.min(w.total, from + pageSize)) : [];
    return { total: w.total, events: items.map((it) => toApiEvent(this.core.seed, it.user, it.draft)) };
  }

  all(startMs: number, endMs: number, filter: { email?: string; userId?: string | number }): ApiUsageEvent[] {
    const w = this.window(startMs, endMs, filter);
    return this.slice(w, 0, w.total).map((it) => toApiEvent(this.core.seed, it.user, it.draft));
  }
}

/** First index whose value is > x (offsets ascending). */
function upperBound(values: number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
