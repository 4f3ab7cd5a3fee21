import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { PgBoss } from 'pg-boss';
import { ConfigError, REPO_ROOT, loadConfig, type Config } from '../config/config';
import { createLogger, type Logger } from '../config/log';
import { CursorClient } from '../cursor/client';
import type { Db } from '../db/database';
import { startEmbeddedPostgres, type EmbeddedPg } from '../db/embedded';
import { migrateToLatest } from '../db/migrate';
import { createDb, type DbHandle } from '../db/pool';
import { startBoss } from '../queue/boss';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '../simulator';

export interface Runtime {
  config: Config;
  log: Logger;
  db: Db;
  connectionString: string;
  boss?: PgBoss;
  /** Present when the runtime was opened with `cursor: true`. */
  client?: CursorClient;
  /** The in-process simulated Cursor API in demo mode. */
  simulator?: SimulatorServer;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  boss?: boolean;
  cursor?: boolean;
  env?: NodeJS.ProcessEnv;
}

/**
 * Config → PostgreSQL (DATABASE_URL, else the embedded one) → migrations → optional pg-boss and Cursor client
 * (the simulated Cursor team in demo mode). Everything opened is closed by `close()`, in reverse order.
 */
export async function openRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  if (!opts.env) loadDotEnv();
  const config = loadConfig(opts.env);
  const log = createLogger(config.LOG_LEVEL);
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err) => log.warn({ err: String(err) }, 'error while closing'));
  };
  try {
    let connectionString = config.DATABASE_URL;
    if (!connectionString) {
      log.info(
        { dir: config.embeddedPgDir, port: config.EMBEDDED_PG_PORT },
        'DATABASE_URL is not set: starting the embedded PostgreSQL',
      );
      const embedded: EmbeddedPg = await startEmbeddedPostgres({
        dataDir: config.embeddedPgDir,
        port: config.EMBEDDED_PG_PORT,
      });
      closers.push(() => embedded.stop());
      if (embedded.adopted)
        log.warn({ dir: config.embeddedPgDir }, 'took over the embedded PostgreSQL a killed worker left running');
      connectionString = embedded.connectionString;
    }
    const handle: DbHandle = createDb(connectionString, 10, (err) =>
      log.warn({ err: err.message }, 'idle database connection lost'),
    );
    closers.push(() => handle.close());
    const applied = await migrateToLatest(handle.db);
    if (applied.length) log.info({ applied }, 'migrations applied');

    const runtime: Runtime = { config, log, db: handle.db, connectionString, close };
    if (opts.boss) {
      runtime.boss = await startBoss(connectionString, log, { heartbeatSeconds: config.WORKER_HEARTBEAT_SECONDS });
      const boss = runtime.boss;
      closers.push(() => boss.stop({ graceful: true, timeout: 30_000 }));
    }
    if (opts.cursor) {
      let baseUrl = config.CURSOR_API_BASE_URL;
      let apiKey = config.CURSOR_ADMIN_API_KEY;
      let analyticsApiKey = config.CURSOR_ANALYTICS_API_KEY;
      let rateLimits = {
        admin: config.CURSOR_RATE_LIMIT_PER_MIN,
        events: config.CURSOR_EVENTS_RATE_LIMIT_PER_MIN,
        analytics: 100,
      };
      if (config.demoMode) {
        apiKey = `key_${randomBytes(32).toString('hex')}`;
        analyticsApiKey = `key_${randomBytes(32).toString('hex')}`;
        const team = createSimulatedTeam({ seed: config.SIM_SEED, teamSize: config.SIM_TEAM_SIZE });
        // The simulated team is local: a faster pace than Cursor's documented limits makes the first backfill quick.
        rateLimits = { admin: 120, events: 600, analytics: 100 };
        const sim = await startSimulatorServer({
          team,
          apiKey,
          analyticsApiKey,
          port: config.SIM_PORT,
          rateLimitsPerMinute: rateLimits,
        });
        closers.push(() => sim.close());
        runtime.simulator = sim;
        baseUrl = sim.url;
        log.info(
          { url: sim.url, developers: config.SIM_TEAM_SIZE },
          'CURSOR_ADMIN_API_KEY is not set: demo mode on the simulated Cursor team',
        );
      }
      runtime.client = new CursorClient({
        baseUrl,
        apiKey: apiKey!,
        analyticsApiKey,
        rateLimits,
        timeoutMs: config.CURSOR_REQUEST_TIMEOUT_MS,
        maxResponseBytes: config.CURSOR_MAX_RESPONSE_BYTES,
        log,
      });
    }
    return runtime;
  } catch (err) {
    await close();
    throw err;
  }
}

/** Runs a command with a runtime and exits non-zero with a clear message on failure. */
export async function withRuntime(
  fn: (rt: Runtime) => Promise<number | void>,
  opts: RuntimeOptions = {},
): Promise<never> {
  let rt: Runtime | undefined;
  let code = 0;
  try {
    rt = await openRuntime(opts);
    code = (await fn(rt)) ?? 0;
  } catch (err) {
    code = 1;
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await rt?.close();
  }
  process.exit(code);
}

/** Reads the repository's .env, if any, without overriding variables already set in the environment. */
export function loadDotEnv(file = path.join(REPO_ROOT, '.env')): void {
  if (!existsSync(file)) return;
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
}
