import { SEVERITY_RANK } from '@cursor-cost-watch/contract';
import type { Config } from '../config/config';
import type { Severity } from '../db/schema/detection';
import type { IncidentRow } from '../incidents';
import { describeWhy, detectorLabel, dollars, formatExpected, formatValue } from './format';

export const PLUGIN_ID = 'cursorwatch-cost-app';

/** One incident as every channel shows it. */
export interface IncidentNotice {
  id: number;
  scope: 'user' | 'team';
  subject: string;
  detector: string;
  detectorLabel: string;
  severity: Severity;
  /** Set when this message announces a rise from the severity last announced on the channel. */
  escalatedFrom: Severity | null;
  status: string;
  onsetAt: string;
  observed: number;
  expected: number;
  bandLow: number | null;
  bandHigh: number | null;
  unit: string;
  observedText: string;
  expectedText: string;
  impactCents: number;
  impactText: string;
  topModel: string | null;
  why: Record<string, unknown>;
  whyText: string;
  summary: string;
  links: { incident: string; userDashboard: string | null; teamDashboard: string | null };
}

export interface AlertMessage {
  kind: 'alert' | 'digest' | 'test';
  /** Identifies the message; receivers can use it to drop a duplicate delivery. */
  key: string;
  title: string;
  generatedAt: string;
  incidents: IncidentNotice[];
}

export type NoticeSource = Pick<
  IncidentRow,
  | 'id'
  | 'scope'
  | 'subject'
  | 'detector'
  | 'max_severity'
  | 'status'
  | 'onset_at'
  | 'observed'
  | 'expected'
  | 'band_low'
  | 'band_high'
  | 'unit'
  | 'impact_cents'
  | 'top_model'
  | 'why'
  | 'summary'
>;

export function grafanaLinks(config: Pick<Config, 'GRAFANA_URL'>, n: { id: number; scope: string; subject: string }) {
  const base = (config.GRAFANA_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
  return {
    incident: `${base}/a/${PLUGIN_ID}/incidents/${n.id}`,
    userDashboard: n.scope === 'user' ? `${base}/d/cursor-user?var-email=${encodeURIComponent(n.subject)}` : null,
    teamDashboard: n.scope === 'team' ? `${base}/d/cursor-overview` : null,
  };
}

export function toNotice(
  row: NoticeSource,
  config: Pick<Config, 'GRAFANA_URL'>,
  escalatedFrom: Severity | null = null,
): IncidentNotice {
  const why = (row.why ?? {}) as Record<string, unknown>;
  return {
    id: row.id,
    scope: row.scope,
    subject: row.subject,
    detector: row.detector,
    detectorLabel: detectorLabel(row.detector),
    severity: row.max_severity,
    escalatedFrom,
    status: row.status,
    onsetAt: row.onset_at.toISOString(),
    observed: row.observed,
    expected: row.expected,
    bandLow: row.band_low,
    bandHigh: row.band_high,
    unit: row.unit,
    observedText: formatValue(row.observed, row.unit),
    expectedText: formatExpected(row.expected, row.band_low, row.band_high, row.unit),
    impactCents: row.impact_cents,
    impactText: dollars(row.impact_cents),
    topModel: row.top_model,
    why,
    whyText: describeWhy(why, row.top_model, row.unit),
    summary: row.summary,
    links: grafanaLinks(config, row),
  };
}

/** Most severe first, then the largest impact. */
export function sortNotices(ns: IncidentNotice[]): IncidentNotice[] {
  return [...ns].sort(
    (a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || b.impactCents - a.impactCents || a.id - b.id,
  );
}

export function titleFor(kind: AlertMessage['kind'], ns: IncidentNotice[]): string {
  const total = dollars(ns.reduce((s, n) => s + n.impactCents, 0));
  const critical = ns.filter((n) => n.severity === 'critical').length;
  const crit = critical > 0 ? `, ${critical} critical` : '';
  if (kind === 'test') return 'TEST: Cursor Cost Watch notification check (no real incident)';
  if (kind === 'digest')
    return `Cursor cost daily digest: ${ns.length} incident${ns.length === 1 ? '' : 's'}${crit}, ${total} above expected`;
  if (ns.length === 1) {
    const n = ns[0];
    const verb = n.escalatedFrom ? `escalated to ${n.severity}` : n.severity;
    return `Cursor cost alert (${verb}): ${n.subject} · ${n.detectorLabel} · ${n.impactText} above expected`;
  }
  return `Cursor cost alert: ${ns.length} incidents${crit}, ${total} above expected`;
}

export function buildMessage(
  kind: AlertMessage['kind'],
  key: string,
  notices: IncidentNotice[],
  now = new Date(),
): AlertMessage {
  const incidents = sortNotices(notices);
  return { kind, key, title: titleFor(kind, incidents), generatedAt: now.toISOString(), incidents };
}
