import type { Anomaly } from '../../src/detection/types';
import { DEFAULT_SETTINGS } from '../../src/settings';

export const POLICY = { ...DEFAULT_SETTINGS, autoResolveAfterDays: 3 };
/** An anomaly as a detector would report it, for `subject` on day `asOf`. */
export function anomaly(over: Partial<Anomaly> & { asOf: string }): Anomaly {
  return {
    scope: 'user',
    subject: 'ana@example.com',
    detector: 'personal_spike',
    severity: 'warning',
    onsetAt: `${over.asOf}T00:00:00.000Z`,
    observed: 9000,
    expected: 1500,
    bandLow: 800,
    bandHigh: 2500,
    unit: 'cents',
    impactCents: 7500,
    topModel: 'claude-4-opus',
    why: {
      driver: 'volume',
      volumeFactor: 5,
      costPerRequestFactor: 1.1,
      topModel: 'claude-4-opus',
      topModelShare: 0.8,
      maxModeShare: 0,
      headlessShare: 0,
    },
    summary: 'ana@example.com spent $90.00 today, 6x her usual $15.00',
    ...over,
  };
}

/** End of a UTC day: the moment a pass for that day is taken to run in these tests. */
export const endOf = (day: string) => new Date(`${day}T23:00:00.000Z`);
