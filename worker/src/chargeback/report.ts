import type {
  ChargebackDeveloper,
  ChargebackGroup,
  ChargebackReport,
  ChargebackModel,
} from '@cursor-cost-watch/contract';
import type { CursorCycleTotals, DeveloperGroupRow, ModelRow } from './load';

/** Models listed per group and developer. */
export const TOP_MODELS = 3;

export interface ReportInput {
  cycle: string;
  cycleEnd: string;
  closed: boolean;
  cycles: string[];
  rows: DeveloperGroupRow[];
  models: ModelRow[];
  cursor: CursorCycleTotals | null;
}

/** A percentage with two decimals; 0 of nothing is 0. */
export const pct = (part: number, whole: number): number => (whole > 0 ? Math.round((part / whole) * 10_000) / 100 : 0);

const groupKey = (id: string | null) => id ?? '';

function topModels(cents: Map<string, number>, total: number): ChargebackModel[] {
  return [...cents]
    .filter(([, c]) => c > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, TOP_MODELS)
    .map(([model, c]) => ({ model, cents: c, sharePct: pct(c, total) }));
}

function addTo(map: Map<string, number>, key: string, cents: number) {
  map.set(key, (map.get(key) ?? 0) + cents);
}

/**
 * The chargeback of one cycle from per-developer-per-group rows: groups (Unassigned included) with their developers,
 * each with totals, included vs usage-based, requests, top models and shares. Groups and developers by spend, most
 * first; a developer who moved groups mid-cycle is listed under each group with the days spent in it.
 */
export function buildReport(input: ReportInput): ChargebackReport {
  const modelsByDev = new Map<string, Map<string, number>>();
  const modelsByGroup = new Map<string, Map<string, number>>();
  const teamModels = new Map<string, number>();
  for (const m of input.models) {
    const g = groupKey(m.groupId);
    const devKey = `${g}\u0000${m.email}`;
    if (!modelsByDev.has(devKey)) modelsByDev.set(devKey, new Map());
    if (!modelsByGroup.has(g)) modelsByGroup.set(g, new Map());
    addTo(modelsByDev.get(devKey)!, m.model, m.cents);
    addTo(modelsByGroup.get(g)!, m.model, m.cents);
    addTo(teamModels, m.model, m.cents);
  }

  const teamTotal = input.rows.reduce((s, r) => s + r.totalCents, 0);
  const groups = new Map<string, ChargebackGroup>();
  for (const r of input.rows) {
    const g = groupKey(r.groupId);
    let group = groups.get(g);
    if (!group) {
      group = {
        groupId: r.groupId,
        name: r.groupName,
        totalCents: 0,
        includedCents: 0,
        usageBasedCents: 0,
        requests: 0,
        topModels: [],
        shareOfTeamPct: 0,
        developers: [],
      };
      groups.set(g, group);
    }
    group.totalCents += r.totalCents;
    group.includedCents += r.includedCents;
    group.usageBasedCents += r.usageBasedCents;
    group.requests += r.requests;
    const dev: ChargebackDeveloper = {
      email: r.email,
      name: r.name,
      totalCents: r.totalCents,
      includedCents: r.includedCents,
      usageBasedCents: r.usageBasedCents,
      requests: r.requests,
      topModels: topModels(modelsByDev.get(`${g}\u0000${r.email}`) ?? new Map(), r.totalCents),
      shareOfTeamPct: pct(r.totalCents, teamTotal),
      shareOfGroupPct: 0,
      days: r.days,
    };
    group.developers.push(dev);
  }
  const byTotal =
    <T extends { totalCents: number }>(key: (x: T) => string) =>
    (a: T, b: T) =>
      b.totalCents - a.totalCents || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  for (const group of groups.values()) {
    group.shareOfTeamPct = pct(group.totalCents, teamTotal);
    group.topModels = topModels(modelsByGroup.get(groupKey(group.groupId)) ?? new Map(), group.totalCents);
    for (const d of group.developers) d.shareOfGroupPct = pct(d.totalCents, group.totalCents);
    group.developers.sort(byTotal((d) => d.email));
  }

  return {
    cycle: input.cycle,
    cycleEnd: input.cycleEnd,
    closed: input.closed,
    cycles: input.cycles,
    team: {
      totalCents: teamTotal,
      includedCents: input.rows.reduce((s, r) => s + r.includedCents, 0),
      usageBasedCents: input.rows.reduce((s, r) => s + r.usageBasedCents, 0),
      requests: input.rows.reduce((s, r) => s + r.requests, 0),
      topModels: topModels(teamModels, teamTotal),
      developers: new Set(input.rows.map((r) => r.email)).size,
    },
    cursor: input.cursor
      ? {
          overallCents: input.cursor.overallCents,
          onDemandCents: input.cursor.onDemandCents,
          collectedAt: input.cursor.collectedAt.toISOString(),
        }
      : null,
    groups: [...groups.values()].sort(byTotal((g) => g.name)),
  };
}
