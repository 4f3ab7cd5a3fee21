export type { UserDay, UserModelDay, Anomaly, Why, DetectorName } from './types';
export { detect, historyDays, evaluationDays } from './detect';
export { validateInput, DetectionInputError, type DetectionInput, type MemberInfo, type CycleSpend } from './input';
export { loadDetectionInput, type LoadOptions } from './load';
export {
  runDetectionPass,
  storeAnomalies,
  type DetectionPassDeps,
  type DetectionPassOptions,
  type DetectionPassSummary,
} from './pass';
export { backtest, DETECTORS, type BacktestResult } from './backtest';
