/** The simulated Cursor Admin API: a deterministic team generator and an HTTP server speaking the API. */
export { createSimulatedTeam } from './team';
export { startSimulatorServer } from './server/server';
export { servedEvent } from './server/restatement';
export type {
  Faults,
  RateLimits,
  Restatement,
  ShapeMode,
  SimulatorServer,
  SimulatorServerOptions,
  SimulatorStats,
} from './server/server';
export type { AnomalyKind } from './anomalies';
export type {
  DailyUsageOptions,
  EventFilter,
  GroundTruthAnomaly,
  SimMember,
  SimulatedTeam,
  SimulatedTeamOptions,
  SpendQuery,
} from './types';
export type * from './wire';
export { auditLogEvents } from './audit-logs';
export { DEFAULT_RATE_LIMITS, NUMERIC_FAULTS } from './server/guards';
export { hexId } from './random';
