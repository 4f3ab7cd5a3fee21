import { DAY_MS } from '@cursor-cost-watch/contract';
import type { Config } from '../config/config';
import type { Settings } from '../settings';

/** The settings the nudge policy reads; a full Settings object satisfies it. */
export type NudgePolicy = Pick<Settings, 'nudgeDetectors' | 'nudgeEscalateAfterDays' | 'nudgeDailyCapPerDeveloper'>;

/** A developer whose same anomaly comes back within this long after a nudge is not nudged again: the team hears. */
export const RECENT_NUDGE_DAYS = 7;

/** A personal email needs an SMTP server and a sender; the team's recipients (ALERT_EMAIL_TO) are not needed. */
export function nudgeMailReady(config: Config): boolean {
  return Boolean(config.SMTP_HOST && config.ALERT_EMAIL_FROM);
}

/** When an undecided nudge escalates if the anomaly is still active. */
export const escalateAt = (createdAt: Date, days: number) => new Date(createdAt.getTime() + days * DAY_MS);
