/**
 * The figures a nudge shows, computed from plain rows (no database): the developer's spend per working day against
 * their usual and the team's median, the model mix before and since the onset, the cost per request of the models
 * they moved to against the team's usual for those models, and what max mode cost them. "Working day": a day with
 * at least one request, so days off do not dilute either side.
 */

export interface DevDay {
  day: string;
  cents: number;
  requests: number;
  maxModeCents: number;
  maxModeRequests: number;
}
export interface ModelTotals {
  model: string;
  cents: number;
  requests: number;
}
export interface ModelMixRow extends ModelTotals {
  share: number;
}
export interface MovedToModel {
  model: string;
  shareBefore: number;
  shareAfter: number;
  /** The developer's cost per request on it since the onset, in cents. */
  centsPerRequest: number;
  /** The rest of the team's cost per request on it before the onset; null when nobody else used it. */
  teamCentsPerRequest: number | null;
}

export interface NudgeEvidence {
  email: string;
  onsetDay: string;
  lastDay: string;
  /** Working days since the onset, and the developer's spend per such day. */
  workingDays: number;
  spendPerDayCents: number;
  spendSinceOnsetCents: number;
  /** Median of their working days in the baseline window; null without history. */
  usualPerDayCents: number | null;
  baselineWorkingDays: number;
  /** Median over the other active members of their spend per working day over the same days; null when alone. */
  teamMedianPerDayCents: number | null;
  teamMembers: number;
  modelsBefore: ModelMixRow[];
  modelsAfter: ModelMixRow[];
  movedTo: MovedToModel[];
  maxMode: { cents: number; requests: number; share: number };
}

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Share of spend per model, largest first; models with no spend are left out. */
export function mixOf(models: ModelTotals[]): ModelMixRow[] {
  const total = models.reduce((s, m) => s + m.cents, 0);
  return models
    .filter((m) => m.cents > 0)
    .map((m) => ({ ...m, share: total > 0 ? m.cents / total : 0 }))
    .sort((a, b) => b.cents - a.cents || a.model.localeCompare(b.model));
}

/** A model counts as "moved to" when its share of the developer's spend rose by at least this since the onset. */
export const MOVED_TO_MIN_SHARE_RISE = 0.05;
const MAX_MOVED_TO = 3;

/** The models whose share of the developer's spend rose since the onset (at most three, largest spend first). */
export function movedTo(
  before: ModelMixRow[],
  after: ModelMixRow[],
  teamUsual: Map<string, { cents: number; requests: number }>,
): MovedToModel[] {
  const shareBefore = new Map(before.map((m) => [m.model, m.share]));
  return after
    .filter((m) => m.requests > 0 && m.share - (shareBefore.get(m.model) ?? 0) >= MOVED_TO_MIN_SHARE_RISE)
    .slice(0, MAX_MOVED_TO)
    .map((m) => {
      const team = teamUsual.get(m.model);
      return {
        model: m.model,
        shareBefore: shareBefore.get(m.model) ?? 0,
        shareAfter: m.share,
        centsPerRequest: m.cents / m.requests,
        teamCentsPerRequest: team && team.requests > 0 ? team.cents / team.requests : null,
      };
    });
}

export interface EvidenceRows {
  email: string;
  onsetDay: string;
  lastDay: string;
  /** The developer's days from the start of the baseline window to lastDay. */
  devDays: DevDay[];
  /** Every other member's spend per working day over onsetDay..lastDay. */
  teamPerDay: number[];
  modelsBefore: ModelTotals[];
  modelsAfter: ModelTotals[];
  teamModelUsual: Map<string, { cents: number; requests: number }>;
}

export function computeEvidence(r: EvidenceRows): NudgeEvidence {
  const worked = (d: DevDay) => d.requests > 0;
  const before = r.devDays.filter((d) => d.day < r.onsetDay && worked(d));
  const since = r.devDays.filter((d) => d.day >= r.onsetDay && d.day <= r.lastDay && worked(d));
  const spend = since.reduce((s, d) => s + d.cents, 0);
  const maxCents = since.reduce((s, d) => s + d.maxModeCents, 0);
  const modelsBefore = mixOf(r.modelsBefore);
  const modelsAfter = mixOf(r.modelsAfter);
  return {
    email: r.email,
    onsetDay: r.onsetDay,
    lastDay: r.lastDay,
    workingDays: since.length,
    spendPerDayCents: since.length > 0 ? spend / since.length : 0,
    spendSinceOnsetCents: spend,
    usualPerDayCents: median(before.map((d) => d.cents)),
    baselineWorkingDays: before.length,
    teamMedianPerDayCents: median(r.teamPerDay),
    teamMembers: r.teamPerDay.length,
    modelsBefore,
    modelsAfter,
    movedTo: movedTo(modelsBefore, modelsAfter, r.teamModelUsual),
    maxMode: {
      cents: maxCents,
      requests: since.reduce((s, d) => s + d.maxModeRequests, 0),
      share: spend > 0 ? maxCents / spend : 0,
    },
  };
}
