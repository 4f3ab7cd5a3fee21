import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopPostmaster } from './processes';

/** The few pino methods the embedded PostgreSQL reports through. */
export interface EmbeddedLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface SuperviseOptions {
  /** Start the postmaster again when it dies unasked (SIGKILL, a crash); else just report it gone. */
  restart: boolean;
  start: () => Promise<ChildProcess>;
  log?: EmbeddedLog;
  /** Called when the postmaster died and is not restarted (restart: false). */
  onGone?: () => void;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

export interface Supervised {
  /** The postmaster running now (undefined while it is being restarted). */
  current(): ChildProcess | undefined;
  /** Stops restarting, then stops the postmaster (fast shutdown) and waits for it. */
  stop(): Promise<void>;
}

const how = (code: number | null, signal: NodeJS.Signals | null) => signal ?? `exit code ${code}`;

/**
 * Watches the postmaster this process started. When it exits without being asked, it is started again with
 * exponential backoff (its killed backends must release the shared memory first, which takes a moment); the worker's
 * pool and passes reconnect on their own (db/reconnect.ts). The death and the comeback are logged once each.
 */
export function supervisePostmaster(first: ChildProcess, o: SuperviseOptions): Supervised {
  let child: ChildProcess | undefined = first;
  let stopping = false;
  const abort = new AbortController();
  let restarting: Promise<void> | undefined;

  const watch = (c: ChildProcess) =>
    c.once('exit', (code, signal) => {
      if (stopping || c !== child) return;
      child = undefined;
      if (!o.restart) return o.onGone?.();
      o.log?.warn(
        { pid: c.pid, how: how(code, signal) },
        `the embedded PostgreSQL exited unexpectedly (${how(code, signal)}): restarting it`,
      );
      restarting = restartLoop();
    });

  async function restartLoop(): Promise<void> {
    const since = Date.now();
    let delay = o.firstDelayMs ?? 500;
    for (let attempt = 1; !stopping; attempt++) {
      try {
        await sleep(delay, undefined, { signal: abort.signal });
      } catch {
        return; // stopping
      }
      try {
        const c = await o.start();
        if (stopping) {
          await stopPostmaster(c);
          return;
        }
        child = c;
        watch(c);
        o.log?.info(
          { pid: c.pid, attempts: attempt, seconds: Math.round((Date.now() - since) / 100) / 10 },
          'the embedded PostgreSQL is running again',
        );
        return;
      } catch (err) {
        if (attempt === 1)
          o.log?.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'the embedded PostgreSQL did not start yet: retrying with backoff',
          );
      }
      delay = Math.min(delay * 2, o.maxDelayMs ?? 30_000);
    }
  }

  watch(first);
  return {
    current: () => child,
    async stop() {
      stopping = true;
      abort.abort();
      await restarting;
      if (child) await stopPostmaster(child);
      child = undefined;
    },
  };
}
