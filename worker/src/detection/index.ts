export type { UserDay, UserModelDay, Anomaly, Why, DetectorName } from './types';
export { detect, historyDays, evaluationDays, olderDays } from './detect';
export { validateInput, DetectionInputError, type DetectionInput, type MemberInfo, type CycleSpend } from './input';
