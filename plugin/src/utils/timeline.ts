import {
  NUDGE_SKIP_LABELS,
  RESOLUTION_REASON_LABELS,
  timelineActionLabel,
  timelineEntryDetail,
  type TimelineEntry,
} from '@cursor-cost-watch/contract';

/** An action's words: the contract's one list (contract/src/timeline.ts), so the plugin and the worker agree. */
export const actionLabel = (action: string) => timelineActionLabel(action);

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
      return timelineEntryDetail(e);
  }
}
