import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb } from '../../src/db/pool';
import { migrateToLatest } from '../../src/db/migrate';
import { freePort, startEmbeddedPostgres, type EmbeddedPg } from '../../src/db/embedded';

export const TEMPLATE_DB = 'cw_test_template';
const STATE_FILE = path.join(os.tmpdir(), `cw-jest-${process.ppid}-${process.pid}.json`);

declare global {
  var __EMBEDDED_PG__: EmbeddedPg | undefined;
}

/**
 * One real PostgreSQL for the whole run: DATABASE_URL when set, else an embedded one in a temp directory.
 * The schema is migrated once into a template database; each test file clones it (see test-db.ts).
 */
export default async function globalSetup(): Promise<void> {
  // fsync=off for every embedded PostgreSQL of the run, test workers' and child processes' included (inherited).
  process.env.EMBEDDED_PG_FAST ??= '1';
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-test-pg-'));
    fs.chmodSync(dir, 0o777); // as root, PostgreSQL runs as the postgres user
    const embedded = await startEmbeddedPostgres({
      dataDir: path.join(dir, 'data'),
      stageDir: os.tmpdir(), // as root from a clone the postgres user cannot enter: binaries copied here
      port: await freePort(),
      ephemeral: true,
      database: 'postgres',
    });
    globalThis.__EMBEDDED_PG__ = embedded;
    adminUrl = embedded.connectionString;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DB}`;
  const handle = createDb(url.toString(), 2);
  await migrateToLatest(handle.db);
  await handle.close();
  process.env.CW_TEST_ADMIN_URL = adminUrl;
  fs.writeFileSync(STATE_FILE, adminUrl);
}
