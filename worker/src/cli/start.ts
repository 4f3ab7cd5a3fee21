import { startApi } from '../api/server';
import { openRuntime } from './bootstrap';
import { ConfigError } from '../config/config';
import { startWorkerService } from '../worker';

/**
 * `npm start`: the long-running worker. With nothing configured it runs on an embedded PostgreSQL and the
 * simulated Cursor team. SIGTERM/SIGINT: stop taking jobs, let the in-flight one finish (or be retried), close.
 */
async function main(): Promise<void> {
  const rt = await openRuntime({ boss: true, cursor: true });
  const service = await startWorkerService(rt);
  const api = await startApi({ db: rt.db, boss: rt.boss, config: rt.config, log: rt.log });
  rt.log.info({ cron: rt.config.COLLECT_CRON, demo: rt.config.demoMode }, 'worker started');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.log.info({ signal }, 'shutting down');
    await api.app.close();
    await service.stop();
    await rt.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : `error: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
