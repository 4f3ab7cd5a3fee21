export { recordDetections, type RecordInput } from './record';
export { openTeamIncidentOnset } from './open-team';
export {
  acknowledgeIncident,
  resolveIncident,
  reopenIncident,
  markIncidentsAlerted,
  type HumanResolution,
} from './transitions';
export {
  createSnooze,
  listSnoozes,
  deleteSnooze,
  SnoozeNotFoundError,
  type SnoozeRow,
  type SnoozeInput,
} from './snoozes';
export { incidentMetrics } from './metrics';
export { incidentTimings, type MeasuredIncidentMetrics, type DetectorMetrics, type DurationStat } from './metrics-math';
export { listIncidentEvents } from './events';
export { IncidentNotFoundError, IncidentTransitionError, IncidentInputError } from './errors';
export type { IncidentRow, RecordResult } from './types';
export type { IncidentPolicy } from './policy';
