import type { ApiUsageEvent } from '../../src/cursor/schemas';
import type { UserDay, UserModelDay } from '../../src/detection/types';

/**
 * Rolls API usage events up into the rows detection reads, with the collector's semantics (user_daily_rollup /
 * user_model_daily_rollup: events counted, cents and the four token kinds summed per UTC day). Used by the benchmark
 * to replay the simulator without a database.
 */
export class EventRollup {
  private readonly days = new Map<string, UserDay>();
  private readonly modelDays = new Map<string, UserModelDay>();

  add(events: Iterable<ApiUsageEvent>): void {
    for (const e of events) {
      const day = new Date(Number(e.timestamp)).toISOString().slice(0, 10);
      const cents = e.chargedCents ?? 0;
      const t = e.tokenUsage;
      const tokens = t ? t.inputTokens + t.outputTokens + t.cacheWriteTokens + t.cacheReadTokens : 0;
      const key = `${e.userEmail}|${day}`;
      let d = this.days.get(key);
      if (!d) {
        d = {
          email: e.userEmail,
          day,
          events: 0,
          requestsCosts: 0,
          chargedCents: 0,
          totalTokens: 0,
          maxModeEvents: 0,
          headlessEvents: 0,
          maxModeCents: 0,
          headlessCents: 0,
        };
        this.days.set(key, d);
      }
      d.events++;
      d.requestsCosts += e.requestsCosts ?? 0;
      d.chargedCents += cents;
      d.totalTokens += tokens;
      if (e.maxMode) {
        d.maxModeEvents++;
        d.maxModeCents += cents;
      }
      if (e.isHeadless) {
        d.headlessEvents++;
        d.headlessCents += cents;
      }
      const mKey = `${key}|${e.model}`;
      let m = this.modelDays.get(mKey);
      if (!m) {
        m = { email: e.userEmail, day, model: e.model, events: 0, chargedCents: 0, totalTokens: 0 };
        this.modelDays.set(mKey, m);
      }
      m.events++;
      m.chargedCents += cents;
      m.totalTokens += tokens;
    }
  }

  /** Rows sorted by day (then email), ready to be cut at any asOf. */
  rows(): { userDays: UserDay[]; userModelDays: UserModelDay[] } {
    const byDay = <T extends { day: string; email: string }>(a: T, b: T) =>
      a.day < b.day ? -1 : a.day > b.day ? 1 : a.email < b.email ? -1 : 1;
    return { userDays: [...this.days.values()].sort(byDay), userModelDays: [...this.modelDays.values()].sort(byDay) };
  }
}
