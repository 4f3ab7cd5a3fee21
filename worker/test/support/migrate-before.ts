import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Migrator } from 'kysely/migration';
import type { Db } from '../../src/db/database';
import { SqlFileMigrationProvider, SQL_DIR } from '../../src/db/migrate';

/** Applies the migrations that come before `first` (a file name's prefix, e.g. '021'): a database as it was then. */
export async function migrateBefore(db: Db, first: string): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cw-sql-before-${first}-`));
  try {
    for (const f of fs.readdirSync(SQL_DIR).filter((f) => f.endsWith('.sql') && f < first))
      fs.copyFileSync(path.join(SQL_DIR, f), path.join(dir, f));
    const { error } = await new Migrator({ db, provider: new SqlFileMigrationProvider(dir) }).migrateToLatest();
    if (error) throw error;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
