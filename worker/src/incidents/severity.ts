// Severity order comes from the contract; re-exported here for the incident rules.
export { severityRank, maxSeverity } from '@cursor-cost-watch/contract';
