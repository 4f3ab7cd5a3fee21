import { workerApi } from './client';
import { useWorker } from './useWorker';

/** Who is snoozed until when. */
export function useSnoozes() {
  return useWorker(() => workerApi.listSnoozes(), []);
}

const SNOOZE_ACTIONS = { create: workerApi.createSnooze, remove: workerApi.deleteSnooze };

/** Snooze a user or the team, or end a snooze; the caller reloads what it shows. */
export function useSnoozeActions() {
  return SNOOZE_ACTIONS;
}
