import { workerApi } from './client';
import { useWorker } from './useWorker';

/** A developer's Cursor spend limit, cycle spend and suggested limit (for this incident, when given). */
export function useSpendLimit(email: string, incidentId?: number) {
  return useWorker(() => workerApi.getSpendLimit(email, incidentId), [email, incidentId]);
}

const SPEND_LIMIT_ACTIONS = { change: workerApi.changeSpendLimit, undo: workerApi.undoSpendLimitChange };

/** Change a spend limit in Cursor, or undo an earlier change. */
export function useSpendLimitActions() {
  return SPEND_LIMIT_ACTIONS;
}
