import { Kysely, PostgresDialect, type PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import type { Database, Db, Tx } from './database';
import { poolOf } from './pool';

/**
 * Runs `fn` in one transaction on a client checked out of db's pool, and hands it both a kysely transaction and the
 * raw pg client, on the same connection: kysely cannot issue COPY (pg-copy-streams needs the client), and the COPY
 * must commit with the rest of the transaction. The kysely instance is bound to that one client (a pool of one whose
 * release does nothing); the client goes back to db's pool at the end, discarded if the transaction failed so that a
 * connection broken mid-way (a PostgreSQL restart) is not reused.
 */
export async function clientTransaction<T>(db: Db, fn: (tx: Tx, client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await poolOf(db).connect();
  const single = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        connect: async () => ({ query: client.query.bind(client), release: () => {} }) as unknown as PostgresPoolClient,
        end: async () => {},
        options: {},
      },
    }),
  });
  let failed = false;
  try {
    return await single.transaction().execute((tx) => fn(tx, client));
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    client.release(failed ? true : undefined);
  }
}
