import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database';

// numeric and bigint arrive as strings by default; cents and token counts fit a double exactly enough.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number.parseFloat(v));
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));
// Keep dates as "YYYY-MM-DD": a JS Date would shift them by the local time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

/** The pool behind each Db that createDb made, for work kysely cannot express (COPY: db/client-transaction.ts). */
const pools = new WeakMap<Db, pg.Pool>();

export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool)
    throw new Error('poolOf: this Kysely instance was not made by createDb (db/pool.ts), so it has no pg pool');
  return pool;
}

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * A pool that survives a Postgres restart: broken clients are dropped, new ones reconnect. pg-pool listens for errors
 * on idle clients only; a checked-out client (a transaction, the collection's advisory-lock session) that loses its
 * server emits 'error' with no listener, which kills the process. Every client gets a listener of its own when it
 * connects; the query in flight still fails and its caller handles that.
 */
export function createDb(connectionString: string, max = 10, onError?: (err: Error) => void): DbHandle {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000 });
  pool.on('error', (err) => onError?.(err)); // an idle client lost its connection; the pool replaces it
  pool.on('connect', (client) => client.on('error', (err) => onError?.(err)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  return { db, pool, close: () => db.destroy() };
}
