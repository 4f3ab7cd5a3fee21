import { NUDGE_SKIP_LABELS, RESOLUTION_REASON_LABELS, type TimelineEntry } from '@cursor-cost-watch/contract';

/** How each timeline action reads for people (worker/src/incidents/events.ts lists them). */
const ACTION_LABELS: Record<string, string> = {
  opened: 'Opened',
  updated: 'Still detected',
  onset_moved: 'Onset moved',
  escalated: 'Severity rose',
  alerted: 'Team alerted',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
  reopened: 'Reopened',
  auto_resolved: 'Resolved automatically',
  nudged: 'Developer nudged by email',
  nudge_skipped: 'Nudge skipped',
  nudge_escalated: 'Escalated to the team channels',
  fixed_after_nudge: 'Fixed after nudge',
};

/** "Developer nudged by email", or the action with its underscores turned into spaces when it is a new one. */
export const actionLabel = (action: string) => ACTION_LABELS[action] ?? action.replace(/_/g, ' ');

export const resolutionLabel = (reason: string | null) =>
  reason === null ? '—' : (RESOLUTION_REASON_LABELS[reason] ?? reason.replace(/_/g, ' '));

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const minute = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The one line of context an entry carries beyond who and when, or null. */
export function actionDetail(e: TimelineEntry): string | null {
  const d = e.details;
  switch (e.action) {
    case 'nudged': {
      const at = str(d.escalateAt);
      return `personal email to ${str(d.email) ?? 'the developer'}${at ? `; the team hears about it on ${minute(at)} if still active` : ''}`;
    }
    case 'nudge_skipped': {
      const reason = str(d.reason);
      return `the team channels are told instead: ${reason ? (NUDGE_SKIP_LABELS[reason as keyof typeof NUDGE_SKIP_LABELS] ?? reason) : 'no reason given'}`;
    }
    case 'nudge_escalated':
      return d.reason === 'not_delivered'
        ? 'the nudge could not be delivered'
        : `still active ${typeof d.afterDays === 'number' ? `${d.afterDays} day${d.afterDays === 1 ? '' : 's'} ` : ''}after the nudge`;
    case 'resolved':
    case 'auto_resolved':
      return str(d.reason) ? resolutionLabel(str(d.reason)) : null;
    default:
      return null;
  }
}
