import { startEmbeddedPostgres } from '../../src/db/embedded';

/**
 * A process that opens the embedded PostgreSQL of a data directory, prints one JSON line (its role, whether it ran
 * initdb, its connection string), and stops it on SIGTERM: the second, independent process the ownership tests need.
 * Usage: node --import tsx embedded-child.ts <dataDir> <port>
 */
async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'own_test' });
  process.stdout.write(
    `${JSON.stringify({ role: pg.role, created: pg.created === true, url: pg.connectionString })}\n`,
  );
  process.on('SIGTERM', () => void pg.stop().then(() => process.exit(0)));
  setInterval(() => {}, 1 << 30);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
