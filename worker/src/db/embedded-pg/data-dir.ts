import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StartupError } from '../../config/startup-error';
import type { Account } from './reach';

function unusable(dataDir: string, why: string): StartupError {
  return new StartupError(
    `The embedded PostgreSQL cannot keep its data in ${dataDir}: ${why}. Set EMBEDDED_PG_DIR to a folder you can write to, or set DATABASE_URL to a PostgreSQL you run.`,
  );
}

/** Creates the data directory's parent (where its lock file goes), opened to `owner` as prepareDataDir says. */
export async function prepareParent(dataDir: string, owner?: Account): Promise<void> {
  const parent = path.dirname(dataDir);
  try {
    const firstCreated = await fs.mkdir(parent, { recursive: true, mode: 0o755 });
    if (owner && firstCreated)
      for (let d = parent; d.length >= firstCreated.length; d = path.dirname(d)) await fs.chmod(d, 0o755);
    await fs.access(parent, fs.constants.W_OK);
  } catch (err) {
    throw unusable(dataDir, describe(err, parent));
  }
}

/**
 * Creates the data directory (and its parents) when missing and checks it can be used: writable, and either a
 * PostgreSQL data directory or empty. As root, it is handed to `owner` (the postgres user) and the parents this
 * creates are opened (0755) so that user can enter them. Returns whether a cluster is already initialised there.
 */
export async function prepareDataDir(dataDir: string, owner?: Account): Promise<boolean> {
  await prepareParent(dataDir, owner);
  let stat;
  try {
    stat = await fs.stat(dataDir);
  } catch {
    stat = undefined;
  }
  if (stat && !stat.isDirectory()) throw unusable(dataDir, 'it is a file, not a folder');
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  if (stat && !initialised && (await fs.readdir(dataDir)).length > 0)
    throw unusable(dataDir, 'the folder is not empty and holds no PostgreSQL data (no PG_VERSION file)');
  try {
    if (!stat) await fs.mkdir(dataDir, { mode: 0o700 });
    else if (!owner) await fs.access(dataDir, fs.constants.W_OK);
  } catch (err) {
    throw unusable(dataDir, describe(err, dataDir));
  }
  if (owner) {
    if ((stat?.uid ?? 0) !== owner.uid || !stat) await chownTree(dataDir, owner);
    await fs.chmod(dataDir, 0o700); // PostgreSQL requires 0700 or 0750
  }
  return initialised;
}

async function chownTree(dir: string, owner: Account): Promise<void> {
  await fs.lchown(dir, owner.uid, owner.gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true }))
    await fs.lchown(path.join(entry.parentPath, entry.name), owner.uid, owner.gid);
}

function describe(err: unknown, where: string): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return `${where} is not writable (permission denied)`;
  if (code === 'EROFS') return `${where} is on a read-only file system`;
  if (code === 'ENOTDIR' || code === 'EEXIST') return `a file is in the way of the folder ${where}`;
  if (code === 'ENOSPC') return `no space left on the disk of ${where}`;
  return `${where}: ${(err as Error).message}`;
}
