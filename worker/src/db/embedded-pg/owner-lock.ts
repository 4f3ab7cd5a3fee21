import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import { isSameProcessAlive, processStartTime } from './proc-info';

/** Who runs the embedded PostgreSQL of a data directory: one process at a time. */
export interface OwnerLock {
  pid: number;
  /** The owner's start time (processStartTime): a reused pid is not the owner. */
  startTime?: string;
  /** The port the owner starts PostgreSQL on. */
  port: number;
  /** When the owner took the lock (ISO 8601), for messages. */
  since: string;
}

export type Acquired =
  { owner: true; release(): Promise<void>; releaseSync(): void } | { owner: false; held: OwnerLock };

/** The lock file sits beside the data directory: initdb needs that directory empty. */
export const lockPathFor = (dataDir: string) => `${dataDir}.lock`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function readLock(lockPath: string): { lock: OwnerLock; raw: string } | null {
  let raw: string;
  try {
    raw = readFileSync(lockPath, 'utf8');
  } catch {
    return null;
  }
  try {
    const lock = JSON.parse(raw) as OwnerLock;
    if (Number.isInteger(lock.pid) && lock.pid > 0) return { lock, raw };
  } catch {
    /* unparsable: treated as stale below */
  }
  return { lock: { pid: 0, port: 0, since: '' }, raw };
}

export const isOwnerAlive = (lock: OwnerLock) => isSameProcessAlive(lock.pid, lock.startTime);

/**
 * Takes the lock atomically, or reports the live owner holding it. The file is written whole under a temporary name
 * and hard-linked into place (link fails if the name exists), so nobody ever reads a half-written lock. A lock whose
 * owner is gone (SIGKILL) is removed under a short-lived takeover guard (mkdir is atomic), after checking it is still
 * the same stale file: two processes recovering at once cannot remove each other's fresh lock.
 */
export async function acquireOwnerLock(lockPath: string, port: number): Promise<Acquired> {
  const mine: OwnerLock = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    port,
    since: new Date().toISOString(),
  };
  const raw = `${JSON.stringify(mine)}\n`;
  const tmp = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await fs.writeFile(tmp, raw, { mode: 0o600 });
  try {
    for (;;) {
      try {
        await fs.link(tmp, lockPath);
        return ownerHandle(lockPath, raw);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = readLock(lockPath);
      if (!current) continue; // released in between: try again
      if (isOwnerAlive(current.lock)) return { owner: false, held: current.lock };
      await removeStale(lockPath, current.raw);
    }
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

function ownerHandle(lockPath: string, raw: string): Acquired {
  const stillMine = () => readLock(lockPath)?.raw === raw;
  return {
    owner: true,
    async release() {
      if (stillMine()) await fs.rm(lockPath, { force: true });
    },
    releaseSync() {
      try {
        if (stillMine()) unlinkSync(lockPath);
      } catch {
        /* exiting anyway */
      }
    },
  };
}

const GUARD_STALE_MS = 10_000;

async function removeStale(lockPath: string, staleRaw: string): Promise<void> {
  const guard = `${lockPath}.takeover`;
  try {
    await fs.mkdir(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // Another process is recovering: let it, unless it died holding the guard (held for milliseconds normally).
    const age = await fs.stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > GUARD_STALE_MS) await fs.rm(guard, { recursive: true, force: true });
    else await sleep(50);
    return;
  }
  try {
    if (readLock(lockPath)?.raw === staleRaw) await fs.rm(lockPath, { force: true });
  } finally {
    await fs.rm(guard, { recursive: true, force: true });
  }
}
