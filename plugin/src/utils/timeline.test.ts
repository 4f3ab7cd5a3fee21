import type { TimelineEntry } from '@cursor-cost-watch/contract';
import { actionDetail, actionLabel, resolutionLabel } from './timeline';

const entry = (action: string, details: Record<string, unknown>): TimelineEntry => ({
  id: 1,
  at: '2026-11-20T23:00:00.000Z',
  actor: 'system',
  action,
  fromStatus: 'open',
  toStatus: 'open',
  details,
});

describe('timeline labels', () => {
  it('names the nudge actions and resolution reasons for people, and falls back for new ones', () => {
    expect(actionLabel('nudged')).toBe('Developer nudged by email');
    expect(actionLabel('nudge_escalated')).toBe('Escalated to the team channels');
    expect(actionLabel('fixed_after_nudge')).toBe('Fixed after nudge');
    expect(actionLabel('spend_limit_set_now')).toBe('Spend limit set now');
    expect(resolutionLabel('fixed_after_nudge')).toBe('Fixed after nudge');
    expect(resolutionLabel(null)).toBe('—');
  });

  it('says why a nudge was skipped and why it escalated', () => {
    expect(actionDetail(entry('nudge_skipped', { reason: 'daily_cap' }))).toBe(
      "the team channels are told instead: the developer's daily nudge cap was reached",
    );
    expect(actionDetail(entry('nudge_escalated', { reason: 'still_active', afterDays: 1 }))).toBe(
      'still active 1 day after the nudge',
    );
    expect(actionDetail(entry('nudge_escalated', { reason: 'not_delivered', afterDays: 2 }))).toBe(
      'the nudge could not be delivered',
    );
    expect(actionDetail(entry('auto_resolved', { reason: 'auto' }))).toBe('Resolved automatically (back to normal)');
    expect(actionDetail(entry('opened', {}))).toBeNull();
    // Reopened by the detector: the excess came back after the incident resolved itself (worker upsert.ts).
    expect(actionDetail(entry('reopened', { reason: 'came_back', onset: '2026-11-10T00:00:00.000Z' }))).toBe(
      'the excess since 2026-11-10 came back',
    );
    expect(actionDetail(entry('reopened', { previousReason: 'fixed', note: 'not over' }))).toBeNull();
    // Renamed by the detector: a spike that went on is a lasting rise (worker upsert.ts).
    expect(actionLabel('reclassified')).toBe('Renamed');
    expect(actionDetail(entry('reclassified', { fromDetector: 'personal_spike', toDetector: 'model_shift' }))).toBe(
      'personal spike → model shift',
    );
  });
});
