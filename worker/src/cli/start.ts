import { assertSafeToListen } from '../api/auth';
import { startApi } from '../api/server';
import { openRuntime } from './bootstrap';
import { ConfigError, type Config } from '../config/config';
import { StartupError, assertPortFree } from '../config/startup-error';
import { startWorkerService } from '../worker';

/** What must hold before anything starts: a refusal after a minute of migrations and backfill wastes the user's time. */
async function beforeStart(config: Config): Promise<void> {
  assertSafeToListen(config.WORKER_API_HOST, config.WORKER_API_TOKEN);
  await assertPortFree(config.WORKER_API_HOST, config.WORKER_API_PORT, 'WORKER_API_PORT', 'the worker API');
}

/**
 * `npm start`: the long-running worker. With nothing configured it runs on an embedded PostgreSQL and the
 * simulated Cursor team. SIGTERM/SIGINT: stop taking jobs, let the in-flight one finish (or be retried), close.
 */
async function main(): Promise<void> {
  // Handled from the first moment: a signal during start-up stops the worker once it is up, cleanly (the default
  // action would kill it with its PostgreSQL half-started).
  const shutdown: { stop?: (signal: string) => Promise<void>; early?: string } = {};
  const onSignal = (signal: string) => (shutdown.stop ? void shutdown.stop(signal) : (shutdown.early ??= signal));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
  const rt = await openRuntime({ boss: true, cursor: true, beforeStart });
  let api: Awaited<ReturnType<typeof startApi>> | undefined;
  let service: Awaited<ReturnType<typeof startWorkerService>> | undefined;
  try {
    service = await startWorkerService(rt);
    api = await startApi({ db: rt.db, boss: rt.boss, config: rt.config, log: rt.log, cursor: rt.client });
  } catch (err) {
    await service?.stop();
    await rt.close();
    throw err;
  }
  rt.log.info({ cron: rt.config.COLLECT_CRON, demo: rt.config.demoMode }, 'worker started');
  let stopping = false;
  // Ctrl-C reaches only this process (the embedded PostgreSQL runs in its own process group; npm forwards the signal
  // to its script, which `exec`s node): the API, the jobs and the pools close first, PostgreSQL is stopped last.
  shutdown.stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'shutting down');
    await api?.app.close();
    await service?.stop();
    await rt.close();
    rt.log.info('stopped');
    process.exit(0);
  };
  if (shutdown.early) await shutdown.stop(shutdown.early);
}

main().catch((err) => {
  console.error(
    err instanceof ConfigError || err instanceof StartupError
      ? err.message
      : `error: ${err instanceof Error ? err.stack : String(err)}`,
  );
  process.exit(1);
});
