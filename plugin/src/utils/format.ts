import { formatCents } from '@cursor-cost-watch/contract';

/** Cents for people, the same way Slack, email and the CLI print them (contract/src/format.ts). */
export const dollars = formatCents;

/** 95 → "1m 35s", 90000 → "1d 1h": the two largest units. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) {
    return '—';
  }
  const s = Math.max(0, Math.round(seconds));
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [name, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && size === 1)) {
      parts.push(`${n}${name}`);
    }
    rest -= n * size;
    if (parts.length === 2) {
      break;
    }
  }
  return parts.join(' ');
}

export const age = (iso: string, now = Date.now()) => duration((now - Date.parse(iso)) / 1000);

export function measure(value: number, unit: string): string {
  if (unit === 'cents') {
    return dollars(value);
  }
  if (unit === 'share') {
    return percent(value);
  }
  return `${Math.round(value).toLocaleString('en-US')} ${unit}`;
}

/** A 0–1 share as a percentage: whole percents, one decimal below 1% so a small share does not read "0%". */
export function percent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) {
    return '—';
  }
  const p = x * 100;
  return p > 0 && p < 1 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

export const DETECTOR_LABELS: Record<string, string> = {
  cycle_spend: 'Cycle spend threshold',
  daily_requests: 'Daily requests threshold',
  daily_tokens: 'Daily tokens threshold',
  team_zscore: 'Far above the team',
  personal_spike: 'Personal spike',
  sustained_drift: 'Sustained drift',
  model_shift: 'Model shift',
  runaway_agent: 'Runaway agent',
  team_shift: 'Team-wide shift',
};
export const detectorLabel = (d: string) => DETECTOR_LABELS[d] ?? d;
