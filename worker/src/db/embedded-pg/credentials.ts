import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** The superuser password of clusters created before passwords were generated (kept working: see migrateLegacy). */
export const LEGACY_PASSWORD = 'embedded';

/** Kept in the data directory (0600): whoever may read the data may connect; a second process finds it there. */
export const credentialsPathFor = (dataDir: string) => path.join(dataDir, 'cursor-cost-watch-credentials.json');

/** Beside the data directory while initdb runs (it needs an empty directory); kept if we die before moving it in. */
export const pendingPasswordPathFor = (dataDir: string) => `${dataDir}.pwfile`;

export const generatePassword = () => randomBytes(24).toString('base64url');

export function readStoredPassword(dataDir: string): string | undefined {
  try {
    const parsed = JSON.parse(readFileSync(credentialsPathFor(dataDir), 'utf8')) as { password?: unknown };
    return typeof parsed.password === 'string' && parsed.password ? parsed.password : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES' || code === 'EPERM')
      throw new Error(`cannot read the embedded PostgreSQL's password in ${credentialsPathFor(dataDir)} (${code})`);
    return undefined; // unparsable: replaced by a new password below
  }
}

export function readPendingPassword(dataDir: string): string | undefined {
  try {
    return readFileSync(pendingPasswordPathFor(dataDir), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Writes the credentials file atomically, 0600. */
export async function storePassword(dataDir: string, password: string): Promise<void> {
  const file = credentialsPathFor(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify({ user: 'postgres', password })}\n`, { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, file);
}
