import { workerApi, type IncidentFilters } from './client';
import { useWorker } from './useWorker';

export type { IncidentFilters };

/** One page of incidents for these filters, fetched again whenever a filter changes. */
export function useIncidents(filters: IncidentFilters) {
  return useWorker(() => workerApi.listIncidents(filters), [JSON.stringify(filters)]);
}

/** One incident with its evidence and timeline. */
export function useIncident(id: number) {
  return useWorker(() => workerApi.getIncident(id), [id]);
}

/** The incident counts and MTTA/MTTR over the worker's default range. */
export function useIncidentMetrics() {
  return useWorker(() => workerApi.incidentMetrics(), []);
}

const INCIDENT_ACTIONS = {
  acknowledge: workerApi.acknowledge,
  resolve: workerApi.resolve,
  reopen: workerApi.reopen,
};

/** Moves an incident along; each call settles once the worker recorded it, and the caller reloads what it shows. */
export function useIncidentActions() {
  return INCIDENT_ACTIONS;
}
