import { addDays } from '@cursor-cost-watch/contract';
import { historyDays, evaluationDays, olderDays } from '../../src/detection/detect';
import { expensiveModels } from '../../src/detection/premium';
import { scan } from '../../src/detection/scan';
import { buildSeries } from '../../src/detection/series';
import { DEFAULT_SETTINGS as S } from '../../src/settings';
import { inputAsOf, type Scenario } from '../scenarios/team';

/** The scan of a bench:detect team's pass on `day`, with default settings: for the trace tools. */
export function scanAsOf(sc: Scenario, day: string) {
  const series = buildSeries(inputAsOf(sc, day), addDays(day, -historyDays(S) + 1), S.weekdayAware, olderDays(S));
  const evalFrom = Math.max(0, series.asOfIdx - evaluationDays(S) + 1);
  const expensive = expensiveModels(series, S.premiumCostFactor);
  return { series, expensive, result: scan(series, S, evalFrom, expensive) };
}
