import type { Config } from '../config/config';
import { formatOf, type Logger } from '../config/log';
import type { DbOrTx } from '../db/database';
import { formatRunReport } from './format-report';
import { buildRunReport, type RunReport } from './run-report';

export interface ReportDeps {
  db: DbOrTx;
  log: Logger;
  config: Pick<Config, 'WORKER_API_HOST' | 'WORKER_API_PORT' | 'GRAFANA_URL'>;
}

/**
 * After a collection and the detection that follows it: one summary at info level. Readable lines when the log is
 * pretty; one structured record (`report`) when it is JSON. A failure to build it is a warning, never the job's
 * failure (the data is stored either way).
 */
export async function logRunReport(
  deps: ReportDeps,
  run: { runId: string; trigger: string },
  now: Date = new Date(),
): Promise<RunReport | null> {
  if (!deps.log.isLevelEnabled('info')) return null;
  try {
    const host = deps.config.WORKER_API_HOST === '0.0.0.0' ? '127.0.0.1' : deps.config.WORKER_API_HOST;
    const report = await buildRunReport(deps.db, {
      ...run,
      now,
      apiUrl: `http://${host}:${deps.config.WORKER_API_PORT}`,
      grafanaUrl: deps.config.GRAFANA_URL.replace(/\/+$/, ''),
      grafanaConfigured: Boolean(process.env.GRAFANA_URL),
    });
    if (formatOf(deps.log) === 'pretty') deps.log.info(`summary\n${formatRunReport(report)}`);
    else deps.log.info({ report }, 'run summary');
    return report;
  } catch (err) {
    deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'the run summary could not be built');
    return null;
  }
}
