import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Logger } from '../config/log';
import type { Db } from './database';

/**
 * Errors that mean the database went away, not that a statement was wrong: SQLSTATE class 08 (connection exception),
 * 57P01-57P03 (admin/crash shutdown, cannot connect now), and node-postgres's socket errors and messages
 * (pg/lib/client.js: "Connection terminated unexpectedly", "Client has encountered a connection error").
 */
const CONNECTION_CODES = new Set(['57P01', '57P02', '57P03', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT']);
const CONNECTION_MESSAGE =
  /Connection terminated|connection timeout|Client has encountered a connection error|Client was closed and is not queryable|terminating connection|the database system is (starting up|shutting down|in recovery)|ECONNREFUSED|ECONNRESET/i;

export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08'))) return true;
    if (e instanceof AggregateError && e.errors.some(isConnectionError)) return true;
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && CONNECTION_MESSAGE.test(message)) return true;
  }
  return false;
}

export interface ReconnectOptions {
  db: Db;
  log: Logger;
  signal?: AbortSignal;
  /** Give up after this long without the database (default 15 minutes). */
  maxWaitMs?: number;
  /** First pause between attempts, doubled up to 30 s (default 500 ms). */
  firstDelayMs?: number;
}

/** Waits, with exponential backoff, until the database answers again. */
export async function waitForDatabase(o: ReconnectOptions): Promise<void> {
  const deadline = Date.now() + (o.maxWaitMs ?? 15 * 60_000);
  let delay = o.firstDelayMs ?? 500;
  for (;;) {
    try {
      await sql`SELECT 1`.execute(o.db);
      return;
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      if (Date.now() + delay > deadline) throw new Error('the database did not come back in time', { cause: err });
    }
    await sleep(delay, undefined, { signal: o.signal });
    delay = Math.min(delay * 2, 30_000);
  }
}

/**
 * Runs a pass (collection, detection, a delivery) and, when the database went away during it, waits for the database
 * and runs it again: each pass resumes from what was committed (a watermark, upserted incidents), so running it again
 * is safe. `lost` tells whether a pass that returned normally was cut by a lost database anyway (collection records
 * per-endpoint failures instead of throwing). Other errors pass through.
 */
export async function resumeAfterDatabaseLoss<T>(
  what: string,
  pass: () => Promise<T>,
  o: ReconnectOptions & { attempts?: number; lost?: (result: T) => boolean },
): Promise<T> {
  const attempts = o.attempts ?? 10;
  for (let attempt = 1; ; attempt++) {
    let result: T | undefined;
    let failure: unknown;
    try {
      result = await pass();
      if (!o.lost?.(result)) return result;
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      failure = err;
    }
    if (attempt >= attempts || o.signal?.aborted) {
      if (failure !== undefined) throw failure;
      return result as T;
    }
    const message = failure instanceof Error ? failure.message : 'an endpoint lost the database';
    o.log.warn({ what, attempt, err: message }, `database unreachable during ${what}: waiting for it, then resuming`);
    await waitForDatabase(o);
    o.log.info({ what, attempt }, `database back: resuming ${what}`);
  }
}
