import { workerApi } from './client';

const NOTIFICATION_ACTIONS = { test: workerApi.testNotification };

/** Send a test message to one notification channel. */
export function useNotificationActions() {
  return NOTIFICATION_ACTIONS;
}
