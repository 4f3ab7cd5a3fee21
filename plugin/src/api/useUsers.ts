import { workerApi } from './client';
import { useWorker } from './useWorker';

/** The members matching `search` (all when blank), fetched again as it is typed. */
export function useUsers(search: string) {
  return useWorker(() => workerApi.searchUsers(search.trim() || undefined), [search]);
}

/** One member's spend, trend and incidents. */
export function useUser(email: string) {
  return useWorker(() => workerApi.getUser(email), [email]);
}
