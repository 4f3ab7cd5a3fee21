import pg from 'pg';

/**
 * A pg.Pool for a test's own connections (Grafana's reader, the owner). node-postgres emits 'error' on the pool when
 * an IDLE client's connection ends (queries still reject as usual); with no listener that is an unhandled error. It
 * happens at teardown: pool.end() resolves before every backend has gone, and dropTestDb's DROP DATABASE … WITH
 * (FORCE) then terminates the late ones (57P01, "terminating connection due to administrator command").
 */
export function quietPool(config: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(config);
  pool.on('error', () => {});
  return pool;
}
