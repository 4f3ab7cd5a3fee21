import { workerApi } from './client';
import { useWorker } from './useWorker';

/** How each Cursor endpoint's collection is doing. */
export function useCollectionStatus() {
  return useWorker(() => workerApi.collectionStatus(), []);
}

const COLLECTION_ACTIONS = { run: workerApi.runCollection };

/** Queue a collection and detection run now. */
export function useCollectionActions() {
  return COLLECTION_ACTIONS;
}
