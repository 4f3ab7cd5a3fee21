import { workerApi } from './client';
import { useWorker } from './useWorker';

/** Whether a developer gets personal nudges, and their latest ones. */
export function useNudgeStatus(email: string) {
  return useWorker(() => workerApi.getNudgeStatus(email), [email]);
}

const NUDGE_ACTIONS = { setOptOut: workerApi.setNudgeOptOut };

/** Opt a developer out of personal nudges, or back in. */
export function useNudgeActions() {
  return NUDGE_ACTIONS;
}
