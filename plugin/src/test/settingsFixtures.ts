import type { CollectionStatus, SettingsPreview, Snooze } from '@cursor-cost-watch/contract';

/** A backtest of minImpactDollars 20 → 5: six more personal spikes, one of them listed. */
export const preview: SettingsPreview = {
  days: 30,
  current: { days: 30, perDetector: { personal_spike: 3 }, total: 3 },
  proposed: { days: 30, perDetector: { personal_spike: 9 }, total: 9 },
  opened: [
    {
      scope: 'user',
      subject: 'bob@example.com',
      detector: 'personal_spike',
      firstDay: '2026-11-10',
      lastDay: '2026-11-12',
    },
  ],
  closed: [],
};

/** One endpoint collected an hour ago, its watermark 80 minutes behind. */
export const collection: CollectionStatus = {
  now: '2026-11-20T12:00:00.000Z',
  hasData: true,
  lastRunAt: '2026-11-20T11:00:00.000Z',
  endpoints: [
    {
      endpoint: 'usage_events',
      lastRunAt: '2026-11-20T11:00:00.000Z',
      lastStatus: 'ok',
      lastTrigger: 'schedule',
      lastDurationMs: 5000,
      lastRowsNew: 42,
      lastError: null,
      lastSuccessAt: '2026-11-20T11:00:05.000Z',
      watermark: '2026-11-20T10:40:00.000Z',
      lagSeconds: 4800,
      failuresLast24h: 0,
    },
  ],
};

/** Bob snoozed for an offsite. */
export const snoozes: { items: Snooze[] } = {
  items: [
    {
      id: 4,
      scope: 'user',
      subject: 'bob@example.com',
      until: '2026-11-25T00:00:00.000Z',
      reason: 'offsite',
      createdBy: 'lead.lou',
      createdAt: '2026-11-19T00:00:00.000Z',
    },
  ],
};
