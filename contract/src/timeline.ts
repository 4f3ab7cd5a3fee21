import type { TimelineEntry } from './incidents';

/** Every action an incident's own timeline records (worker/src/incidents: upsert, transitions, auto-resolve). */
export const INCIDENT_ACTIONS = [
  'opened',
  'updated',
  'onset_moved',
  'escalated',
  'alerted',
  'acknowledged',
  'resolved',
  'reopened',
  'reclassified',
  'auto_resolved',
  'spend_limit_changed',
  // Nudge the developer first (worker/src/nudge)
  'nudged',
  'nudge_skipped',
  'nudge_escalated',
  'fixed_after_nudge',
] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** Entries the API adds from Cursor's audit log (worker/src/api/queries/incident-audit.ts). */
export const AUDIT_TIMELINE_ACTIONS = ['spend-limit change', 'membership change'] as const;

/** The one place a timeline action gets its words, for the plugin, messages and the CLI. */
export const TIMELINE_ACTION_LABELS: Record<IncidentAction | (typeof AUDIT_TIMELINE_ACTIONS)[number], string> = {
  opened: 'Opened',
  updated: 'Still above normal',
  onset_moved: 'Onset moved',
  escalated: 'Severity raised',
  alerted: 'Alert sent',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  reopened: 'Reopened',
  reclassified: 'Renamed',
  auto_resolved: 'Resolved automatically (back to normal)',
  spend_limit_changed: 'Spend limit set from Grafana',
  nudged: 'Developer nudged by email',
  nudge_skipped: 'Nudge skipped',
  nudge_escalated: 'Escalated to the team channels',
  fixed_after_nudge: 'Fixed after nudge',
  'spend-limit change': 'Spend limit changed',
  'membership change': 'Membership changed',
};

const day = (iso: unknown) => (typeof iso === 'string' ? iso.slice(0, 10) : '?');
const text = (x: unknown) => (typeof x === 'string' && x !== '' ? x : null);

/** An action's label; one this version does not know reads as words ("budget_hit" → "Budget hit"), never raw. */
export function timelineActionLabel(action: string): string {
  const known = (TIMELINE_ACTION_LABELS as Record<string, string>)[action];
  if (known) return known;
  const words = action.replace(/[_-]+/g, ' ').trim();
  return words === '' ? 'Changed' : words[0].toUpperCase() + words.slice(1);
}

/** What the entry changed, in a few words ("2026-11-18 → 2026-11-19", "warning → critical"), or null. */
export function timelineEntryDetail(e: Pick<TimelineEntry, 'action' | 'details'>): string | null {
  const d = e.details;
  switch (e.action) {
    case 'onset_moved':
      return `${day(d.fromOnset)} → ${day(d.toOnset)}`;
    case 'escalated':
      return text(d.fromSeverity) && text(d.toSeverity) ? `${d.fromSeverity} → ${d.toSeverity}` : null;
    case 'alerted':
      return text(d.channel) ? `via ${d.channel}` : null;
    case 'resolved':
      return text(d.reason) ? `as ${String(d.reason).replace(/_/g, ' ')}` : null;
    case 'reclassified':
      // By the detector: a spike that went on is a lasting rise (worker upsert.ts, renameLastingSpikes).
      return text(d.fromDetector) && text(d.toDetector)
        ? `${String(d.fromDetector).replace(/_/g, ' ')} → ${String(d.toDetector).replace(/_/g, ' ')}`
        : null;
    case 'reopened':
      // By the detector: the excess that began while it was open came back after it resolved itself (upsert.ts).
      return d.reason === 'came_back' ? `the excess since ${day(d.onset)} came back` : null;
    default:
      return null;
  }
}
