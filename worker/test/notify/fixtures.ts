import { loadConfig } from '../../src/config/config';
import { toNotice, type NoticeSource } from '../../src/notify/message';

export function row(over: Partial<NoticeSource> = {}): NoticeSource {
  return {
    id: 7,
    scope: 'user',
    subject: 'ana+dev@example.com',
    detector: 'personal_spike',
    max_severity: 'critical',
    status: 'open',
    onset_at: new Date('2026-11-20T00:00:00Z'),
    observed: 9000,
    expected: 1500,
    band_low: 800,
    band_high: 2500,
    unit: 'cents',
    impact_cents: 7500,
    top_model: 'claude-4-opus',
    why: {
      driver: 'volume',
      volumeFactor: 5,
      costPerRequestFactor: 1.1,
      topModel: 'claude-4-opus',
      topModelShare: 0.8,
      maxModeShare: 0.25,
      headlessShare: 0,
    },
    summary: 'Spent $90.00 today, 6x the usual <$15.00>',
    ...over,
  };
}

export const CONFIG = loadConfig({
  GRAFANA_URL: 'https://grafana.example.com/',
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/x',
});
export const notice = (over: Partial<NoticeSource> = {}) => toNotice(row(over), CONFIG);
