import type { IncidentRow } from './types';

export interface DurationStat {
  /** Incidents that have both ends of this interval. */
  count: number;
  meanSeconds: number | null;
  medianSeconds: number | null;
}

export interface DetectorMetrics {
  count: number;
  unresolved: number;
  fixed: number;
  expected: number;
  falsePositive: number;
  auto: number;
  /**
   * (fixed + expected) / (fixed + expected + false_positive): a real cost change is a true positive even when it
   * was planned ("expected"); auto-resolved incidents carry no human verdict and are left out. Null without verdicts.
   */
  precision: number | null;
  impactDollars: number;
}

/** The figures computed from incident rows (durations in ms); the API serialises them as the contract's IncidentMetrics. */
export interface MeasuredIncidentMetrics {
  from: string;
  to: string;
  incidents: number;
  unresolved: number;
  /** first detection − onset: how fast the system catches it (always there, with or without channels) */
  mttd: DurationStat;
  /** first delivered message − first detection (only incidents a channel announced) */
  timeToAlert: DurationStat;
  /** acknowledged − first alert, or − first detection when no channel announced it (Grafana alerting, demo) */
  mtti: DurationStat;
  /** resolved − onset */
  mttr: DurationStat;
  /** Dollars above the expected spend between onset and resolution (so far, for unresolved incidents). */
  impactDollars: number;
  perDetector: Record<string, DetectorMetrics>;
}

type Timed = Pick<
  IncidentRow,
  'onset_at' | 'detected_at' | 'alerted_at' | 'acknowledged_at' | 'resolved_at' | 'impact_cents'
>;

const seconds = (from: Date | null, to: Date | null): number | null =>
  from && to ? (to.getTime() - from.getTime()) / 1000 : null;

/** One incident's own figures, as the incident page shows them. */
export function incidentTimings(r: Timed) {
  // People can only react once told: from the first message, or from detection when nothing was sent
  // (ALERTS_VIA=grafana or no channel configured: the incident shows up in Grafana at detection).
  const toldAt = r.alerted_at ?? r.detected_at;
  return {
    mttdSeconds: seconds(r.onset_at, r.detected_at),
    timeToAlertSeconds: seconds(r.detected_at, r.alerted_at),
    mttiSeconds: r.acknowledged_at && r.acknowledged_at >= toldAt ? seconds(toldAt, r.acknowledged_at) : null,
    mttrSeconds: seconds(r.onset_at, r.resolved_at),
    impactDollars: r.impact_cents / 100,
  };
}

export function durationStat(values: (number | null)[]): DurationStat {
  const xs = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (xs.length === 0) return { count: 0, meanSeconds: null, medianSeconds: null };
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { count: xs.length, meanSeconds: xs.reduce((s, x) => s + x, 0) / xs.length, medianSeconds: median };
}

type MetricRow = Timed & Pick<IncidentRow, 'detector' | 'status' | 'resolution_reason'>;

export function computeMetrics(rows: MetricRow[], from: Date, to: Date): MeasuredIncidentMetrics {
  const timings = rows.map(incidentTimings);
  const perDetector: Record<string, DetectorMetrics> = {};
  for (const r of rows) {
    const d = (perDetector[r.detector] ??= {
      count: 0,
      unresolved: 0,
      fixed: 0,
      expected: 0,
      falsePositive: 0,
      auto: 0,
      precision: null,
      impactDollars: 0,
    });
    d.count += 1;
    d.impactDollars += r.impact_cents / 100;
    if (r.status !== 'resolved') d.unresolved += 1;
    // Fixed after a nudge: the developer acted on a real cost change, a true positive.
    else if (r.resolution_reason === 'fixed' || r.resolution_reason === 'fixed_after_nudge') d.fixed += 1;
    else if (r.resolution_reason === 'expected') d.expected += 1;
    else if (r.resolution_reason === 'false_positive') d.falsePositive += 1;
    else if (r.resolution_reason === 'auto') d.auto += 1;
  }
  for (const d of Object.values(perDetector)) {
    const judged = d.fixed + d.expected + d.falsePositive;
    d.precision = judged === 0 ? null : (d.fixed + d.expected) / judged;
  }
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    incidents: rows.length,
    unresolved: rows.filter((r) => r.status !== 'resolved').length,
    mttd: durationStat(timings.map((t) => t.mttdSeconds)),
    timeToAlert: durationStat(timings.map((t) => t.timeToAlertSeconds)),
    mtti: durationStat(timings.map((t) => t.mttiSeconds)),
    mttr: durationStat(timings.map((t) => t.mttrSeconds)),
    impactDollars: timings.reduce((s, t) => s + t.impactDollars, 0),
    perDetector,
  };
}
