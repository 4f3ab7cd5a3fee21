import { collectOnce, formatSummary } from '../collector/collect';
import { withLeanHeap } from '../jobs/lean-heap';
import { withRuntime } from './bootstrap';

/**
 * `npm run collect`: one collection pass, then exit; prints a one-line summary. Exit 1 if an endpoint failed.
 * It re-reads the events of the last RESTATE_DAYS days every time, so restated prices land.
 */
void withRuntime(
  async ({ db, client, log, config }) => {
    const summary = await withLeanHeap(() =>
      collectOnce({ db, client: client!, log, config }, { trigger: 'cli', restateEvents: true }),
    );
    console.log(formatSummary(summary));
    return summary.errors.length ? 1 : 0;
  },
  { cursor: true },
);
