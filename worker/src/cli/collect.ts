import { collectOnce, formatSummary } from '../collector/collect';
import { withRuntime } from './bootstrap';

/** `npm run collect`: one collection pass, then exit; prints a one-line summary. Exit 1 if an endpoint failed. */
void withRuntime(
  async ({ db, client, log, config }) => {
    const summary = await collectOnce({ db, client: client!, log, config }, { trigger: 'cli' });
    console.log(formatSummary(summary));
    return summary.errors.length ? 1 : 0;
  },
  { cursor: true },
);
