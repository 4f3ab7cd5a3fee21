import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDb, type DbHandle } from '../../src/db/pool';

const TEMPLATE_DB = 'cw_test_template';

export interface TestDb extends DbHandle {
  url: string;
  name: string;
}

function adminUrl(): string {
  const url = process.env.CW_TEST_ADMIN_URL;
  if (!url) throw new Error('CW_TEST_ADMIN_URL is not set: run tests through jest (test/support/global-setup.ts)');
  return url;
}

/**
 * A fresh, migrated database cloned from the template; drop it with dropTestDb. `{ migrated: false }`: an empty one
 * (no migration applied), for tests of a migration itself.
 */
export async function createTestDb(prefix = 't', { migrated = true } = {}): Promise<TestDb> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${migrated ? TEMPLATE_DB : 'template0'}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  const handle = createDb(url.toString(), 5);
  return { ...handle, url: url.toString(), name };
}

export async function dropTestDb(t: TestDb): Promise<void> {
  await t.close().catch(() => {});
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${t.name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
