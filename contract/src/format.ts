/**
 * The one money format used by Slack, email, the CLI, the incident summary and the plugin: US dollars with cents
 * below $1,000 ("$12.50") and whole dollars from there ("$1,250"), so a column of amounts reads the same everywhere.
 */
const wholeDollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const withCents = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** An amount in cents (as the database holds it) for people. */
export function formatCents(cents: number): string {
  return formatDollars(cents / 100);
}

/** An amount in dollars (as settings hold it) for people. */
export function formatDollars(dollars: number): string {
  return Math.abs(dollars) >= 1000 ? wholeDollars.format(dollars) : withCents.format(dollars);
}

/**
 * The detectors cap a ratio against an empty baseline at this (worker/src/detection/why.ts, explain(): an infinite
 * ratio becomes 1e6); anything this large means there was nothing before to compare with.
 */
export const NO_BASELINE_FACTOR = 1e6;
export const NO_HISTORY_TEXT = 'new — no history to compare';

/** True when a "× the usual" ratio was taken against nothing (no history), so it must not be shown as a number. */
export function isNoBaseline(factor: number | null | undefined): boolean {
  return typeof factor === 'number' && (!Number.isFinite(factor) || factor >= NO_BASELINE_FACTOR);
}

/** "2.5× the usual requests", or "new — no history to compare" when there was no usual. */
export function formatFactor(factor: number, what: string): string {
  return isNoBaseline(factor) ? NO_HISTORY_TEXT : `${factor.toFixed(1)}× ${what}`;
}
