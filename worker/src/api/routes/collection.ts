import { collectQueue } from '../../jobs/queues/collect';
import type { ApiDeps } from '../deps';
import { auditedChange, pgBossIn } from '../audit';
import { ApiHttpError } from '../errors';
import { collectionStatus } from '../queries/collection-status';
import { Reply, type RouteHandlers } from '../route';

export function collectionHandlers({
  db,
  boss,
  now,
}: ApiDeps): Pick<RouteHandlers, 'collectionStatus' | 'runCollection'> {
  return {
    collectionStatus: async () => collectionStatus(db, now()),

    /** Queues a manual collection (the collect job runs detection after it). The queue is exclusive: null means one is in flight. */
    runCollection: async (_input, req) => {
      if (!boss)
        throw new ApiHttpError(
          503,
          'unavailable',
          'The job queue is not running in this process, so a collection cannot be queued',
        );
      // The job and its audit row are committed together (pg-boss inserts through the transaction).
      const jobId = await auditedChange(db, req, 202, async (tx) => {
        const id = await collectQueue.send(boss, { trigger: 'manual' }, { db: pgBossIn(tx) });
        if (id === null)
          throw new ApiHttpError(
            409,
            'conflict',
            'A collection is already queued or running; try again when it has finished',
          );
        return id;
      });
      return new Reply(202, { jobId });
    },
  };
}
