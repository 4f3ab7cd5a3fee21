import { DAY_MS, formatCents, toDay, type SpendLimitFeatureMode } from '@cursor-cost-watch/contract';

/** Pure arithmetic behind the spend-limit dialog: forecast, suggestion, whether the feature is on. Each says how. */

/** Days before the anomaly (or today) the usual spend is averaged over, quiet days included. */
export const USUAL_WINDOW_DAYS = 28;
/** Days of recent spend the forecast's pace is taken from, as the overview dashboard's forecast panel does. */
export const PACE_DAYS = 7;

/** A cycle ends a calendar month after it starts (the overview dashboard's forecast assumes the same). */
export function cycleEndOf(cycleStart: Date): Date {
  const end = new Date(cycleStart);
  end.setUTCMonth(end.getUTCMonth() + 1);
  return end;
}

export function forecastOf(o: { cycleSpendCents: number; paceCentsPerDay: number; cycleEnd: Date | null; now: Date }) {
  const daysLeft = o.cycleEnd ? Math.max(0, (o.cycleEnd.getTime() - o.now.getTime()) / DAY_MS) : 0;
  const cents = o.cycleSpendCents + o.paceCentsPerDay * daysLeft;
  const explanation = o.cycleEnd
    ? `${formatCents(o.cycleSpendCents)} spent so far + ${formatCents(o.paceCentsPerDay)} a day (average of the last ` +
      `${PACE_DAYS} complete days) × ${daysLeft.toFixed(1)} days left until ${toDay(o.cycleEnd.getTime())} = ${formatCents(cents)}`
    : 'No billing cycle collected yet: the forecast is the spend so far';
  return { cents, explanation };
}

export function suggestionOf(o: {
  usualDailyCents: number;
  windowFirst: string;
  windowLast: string;
  reference: 'onset' | 'today';
  cycleDays: number;
  factor: number;
}) {
  const usualCycleCents = o.usualDailyCents * o.cycleDays;
  const dollars = Math.max(1, Math.ceil((usualCycleCents * o.factor) / 100 - 1e-9));
  const before = o.reference === 'onset' ? 'before the anomaly began' : 'before today';
  const explanation =
    `Usual cycle spend ${formatCents(usualCycleCents)}: average daily spend ${formatCents(o.usualDailyCents)} over the ` +
    `${USUAL_WINDOW_DAYS} days ${before} (${o.windowFirst} – ${o.windowLast}, quiet days included) × ${o.cycleDays} ` +
    `days in the billing cycle. Suggested limit: × ${o.factor} (setting "spendLimitSuggestionFactor"), rounded up to ` +
    `whole dollars (at least $1) = $${dollars}.`;
  return { dollars, usualCycleCents, factor: o.factor, explanation };
}

/** Whether Admins may change limits now; when not, the sentence the API answers with. */
export function featureState(
  mode: SpendLimitFeatureMode,
  demoMode: boolean,
): { enabled: boolean; reason: string | null } {
  if (mode === 'on') return { enabled: true, reason: null };
  if (mode === 'auto' && demoMode) return { enabled: true, reason: null };
  return {
    enabled: false,
    reason:
      mode === 'off'
        ? 'Spend-limit changes are turned off (setting "spendLimitFeature" is "off"). An Admin can turn them on in Settings → Spend limits.'
        : 'Spend-limit changes are off because a real Cursor key is configured and no Admin has turned them on yet (setting "spendLimitFeature" is "auto"). An Admin can set it to "on" in Settings → Spend limits.',
  };
}
