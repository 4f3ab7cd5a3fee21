import type { PlannedAnomaly } from './anomalies';
import type { TeamCore } from './core';
import { dayNumberIso } from './days';
import { roundTo } from './models';
import { isMemberOn } from './roster';
import type { GroundTruthAnomaly } from './types';

/**
 * Extra cost of one anomaly, honestly: each affected user-day generated with only this anomaly, minus the same
 * calls priced without it (calls it added cost nothing in the counterfactual), calls up to now and let through by
 * any spend limit (matched by timestamp).
 */
function extraCents(core: TeamCore, a: PlannedAnomaly, lastDay: number): number {
  const cutoff = core.now();
  let extra = 0;
  for (const idx of a.users) {
    const user = core.users[idx];
    for (let day = a.startDay; day <= lastDay; day++) {
      if (day < core.historyStartDay || !isMemberOn(user, day)) continue;
      // Calls a spend limit refused never happened, so they cost nothing extra.
      const kept = core.keptCalls(user, day);
      for (const d of core.generateWith(user, day, [a]).drafts) {
        if (d.ts > cutoff) break;
        if (kept && !kept.has(d.ts)) continue;
        extra += d.cents - d.baseCents;
      }
    }
  }
  return roundTo(extra, 5);
}

/** Anomalies that have started by now, with their effect so far. */
export function groundTruth(core: TeamCore): GroundTruthAnomaly[] {
  const today = core.today();
  const out: GroundTruthAnomaly[] = [];
  for (const a of core.anomalies) {
    if (a.startDay > today) continue;
    const lastDay = Math.min(a.endDay ?? today, today);
    const emails = a.users.map((i) => core.users[i].email);
    out.push({
      id: a.id,
      scope: a.scope,
      email: a.scope === 'user' ? emails[0] : null,
      kind: a.kind,
      startDay: dayNumberIso(a.startDay),
      endDay: dayNumberIso(lastDay),
      extraCents: extraCents(core, a, lastDay),
      description: a.description,
      emails,
    });
  }
  return out;
}
