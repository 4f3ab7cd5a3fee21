import { formatCents, isNoBaseline, NO_HISTORY_TEXT } from '@cursor-cost-watch/contract';
import type { Severity } from '../db/schema/detection';

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export const dollars = formatCents;

/** A detector value in its unit, as a person reads it. */
export function formatValue(value: number, unit: string): string {
  switch (unit) {
    case 'cents':
      return dollars(value);
    case 'requests':
      return `${count.format(value)} requests`;
    case 'tokens':
      return `${compact.format(value)} tokens`;
    case 'share':
      return `${Math.round(value * 100)}%`;
    default:
      return `${value} ${unit}`;
  }
}

export function formatExpected(expected: number, low: number | null, high: number | null, unit: string): string {
  const band = low !== null && high !== null ? ` (normal ${formatValue(low, unit)}–${formatValue(high, unit)})` : '';
  return `${formatValue(expected, unit)}${band}`;
}

const pct = (x: unknown) => `${Math.round(Number(x) * 100)}%`;
const times = (x: unknown) => `×${Number(x).toFixed(1)}`;
const paren = (...xs: (string | null)[]) => (xs.some(Boolean) ? ` (${xs.filter(Boolean).join(', ')})` : '');
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The "why" of an anomaly in one sentence: volume vs cost per request vs model mix, top model, max mode, headless. */
export function describeWhy(why: Record<string, unknown>, topModel: string | null, unit = 'cents'): string {
  const parts: string[] = [];
  // Threshold detectors report their limit in dollars, requests or tokens.
  if (num(why.limit))
    parts.push(`over the limit of ${formatValue(unit === 'cents' ? why.limit * 100 : why.limit, unit)}`);
  if (why.newUser === true) parts.push('new user, compared with the team');
  // A ratio against no history is not shown as a number ("×1000000.0"): say it is new instead, once.
  const noHistory = isNoBaseline(why.volumeFactor as number) || isNoBaseline(why.costPerRequestFactor as number);
  if (noHistory && why.newUser !== true) parts.push(NO_HISTORY_TEXT);
  const vol = num(why.volumeFactor) && !noHistory ? `volume ${times(why.volumeFactor)}` : null;
  const cpr =
    num(why.costPerRequestFactor) && !noHistory ? `cost per request ${times(why.costPerRequestFactor)}` : null;
  const mix =
    num(why.premiumShareBefore) && num(why.premiumShareAfter)
      ? `expensive models ${pct(why.premiumShareBefore)} → ${pct(why.premiumShareAfter)} of spend`
      : null;
  switch (why.driver) {
    case 'volume':
      parts.push(`more requests than usual${paren(vol, cpr)}`);
      break;
    case 'cost_per_request':
      parts.push(`costlier requests${paren(cpr, vol)}`);
      break;
    case 'model_mix':
      parts.push(`a shift to expensive models${mix ? ` (${mix})` : ''}`);
      break;
    case 'mixed':
      parts.push(`more and costlier requests${paren(vol, cpr)}`);
      break;
    default:
      if (vol || cpr) parts.push([vol, cpr].filter(Boolean).join(', '));
  }
  const model = topModel ?? (typeof why.topModel === 'string' ? why.topModel : null);
  if (model) parts.push(`top model ${model}${num(why.topModelShare) ? ` (${pct(why.topModelShare)} of spend)` : ''}`);
  if (num(why.maxModeShare) && why.maxModeShare > 0) parts.push(`max mode ${pct(why.maxModeShare)}`);
  if (num(why.headlessShare) && why.headlessShare > 0) parts.push(`headless/agents ${pct(why.headlessShare)}`);
  if (parts.length === 0) return 'No breakdown available.';
  const text = parts.join('; ');
  return `${text[0].toUpperCase()}${text.slice(1)}.`;
}

export const detectorLabel = (d: string): string => d.replace(/_/g, ' ');

export const SEVERITY_ICON: Record<Severity, string> = {
  info: ':large_blue_circle:',
  warning: ':large_orange_circle:',
  critical: ':red_circle:',
};
