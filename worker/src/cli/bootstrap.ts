import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { PgBoss } from 'pg-boss';
import { ConfigError, REPO_ROOT, ROOT_STATE_DIR, loadConfig, type Config } from '../config/config';
import { StartupError, assertPortFree, freePortAvoiding } from '../config/startup-error';
import { createLogger, type Logger } from '../config/log';
import { captureSamples } from '../cursor/capture';
import { CursorClient } from '../cursor/client';
import { checkCursorAccess } from '../cursor/preflight';
import { assertDatabaseUsable } from '../db/connect-check';
import type { Db } from '../db/database';
import { startEmbeddedPostgres, type EmbeddedPg } from '../db/embedded';
import { migrateToLatest } from '../db/migrate';
import { createDb, type DbHandle } from '../db/pool';
import { startBoss } from '../queue/boss';
import { createSimulatedTeam, startSimulatorServer, type SimulatorServer } from '@cursor-cost-watch/simulator';

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
  /** Checks of the configuration and the machine that must pass before anything starts (ports, for example). */
  beforeStart?: (config: Config) => Promise<void>;
  /** Send log lines to stderr: for commands whose stdout is data (`--json`). */
  logToStderr?: boolean;
}

/**
 * Config → checks (beforeStart; the Cursor key) → the Cursor client (the simulated Cursor team in demo mode) →
 * PostgreSQL (DATABASE_URL, else the embedded one) → migrations → optional pg-boss. Whatever fails says what to
 * change; everything opened is closed by `close()`, in reverse order.
 */
export async function openRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  if (!opts.env) loadDotEnv();
  const config = loadConfig(opts.env);
  const log = createLogger(config.LOG_LEVEL, 'worker', { to: opts.logToStderr ? 'stderr' : 'stdout' });
  await opts.beforeStart?.(config);
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((err) => log.warn({ err: String(err) }, 'error while closing'));
  };
  try {
    const cursor = opts.cursor ? await openCursor(config, log, closers) : undefined;
    let connectionString = config.DATABASE_URL;
    if (connectionString) {
      await assertDatabaseUsable(connectionString);
    } else {
      log.info(
        { dir: config.embeddedPgDir, port: config.EMBEDDED_PG_PORT },
        'DATABASE_URL is not set: starting the embedded PostgreSQL',
      );
      const embedded: EmbeddedPg = await startEmbeddedPostgres({
        dataDir: config.embeddedPgDir,
        fallbackDataDir: config.embeddedPgFallbackDir,
        stageDir: ROOT_STATE_DIR,
        port: config.EMBEDDED_PG_PORT,
        fast: config.EMBEDDED_PG_FAST,
        restartOnCrash: true,
        log,
        onLog: (line) => log.debug({ postgres: line.trim() }, 'embedded PostgreSQL'),
      });
      closers.push(() => embedded.stop());
      if (embedded.dataDir !== config.embeddedPgDir)
        log.info(
          { dir: embedded.dataDir },
          'running as root and the postgres user cannot enter the default EMBEDDED_PG_DIR: data kept here instead',
        );
      if (embedded.role === 'client')
        log.info(
          { dir: embedded.dataDir, owner: embedded.ownerPid },
          `the embedded PostgreSQL is run by process ${embedded.ownerPid}: using it as a client (it keeps running after this)`,
        );
      connectionString = embedded.connectionString;
    }
    const handle: DbHandle = createDb(connectionString, 10, (err) =>
      log.warn({ err: err.message }, 'idle database connection lost'),
    );
    closers.push(() => handle.close());
    const applied = await migrateToLatest(handle.db);
    if (applied.length) log.info({ applied }, 'migrations applied');

    const runtime: Runtime = { config, log, db: handle.db, connectionString, close, ...cursor };
    if (opts.boss) {
      runtime.boss = await startBoss(connectionString, log, { heartbeatSeconds: config.WORKER_HEARTBEAT_SECONDS });
      const boss = runtime.boss;
      closers.push(() => boss.stop({ graceful: true, timeout: 30_000 }));
    }
    return runtime;
  } catch (err) {
    await close();
    throw err;
  }
}

/** The Cursor client: on the simulated team in demo mode, else on Cursor's API once the key is known to work. */
async function openCursor(
  config: Config,
  log: Logger,
  closers: (() => Promise<unknown>)[],
): Promise<{ client: CursorClient; simulator?: SimulatorServer }> {
  let baseUrl = config.CURSOR_API_BASE_URL;
  let apiKey = config.CURSOR_ADMIN_API_KEY;
  let analyticsApiKey = config.CURSOR_ANALYTICS_API_KEY;
  let rateLimits = {
    admin: config.CURSOR_RATE_LIMIT_PER_MIN,
    events: config.CURSOR_EVENTS_RATE_LIMIT_PER_MIN,
    analytics: 100,
  };
  let simulator: SimulatorServer | undefined;
  if (config.demoMode) {
    apiKey = `key_${randomBytes(32).toString('hex')}`;
    analyticsApiKey = `key_${randomBytes(32).toString('hex')}`;
    const team = createSimulatedTeam({ seed: config.SIM_SEED, teamSize: config.SIM_TEAM_SIZE });
    // The simulated team is local: a faster pace than Cursor's documented limits makes the first backfill quick.
    rateLimits = { admin: 120, events: 600, analytics: 100 };
    await assertPortFree('127.0.0.1', config.SIM_PORT, 'SIM_PORT', 'the simulated Cursor API');
    // The worker API and the embedded PostgreSQL bind their ports after this: the kernel's pick must not be theirs.
    const later = new Set([config.WORKER_API_PORT, ...(config.DATABASE_URL ? [] : [config.EMBEDDED_PG_PORT])]);
    const sim = await startSimulatorServer({
      team,
      apiKey,
      analyticsApiKey,
      port: config.SIM_PORT === 0 ? await freePortAvoiding('127.0.0.1', later) : config.SIM_PORT,
      rateLimitsPerMinute: rateLimits,
    });
    closers.push(() => sim.close());
    simulator = sim;
    baseUrl = sim.url;
    log.info(
      { url: sim.url, developers: config.SIM_TEAM_SIZE },
      'CURSOR_ADMIN_API_KEY is not set: demo mode on the simulated Cursor team',
    );
  } else {
    const warning = await checkCursorAccess({ baseUrl, apiKey: apiKey!, timeoutMs: config.CURSOR_REQUEST_TIMEOUT_MS });
    if (warning) log.warn(warning);
  }
  const client = new CursorClient({
    baseUrl,
    apiKey: apiKey!,
    analyticsApiKey,
    rateLimits,
    timeoutMs: config.CURSOR_REQUEST_TIMEOUT_MS,
    maxResponseBytes: config.CURSOR_MAX_RESPONSE_BYTES,
    log,
    observe: config.CURSOR_CAPTURE_DIR ? captureSamples(path.resolve(REPO_ROOT, config.CURSOR_CAPTURE_DIR)) : undefined,
  });
  return { client, simulator };
}

/** Runs a command with a runtime and exits non-zero with a clear message on failure. */
export async function withRuntime(
  fn: (rt: Runtime) => Promise<number | void>,
  opts: RuntimeOptions = {},
): Promise<never> {
  let rt: Runtime | undefined;
  let code = 0;
  // Ctrl-C or SIGTERM: exit at once; the exit hook fast-stops an embedded PostgreSQL this process started (it runs
  // in its own process group, so the terminal's SIGINT does not reach it) and a collection cut short is resumed from
  // its watermark by the next one.
  for (const [signal, exitCode] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)
    process.once(signal, () => process.exit(exitCode));
  try {
    rt = await openRuntime(opts);
    code = (await fn(rt)) ?? 0;
  } catch (err) {
    code = 1;
    if (err instanceof ConfigError || err instanceof StartupError) console.error(err.message);
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
