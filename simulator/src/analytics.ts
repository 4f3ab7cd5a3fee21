import type { ApiAnalyticsDauRow, ApiAnalyticsModelRow } from './wire';
import type { TeamCore } from './core';
import { dayNumberIso } from './days';
import { MODELS } from './models';

type DauRow = ApiAnalyticsDauRow;
type ModelRow = ApiAnalyticsModelRow;

/** Analytics API figures, derived from the same calls: daily active users and messages/users per model. */
export class TeamAnalytics {
  /** Whole past days never change: their figures are kept. */
  private readonly modelDays = new Map<number, ModelRow[]>();

  constructor(private readonly core: TeamCore) {}

  private days(first: number, last: number): number[] {
    const days: number[] = [];
    for (let d = Math.max(first, this.core.historyStartDay); d <= Math.min(last, this.core.today()); d++) days.push(d);
    return days;
  }

  private visibleDrafts(day: number) {
    const cutoff = this.core.now();
    return this.core.teamDay(day).map((g) => (g ? g.drafts.filter((d) => d.ts <= cutoff) : []));
  }

  dau(first: number, last: number): DauRow[] {
    return this.days(first, last).map((day) => {
      let dau = 0;
      if (day < this.core.today())
        for (const u of this.core.users) dau += this.core.dayTotals(u, day).count > 0 ? 1 : 0;
      else for (const drafts of this.visibleDrafts(day)) dau += drafts.length > 0 ? 1 : 0;
      return { date: dayNumberIso(day), dau };
    });
  }

  models(first: number, last: number): ModelRow[] {
    return this.days(first, last).flatMap((day) => {
      const kept = this.modelDays.get(day);
      if (kept) return kept;
      const messages = new Array<number>(MODELS.length).fill(0);
      const users = new Array<number>(MODELS.length).fill(0);
      for (const drafts of this.visibleDrafts(day)) {
        const seen = new Set<number>();
        for (const d of drafts) {
          messages[d.model]++;
          seen.add(d.model);
        }
        for (const m of seen) users[m]++;
      }
      const rows = MODELS.flatMap((m, i) =>
        messages[i] > 0 ? [{ date: dayNumberIso(day), model: m.name, messages: messages[i], users: users[i] }] : [],
      );
      if (day < this.core.today()) this.modelDays.set(day, rows);
      return rows;
    });
  }
}
