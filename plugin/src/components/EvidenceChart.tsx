export { EvidenceChart } from './charts/EvidenceChart';
export { TrendSparkline } from './charts/TrendSparkline';
