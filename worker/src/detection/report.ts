import { formatCents, isNoBaseline, NO_HISTORY_TEXT } from '@cursor-cost-watch/contract';
import type { Settings } from '../settings/schema';
import type { Severity } from '@cursor-cost-watch/contract';
import type { Anomaly, DetectorName, Why } from './types';

export function severityFor(impactCents: number, settings: Settings): Severity {
  if (impactCents >= settings.severityCriticalDollars * 100) return 'critical';
  if (impactCents >= settings.severityWarningDollars * 100) return 'warning';
  return 'info';
}

const dollars = formatCents;
const pct = (share: number | undefined) => `${Math.round((share ?? 0) * 100)}%`;

const WHAT: Record<DetectorName, string> = {
  cycle_spend: 'billing-cycle spend over the limit',
  daily_requests: 'requests over the daily limit',
  daily_tokens: 'tokens over the daily limit',
  team_zscore: 'far above the team (little history of their own)',
  personal_spike: 'spend spike',
  sustained_drift: 'sustained rise in spend',
  model_shift: 'shift to expensive models',
  runaway_agent: 'runaway agent (headless volume)',
  team_shift: 'team-wide jump in spend',
};

/** How a detector's finding reads in a sentence ("shift to expensive models"); an unknown one as its words. */
export const detectorPhrase = (d: string): string => WHAT[d as DetectorName] ?? d.replace(/_/g, ' ');

const LIMIT_NAMES: Record<string, string> = {
  cycle_spend: 'cycle spend',
  daily_requests: 'daily requests',
  daily_tokens: 'daily tokens',
};

function because(why: Why): string {
  const parts: string[] = [];
  if (why.driver === 'model_mix' || (why.premiumShareAfter ?? 0) - (why.premiumShareBefore ?? 0) >= 0.2) {
    parts.push(`expensive models ${pct(why.premiumShareBefore)} → ${pct(why.premiumShareAfter)} of spend`);
  }
  // A ratio against no history is not a number worth printing (it would read "1000000.0× the usual").
  if (isNoBaseline(why.volumeFactor) || isNoBaseline(why.costPerRequestFactor)) parts.push(NO_HISTORY_TEXT);
  else {
    if (why.volumeFactor >= 1.5) parts.push(`${why.volumeFactor.toFixed(1)}× the usual requests`);
    if (why.costPerRequestFactor >= 1.5)
      parts.push(`${why.costPerRequestFactor.toFixed(1)}× the usual cost per request`);
  }
  if (why.headlessShare >= 0.3) parts.push(`${pct(why.headlessShare)} headless`);
  if (why.maxModeShare >= 0.3) parts.push(`${pct(why.maxModeShare)} max mode`);
  if (why.topModel) parts.push(`top model ${why.topModel} (${pct(why.topModelShare)})`);
  if (why.limitsCrossed?.length)
    parts.push(`over the ${why.limitsCrossed.map((l) => LIMIT_NAMES[l] ?? l).join(', ')} limit`);
  return parts.join(', ');
}

/** One line for Slack: who, what, observed vs expected, dollars since onset, and why. */
export function summarize(a: Omit<Anomaly, 'summary'>): string {
  const who = a.scope === 'team' ? 'Team' : a.subject;
  const count = (v: number) => Math.round(v).toLocaleString('en-US');
  let value: string;
  if (a.detector === 'cycle_spend')
    value = `${dollars(a.observed)} this cycle by ${a.asOf} (limit $${a.why.limit ?? '?'}, ~${dollars(a.expected)} expected)`;
  else if (a.unit === 'cents' && a.why.peakDay !== undefined && a.why.peakDay !== a.asOf)
    // The headline is the episode's worst day, not whatever the last evaluated day happened to be.
    value = `peak ${dollars(a.why.peakCents ?? 0)} on ${a.why.peakDay} vs ~${dollars(a.why.peakExpectedCents ?? 0)} expected`;
  else if (a.unit === 'cents') value = `${dollars(a.observed)} on ${a.asOf} vs ~${dollars(a.expected)} expected`;
  else
    value = `${count(a.observed)} ${a.unit} on ${a.asOf} (limit ${count(a.why.limit ?? 0)}, usually ~${count(a.expected)})`;
  const reason = because(a.why);
  return `${who}: ${WHAT[a.detector]} — ${value}; ${dollars(a.impactCents)} above expected in total since ${a.onsetAt.slice(0, 10)}${reason ? `; ${reason}` : ''}`;
}
